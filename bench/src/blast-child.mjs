// The blast server (blast-server.mjs) in a process of its own, as ductor is: what it costs to send frames then does
// not count against the reader being measured. Usage: `node blast-child.mjs N` (forked with IPC); it sends
// `{ url }` once listening, and every WebSocket connection gets `{"type": "ping"}` then N frames, uncompressed.
// It exits when its parent disconnects.
import { startBlastServer } from "./blast-server.mjs";

const server = await startBlastServer(undefined, { defaultN: Number(process.argv[2] ?? 0) });
process.send?.({ url: server.url });
process.on("disconnect", () => {
  server.close().finally(() => process.exit(0));
});
