// A WebSocket server that speaks just enough of ductor's stream to benchmark a consumer: `{"type": "ping"}` on
// connect, then N ductor-like frames as fast as the socket takes them (text deltas of ~48 characters, a
// tool_activity every 50 events). Frames use Python's json.dumps spacing, like ductor.
import { createServer } from "node:http";
import { WebSocketServer } from "ws";

const WORDS = "the agent reads the failing test then edits parser.ts and runs the suite again until green".split(" ");
const TOOLS = ["Read", "Edit", "Shell", "Grep", "Glob", "TodoWrite"];

/** The i-th frame of the benchmark stream: deterministic, so every variant sees the same bytes. */
export function frameAt(i) {
  if (i % 50 === 49)
    return JSON.stringify({ type: "tool_activity", data: TOOLS[i % TOOLS.length] })
      .replace(/":"/g, '": "')
      .replace(/","/g, '", "');
  let text = `${i} `;
  for (let w = i; text.length < 44; w += 7) text += `${WORDS[w % WORDS.length]} `;
  text = text.slice(0, 47) + (i % 8 === 7 ? "\n" : " ");
  return `{"type": "text_delta", "data": ${JSON.stringify(text)}}`;
}

/** The text a perfect renderer would show for the first n frames (tool lines excluded). */
export function expectedText(n) {
  let out = "";
  for (let i = 0; i < n; i++) {
    const frame = JSON.parse(frameAt(i));
    if (frame.type === "text_delta") out += frame.data;
  }
  return out;
}

async function blast(socket, n) {
  socket.send('{"type": "ping"}');
  const batch = 256;
  for (let i = 0; i < n && socket.readyState === socket.OPEN; i += batch) {
    const end = Math.min(n, i + batch);
    for (let j = i; j < end - 1; j++) socket.send(frameAt(j));
    // Wait for the batch's last frame to reach the kernel, so memory stays flat at N = 1 000 000.
    await new Promise((resolve) => socket.send(frameAt(end - 1), resolve));
  }
}

/**
 * Starts the server. `handler` serves plain HTTP (pages and scripts); every WebSocket upgrade gets a blast of
 * `?n=` frames (or `defaultN`, for a client that builds its own stream URL).
 */
export async function startBlastServer(handler = (_req, res) => res.writeHead(404).end(), { defaultN = 0 } = {}) {
  const server = createServer(handler);
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  const state = { defaultN };
  wss.on("connection", (socket, request) => {
    const n = Number(new URL(request.url ?? "/", "http://x").searchParams.get("n") ?? state.defaultN);
    blast(socket, n).catch(() => socket.terminate());
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    /** N for connections that do not ask for one (`?n=`). */
    setDefaultN: (n) => (state.defaultN = n),
    wsUrl: (n) => `ws://127.0.0.1:${port}/dashboard/stream?token=bench&n=${n}`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
