/**
 * `GET /dashboard/stream` upgrade. ductor completes the handshake whatever the token and then closes
 * a bad one with 1008, so a wrong token still gets its 101; a good one is handed to the stream hub.
 */
import { frameworkError, sendRaw } from "../http.js";
import type { UpgradeHandler } from "./route.js";

export const streamUpgrade: UpgradeHandler = ({ req, socket, head, authorized }, ctx) => {
  const endpoint = ctx.stream;
  if (!authorized) return endpoint.wss.handleUpgrade(req, socket, head, (ws) => endpoint.hub.reject(ws));
  // Over the limit: refuse before the 101, so the refused socket costs nothing. A bad token above
  // still gets ductor's 101 + 1008, so a client learns its token is wrong whatever the load.
  const max = endpoint.maxConnections;
  if (max !== undefined && endpoint.hub.connections + endpoint.handshaking >= max) {
    return sendRaw(socket, frameworkError(503, { "Retry-After": "1" }));
  }
  endpoint.handshaking++;
  endpoint.wss.handleUpgrade(req, socket, head, (ws) => {
    endpoint.handshaking--;
    endpoint.hub.accept(ws);
  });
};
