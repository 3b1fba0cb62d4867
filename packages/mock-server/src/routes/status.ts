/** `GET /dashboard/status`. */
import { jsonReply } from "../http.js";
import type { Handler } from "./context.js";

export const status: Handler = (_r, ctx) => {
  const { provider, model } = ctx.runtime();
  // ductor unpacks the getter's (model, provider) tuple as (provider, model): protocol.md §2.1.
  // The mock reproduces the swap on purpose so clients are tested against the real wire.
  return jsonReply({
    status: "ok",
    provider: model,
    model: provider,
    uptime_seconds: ctx.uptimeSeconds(),
    connections: 0,
    dashboard_connections: ctx.dashboardConnections(),
  });
};
