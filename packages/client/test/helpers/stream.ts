import WebSocket from "ws";
import type { DashboardStream, StreamEventMap, StreamEventType, WebSocketConstructor } from "../../src/index.js";

/** Resolves with the next event of `type` (rejects after `ms`, naming what it waited for). */
export function next<K extends StreamEventType>(stream: DashboardStream, type: K, ms = 5_000): Promise<StreamEventMap[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no "${type}" event within ${ms} ms (state ${stream.state})`));
    }, ms);
    const off = stream.on(type, (ev) => {
      clearTimeout(timer);
      off();
      resolve(ev);
    });
  });
}

/** Records every event of every type, in arrival order. */
export function record(stream: DashboardStream): Array<{ type: StreamEventType; ev: unknown }> {
  const log: Array<{ type: StreamEventType; ev: unknown }> = [];
  for (const type of ["text_delta", "tool_activity", "system_status", "open", "reconnecting", "close", "error"] as const) {
    stream.on(type, (ev) => log.push({ type, ev }));
  }
  return log;
}

/** The real `ws` class, counting how many sockets the client opens (nothing else changes). */
export function countingWebSocket(): { WebSocket: WebSocketConstructor; count(): number } {
  let n = 0;
  class Counted extends WebSocket {
    constructor(url: string) {
      super(url);
      n++;
    }
  }
  return { WebSocket: Counted as unknown as WebSocketConstructor, count: () => n };
}

export const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(cond: () => boolean, ms = 5_000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}
