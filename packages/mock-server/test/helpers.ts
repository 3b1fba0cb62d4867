/** Test helpers: a WebSocket client that records every frame and the close, over a real socket. */
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
