import { describeError, isAbort, isAuthError } from "../app/describe.js";
import { createPoller } from "../app/poller.js";
import type { AppContext, HealthData, StatusData, View } from "../app/types.js";
import { h } from "../dom.js";
import { formatCount, formatUptime } from "../format.js";
import { createViewHeader } from "./common.js";

export const STATUS_INTERVAL_MS = 5_000;

function card(label: string, hint?: string) {
  const value = h("p", { class: "card-value" }, "–");
  const sub = h("p", { class: "card-sub muted" }, hint ?? "");
  const el = h("section", { class: "card" }, h("h2", { class: "card-label" }, label), value, sub);
  return { el, value, sub };
}

export function createStatusView(ctx: AppContext): View {
  const header = createViewHeader("Status", "dd-h-status");
  const provider = card("Provider", "ductor's configured default");
  const model = card("Model", "ductor's configured default");
  const uptime = card("Uptime", "since the bot started");
  const connections = card("Chat connections", "authenticated /ws clients");
  const dash = card("Dashboard connections", "open live streams, this one included");
  const health = card("Health", "GET /health (no token)");
  const grid = h("div", { class: "cards" }, provider.el, model.el, uptime.el, connections.el, dash.el, health.el);
  const el = h("section", { class: "view view-status", "aria-labelledby": "dd-h-status", hidden: true }, header.el, header.error, grid);

  let last: { data: StatusData; at: number } | null = null;

  const renderStatus = (s: StatusData, at: number, now: number): void => {
    provider.value.textContent = s.provider || "unknown";
    model.value.textContent = s.model || "unknown";
    uptime.value.textContent = formatUptime(s.uptimeSeconds + (now - at) / 1000);
    connections.value.textContent = formatCount(s.connections);
    dash.value.textContent = formatCount(s.dashboardConnections);
  };
  const renderHealth = (hd: HealthData): void => {
    health.value.textContent = hd.status;
    health.value.className = `card-value ${hd.status === "ok" ? "good" : "warn"}`;
    health.sub.textContent = `${formatCount(hd.connections)} chat connection${hd.connections === 1 ? "" : "s"} · no token needed`;
  };

  const poller = createPoller(STATUS_INTERVAL_MS, async (signal) => {
    const [st, he] = await Promise.allSettled([ctx.client.status({ signal }), ctx.client.health({ signal })]);
    if (signal.aborted) return;
    const now = Date.now();
    if (st.status === "fulfilled") {
      last = { data: st.value, at: now };
      renderStatus(st.value, now, now);
      header.ok(now);
    } else if (isAuthError(st.reason)) {
      ctx.refuse("The server refused the token (401 on /dashboard/status).");
      return;
    } else if (!isAbort(st.reason)) {
      header.fail(`Couldn't refresh the status: ${describeError(st.reason)}`);
    }
    if (he.status === "fulfilled") renderHealth(he.value);
    else if (!isAbort(he.reason)) {
      health.value.textContent = "unreachable";
      health.value.className = "card-value bad";
      health.sub.textContent = describeError(he.reason);
    }
  });

  return {
    el,
    show(): void {
      el.hidden = false;
      poller.start();
    },
    hide(): void {
      el.hidden = true;
      poller.stop();
    },
    tick(now: number): void {
      if (el.hidden) return;
      header.tick(now);
      if (last) uptime.value.textContent = formatUptime(last.data.uptimeSeconds + (now - last.at) / 1000);
    },
    destroy(): void {
      poller.destroy();
      el.remove();
    },
  };
}
