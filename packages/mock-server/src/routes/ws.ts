/** `GET /ws` upgrade: ductor's E2E chat channel is out of scope for the mock, so accept, say so, close. */
import type { UpgradeHandler } from "./route.js";

export const chatUpgrade: UpgradeHandler = ({ req, socket, head }, ctx) => {
  ctx.stream.wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on("error", () => {});
    ws.send(JSON.stringify({ type: "error", code: "not_supported", message: "the mock server has no /ws chat" }));
    ws.close(1000);
  });
};
