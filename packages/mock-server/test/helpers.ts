/** Test helpers: a WebSocket client that records every frame and the close, over a real socket. */
import { randomBytes } from "node:crypto";
import { createConnection, type Socket } from "node:net";
import { WebSocket } from "ws";

export interface Received {
  frames: { data: string | Buffer; binary: boolean; at: number }[];
  /** Resolves once the socket is open (the HTTP 101). */
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string; at: number }>;
  ws: WebSocket;
  /** Resolves when at least `n` frames have arrived. */
  waitFrames(n: number, timeoutMs?: number): Promise<void>;
  texts(): string[];
}

export function connect(url: string, opts: { autoPong?: boolean } = {}): Received {
  const ws = new WebSocket(url, { autoPong: opts.autoPong ?? true });
  const frames: Received["frames"] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  ws.on("message", (data, isBinary) => {
    frames.push({ data: isBinary ? (data as Buffer) : data.toString(), binary: isBinary, at: Date.now() });
    for (const w of [...waiters]) if (frames.length >= w.n) w.resolve();
  });
  ws.on("error", () => {});
  const opened = new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  opened.catch(() => {});
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now() })),
  );
  return {
    frames,
    opened,
    closed,
    ws,
    texts: () => frames.filter((f) => !f.binary).map((f) => f.data as string),
    waitFrames(n, timeoutMs = 5000) {
      if (frames.length >= n) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${n} frames (got ${frames.length})`)), timeoutMs);
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(t);
            resolve();
          },
        });
      });
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A client that only counts frames (keeps none), so a test can push tens of MB through it. */
export function connectCounting(url: string) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const state = { frames: 0, bytes: 0, closed: false, ws, waitFrames };
  const waiters: { n: number; resolve: () => void }[] = [];
  ws.on("message", (data: Buffer) => {
    state.frames++;
    state.bytes += data.length;
    for (const w of [...waiters]) if (state.frames >= w.n) w.resolve();
  });
  ws.on("error", () => {});
  ws.on("close", () => (state.closed = true));
  function waitFrames(n: number, timeoutMs = 5000): Promise<void> {
    if (state.frames >= n) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for ${n} frames (got ${state.frames})`)), timeoutMs);
      waiters.push({ n, resolve: () => (clearTimeout(t), resolve()) });
    });
  }
  return state;
}

/**
 * A real slow reader: a raw TCP socket that sends a valid WebSocket upgrade for the stream (offering
 * permessage-deflate) and then never reads a byte. Resolves once the request is written.
 */
export async function openSlowReader(port: number, token: string): Promise<Socket> {
  const socket = createConnection({ host: "127.0.0.1", port });
  socket.on("error", () => {});
  socket.pause();
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write(
    [
      `GET /dashboard/stream?token=${encodeURIComponent(token)} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
      "Sec-WebSocket-Version: 13",
      "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
      "",
      "",
    ].join("\r\n"),
  );
  return socket;
}

/** Samples this process's RSS every 20 ms; `peakGrowth()` is the peak above the first sample. */
export function sampleRss() {
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  return { stop: () => clearInterval(timer), peakGrowth: () => Math.max(peak, process.memoryUsage.rss()) - base };
}

export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error("waitFor: timed out");
    await sleep(10);
  }
}
