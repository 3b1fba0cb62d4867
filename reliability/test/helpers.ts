import type { AddressInfo } from "node:net";
import { createServer } from "node:http";
import {
  DashboardClient,
  type DashboardStream,
  type StreamDataEvent,
  type StreamEventMap,
  type StreamEventType,
} from "@ductor/dashboard-client";
import { parseRecording, type MockServer, type Recording } from "@ductor/mock-server";
import WebSocket from "ws";

/** A recording of `count` numbered text deltas, `intervalMs` apart, so that loss, duplication and order show. */
export function numberedRecording(count: number, intervalMs: number): Recording {
  const lines = [
    JSON.stringify({ ductorRecording: 1, recordedAt: new Date(0).toISOString(), source: "synthetic", provider: "claude", model: "opus" }),
  ];
  for (let i = 1; i <= count; i++) {
    const event = i % 10 === 0 ? { type: "tool_activity", data: `Tool${i}` } : { type: "text_delta", data: `event ${i}\n` };
    lines.push(JSON.stringify({ t: i * intervalMs, event }));
  }
  return parseRecording(lines.join("\n"));
}

/** A WebSocket constructor that counts the sockets it opens: real `ws` sockets, only counted. */
export function countingWebSocket(): { WebSocket: typeof WebSocket; count: () => number } {
  let count = 0;
  class Counted extends WebSocket {
    constructor(url: string) {
      super(url);
      count++;
    }
  }
  return { WebSocket: Counted as typeof WebSocket, count: () => count };
}

/** A fetch that counts requests and hands each one to the real platform fetch. */
export function countingFetch(): { fetch: typeof fetch; count: () => number } {
  let count = 0;
  return {
    fetch: (input, init) => {
      count++;
      return fetch(input, init);
    },
    count: () => count,
  };
}

export interface Received {
  /** The client's connection number (from `open`) each event arrived on. */
  connection: number;
  event: StreamDataEvent;
}

/** Records every data event with the connection it arrived on. */
/**
 * What a stream delivered, in order, with the client's connection number. `received.opened` counts the
 * connections the client opened, including ones that carried no data (a reconnect after the last event).
 */
export function recordStream(stream: DashboardStream): Received[] & { opened: number } {
  const received = Object.assign([] as Received[], { opened: 0 });
  let connection = 0;
  stream.on("open", (event) => {
    connection = event.connection;
    received.opened = Math.max(received.opened, connection);
  });
  const push = (event: StreamDataEvent) => received.push({ connection, event });
  stream.on("text_delta", push);
  stream.on("tool_activity", push);
  stream.on("system_status", push);
  return received;
}

const DATA_TYPES = new Set(["text_delta", "tool_activity", "system_status"]);

/**
 * What the mock sent, as data events per connection in the order it opened them (server connection numbers
 * are global; with one client the k-th server connection is the client's k-th).
 */
export function sentByConnection(server: MockServer): StreamDataEvent[][] {
  const byConnection = new Map<number, StreamDataEvent[]>();
  for (const frame of server.sent()) {
    if (!byConnection.has(frame.connection)) byConnection.set(frame.connection, []);
    if (typeof frame.data !== "string") continue;
    let parsed: { type?: unknown; data?: unknown };
    try {
      parsed = JSON.parse(frame.data) as typeof parsed;
    } catch {
      continue;
    }
    if (typeof parsed.type === "string" && DATA_TYPES.has(parsed.type)) {
      byConnection.get(frame.connection)!.push({ type: parsed.type, data: parsed.data } as StreamDataEvent);
    }
  }
  return [...byConnection.entries()].sort((a, b) => a[0] - b[0]).map(([, events]) => events);
}

/** What a stream delivered, per connection; `opened` connections appear even when they carried nothing. */
export function receivedByConnection(received: Received[], opened = 0): StreamDataEvent[][] {
  const out: StreamDataEvent[][] = Array.from({ length: opened }, () => []);
  for (const { connection, event } of received) (out[connection - 1] ??= []).push(event);
  return out;
}

export function client(server: MockServer, extra: Partial<ConstructorParameters<typeof DashboardClient>[0]> = {}): DashboardClient {
  return new DashboardClient({ baseUrl: server.url, token: server.token, ...extra });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true, or fails with `what` after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(10);
  }
}

/** Waits for the stream's next event of `type` and resolves with it. */
export function next<T extends StreamEventType>(stream: DashboardStream, type: T): Promise<StreamEventMap[T]> {
  return new Promise((resolve) => {
    const off = stream.on(type, (event) => {
      off();
      resolve(event);
    });
  });
}

/**
 * A bare HTTP peer whose every answer is set by the test: for bodies ductor's server (and so the mock) never
 * sends, like an empty or truncated JSON body behind a broken proxy. Still a real socket.
 */
export async function rawPeer(): Promise<{
  url: string;
  answer(status: number, contentType: string | null, body: string | Uint8Array): void;
  requests: () => number;
  close(): Promise<void>;
}> {
  let reply: { status: number; contentType: string | null; body: string | Uint8Array } = {
    status: 200,
    contentType: "application/json; charset=utf-8",
    body: "{}",
  };
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    const headers: Record<string, string> = {};
    if (reply.contentType) headers["content-type"] = reply.contentType;
    res.writeHead(reply.status, headers).end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    answer: (status, contentType, body) => (reply = { status, contentType, body }),
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
