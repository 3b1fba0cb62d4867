import { startMockServer, type MockServer } from "@ductor/mock-server";
import WebSocket from "ws";
import { afterEach, describe, expect, it } from "vitest";
import {
  DashboardClient,
  type DashboardStream,
  type GapEvent,
  type OpenEvent,
  ProtocolError,
  type StreamDataEvent,
  type StreamOptions,
  type WebSocketConstructor,
} from "../src/index.js";
import { startRelayPeer, type RelayPeer } from "./helpers/relay.js";
import { delay, next, until } from "./helpers/stream.js";

// The stream against a relay (the test peer in helpers/relay.ts, real sockets) and, for contrast, against
// plain ductor (the real mock server): what it detects, what it sends in the URL, and what it delivers.

const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function relay(): Promise<RelayPeer> {
  const peer = await startRelayPeer();
  closers.push(() => peer.close());
  return peer;
}

/** The real `ws`, recording the URL of every socket the client opens (the request the server receives). */
function recordingWebSocket(): { WebSocket: WebSocketConstructor; urls: string[] } {
  const urls: string[] = [];
  class Recorded extends WebSocket {
    constructor(url: string, protocols?: string | string[], options?: WebSocket.ClientOptions) {
      super(url, protocols, options);
      urls.push(url);
    }
  }
  return { WebSocket: Recorded as unknown as WebSocketConstructor, urls };
}

function open(server: { url: string; token: string }, opts: StreamOptions = {}, WebSocketImpl?: WebSocketConstructor): DashboardStream {
  const client = new DashboardClient({ baseUrl: server.url, token: server.token, ...(WebSocketImpl ? { WebSocket: WebSocketImpl } : {}) });
  const s = client.stream({ minDelayMs: 20, maxDelayMs: 100, ...opts });
  closers.push(() => s.close());
  return s;
}

/** Every data event (incl. upstream) the listeners get, in order. */
function collect(s: DashboardStream): StreamDataEvent[] {
  const got: StreamDataEvent[] = [];
  for (const type of ["text_delta", "tool_activity", "system_status", "upstream"] as const) s.on(type, (ev) => got.push(ev));
  return got;
}
const seqs = (events: StreamDataEvent[]) => events.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const sinceOf = (url: string) => new URL(url, "http://x").searchParams.get("since");

describe("stream against a relay", () => {
  it("detects the relay from its ping and delivers seq and at on every event, upstream rows included", async () => {
    const peer = await relay();
    peer.append("text_delta", "before we connected");
    const s = open(peer);
    expect(s.relay).toBeNull();
    const got = collect(s);
    const iterated: StreamDataEvent[] = [];
    const loop = (async () => {
      for await (const ev of s) iterated.push(ev);
    })();
    const opened = await next(s, "open");
    expect(opened).toEqual({ at: expect.any(Number), connection: 1, relay: { version: 1, head: 1, oldest: 1 }, resumed: false });
    expect(s.relay).toEqual({ version: 1, head: 1, oldest: 1 });
    // Without since the relay sends live events only; the stream knows it has everything up to the head.
    expect(s.lastSeq).toBe(1);
    expect(peer.upgrades).toHaveLength(1);
    expect(sinceOf(peer.upgrades[0]!)).toBeNull();

    const before = Date.now();
    peer.append("system_status", "thinking");
    peer.append("text_delta", "Hello\n");
    peer.append("upstream", "disconnected");
    peer.append("upstream", "connected");
    peer.append("system_status", null);
    await until(() => got.length === 5, 5_000, "five events");
    expect(got).toEqual([
      { type: "system_status", data: "thinking", seq: 2, at: expect.any(Number) },
      { type: "text_delta", data: "Hello\n", seq: 3, at: expect.any(Number) },
      { type: "upstream", data: "disconnected", seq: 4, at: expect.any(Number) },
      { type: "upstream", data: "connected", seq: 5, at: expect.any(Number) },
      { type: "system_status", data: null, seq: 6, at: expect.any(Number) },
    ]);
    for (const ev of got) expect(ev.at).toBeGreaterThanOrEqual(before - 1);
    expect(s.lastSeq).toBe(6);
    s.close();
    await loop;
    expect(iterated).toEqual(got); // `for await` yields the upstream rows too: seq counts exactly these
  });

  it("resumes after a server-side drop mid-burst: contiguous seq, nothing duplicated or missing", async () => {
    const peer = await relay();
    const s = open(peer);
    const got = collect(s);
    const opens: OpenEvent[] = [];
    s.on("open", (ev) => opens.push(ev));
    await next(s, "open");

    const total = 3_000;
    let dropped = 0;
    let cutInFlight = 0;
    for (let i = 1; i <= total; i++) {
      peer.append("text_delta", `chunk ${i}\n`);
      // Drop every socket three times mid-burst, with frames still in flight; keep appending while nobody is connected.
      if (i % 800 === 0) {
        expect(peer.clients()).toBe(1);
        if (got.length < i) cutInFlight++; // frames sent but not received yet: only a resume brings them back
        peer.terminateAll();
        dropped++;
      }
      // Reconnected (resumed, catching up) before the next drop, which then cuts the catch-up or live frames.
      if (i % 800 === 700) await until(() => peer.clients() === 1, 5_000, "the client back");
      if (i % 50 === 0) await delay(1);
    }
    await until(() => got.length >= total && s.state === "open", 15_000, `all ${total} events (have ${got.length})`);
    await delay(50);
    expect(dropped).toBe(3);
    expect(cutInFlight).toBeGreaterThanOrEqual(1);
    expect(seqs(got)).toEqual(range(1, total));
    expect(got.map((e) => e.data)).toEqual(range(1, total).map((i) => `chunk ${i}\n`));

    // Every reconnect asked for the seq after the last one delivered, and was told it lost nothing.
    expect(opens.length).toBeGreaterThanOrEqual(4);
    for (const [i, ev] of opens.entries()) {
      if (i === 0) continue;
      expect(ev).toMatchObject({ connection: i + 1, resumed: true, since: expect.any(Number) });
      expect(sinceOf(peer.upgrades[i]!)).toBe(String(ev.since));
    }
  });

  it("resumes from the relay's head when it dropped before any event arrived", async () => {
    const peer = await relay();
    for (let i = 0; i < 5; i++) peer.append("text_delta", `old ${i}`);
    const s = open(peer);
    const got = collect(s);
    await next(s, "open");
    peer.terminateAll();
    await next(s, "reconnecting");
    peer.append("text_delta", "while away"); // seq 6
    const again = await next(s, "open");
    expect(again).toMatchObject({ connection: 2, resumed: true, since: 5 });
    await until(() => got.length === 1);
    expect(got).toEqual([{ type: "text_delta", data: "while away", seq: 6, at: expect.any(Number) }]);
  });

  it("starts from the caller's since: retained events first, then live; a gap frame when some were pruned", async () => {
    const peer = await relay();
    for (let i = 1; i <= 10; i++) peer.append("text_delta", `e${i}`);
    peer.prune(6); // 1..5 are gone
    const s = open(peer, { since: 2 });
    const log: Array<{ type: string; ev: unknown }> = [];
    for (const type of ["open", "gap", "text_delta", "error"] as const) s.on(type, (ev) => log.push({ type, ev }));
    await until(() => log.length >= 7, 5_000, "open, gap and five retained events");
    expect(sinceOf(peer.upgrades[0]!)).toBe("2");
    expect(log[0]).toMatchObject({ type: "open", ev: { resumed: false, since: 2, relay: { head: 10, oldest: 6 } } });
    expect(log[1]).toEqual({ type: "gap", ev: { type: "gap", fromSeq: 3, toSeq: 5 } satisfies GapEvent });
    expect(log.slice(2).map((l) => (l.ev as StreamDataEvent).seq)).toEqual([6, 7, 8, 9, 10]);
    peer.append("text_delta", "live");
    await until(() => log.length === 8);
    expect(log[7]).toMatchObject({ type: "text_delta", ev: { seq: 11, data: "live" } });
  });

  it("takes a since at or beyond the relay's head: only live events, resumed only when the relay numbered it", async () => {
    const peer = await relay();
    for (let i = 1; i <= 3; i++) peer.append("text_delta", `e${i}`);
    const atHead = open(peer, { since: 3 });
    expect(await next(atHead, "open")).toMatchObject({ resumed: true, since: 3 });
    const beyond = open(peer, { since: 50 }); // the relay's history was reset since that page last looked
    const errors: unknown[] = [];
    beyond.on("error", (e) => errors.push(e));
    expect(await next(beyond, "open")).toMatchObject({ resumed: false, since: 50 });
    const got = collect(beyond);
    peer.append("text_delta", "live");
    await until(() => got.length === 1);
    expect(got[0]).toMatchObject({ seq: 4 });
    expect(beyond.lastSeq).toBe(4);
    expect(errors).toEqual([]);
  });

  it("reports an ill-typed seq as a ProtocolError and still delivers the frame, without it; the resume point stays", async () => {
    const peer = await relay();
    const s = open(peer);
    const got = collect(s);
    const errors: unknown[] = [];
    s.on("error", (e) => errors.push(e));
    await next(s, "open");
    peer.append("text_delta", "good"); // seq 1
    peer.broadcastRaw('{"type": "text_delta", "data": "bad seq", "seq": "2", "at": 5}');
    await until(() => got.length === 2);
    expect(got[1]).toEqual({ type: "text_delta", data: "bad seq", at: 5 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ProtocolError);
    expect((errors[0] as Error).message).toMatch(/text_delta\.seq must be a non-negative integer; delivered without it/);
    expect(s.lastSeq).toBe(1);
  });

  it("treats a relay it cannot speak to (version 2) as plain ductor: an error event, no since on reconnect", async () => {
    const peer = await relay();
    peer.relayInfo = () => ({ version: 2, head: 5, oldest: 1 });
    const s = open(peer);
    const error = next(s, "error");
    const opened = await next(s, "open");
    expect(await error).toBeInstanceOf(ProtocolError);
    expect(opened).toMatchObject({ relay: null, resumed: false });
    peer.broadcastRaw('{"type": "text_delta", "data": "x", "seq": 6, "at": 1}');
    await delay(30);
    peer.terminateAll();
    await next(s, "open");
    expect(peer.upgrades.map(sinceOf)).toEqual([null, null]);
  });
});

describe("stream against plain ductor (the mock server)", () => {
  async function mock(): Promise<MockServer> {
    const m = await startMockServer({ autoplay: "manual" });
    closers.push(() => m.close());
    return m;
  }

  it("sends no since, sees no relay, numbers nothing, and reconnects as before (a gap)", async () => {
    const m = await mock();
    const ws = recordingWebSocket();
    const s = open(m, {}, ws.WebSocket);
    const got = collect(s);
    expect(await next(s, "open")).toEqual({ at: expect.any(Number), connection: 1, relay: null, resumed: false });
    m.broadcast({ type: "text_delta", data: "one" });
    await until(() => got.length === 1);
    m.dropAll();
    const again = await next(s, "open");
    expect(again).toEqual({ at: expect.any(Number), connection: 2, relay: null, resumed: false });
    m.broadcast({ type: "text_delta", data: "two" });
    await until(() => got.length === 2);
    expect(got).toEqual([
      { type: "text_delta", data: "one" },
      { type: "text_delta", data: "two" },
    ]);
    expect(got.every((e) => !("seq" in e) && !("at" in e))).toBe(true);
    expect(ws.urls).toHaveLength(2);
    for (const url of ws.urls) {
      expect(sinceOf(url)).toBeNull();
      expect(new URL(url).searchParams.get("token")).toBe(m.token);
    }
    expect(s.relay).toBeNull();
    expect(s.lastSeq).toBeUndefined();
  });

  it("sends a caller's since only until the server proves to be plain ductor, which ignores it", async () => {
    const m = await mock();
    const ws = recordingWebSocket();
    const s = open(m, { since: 7 }, ws.WebSocket);
    expect(await next(s, "open")).toMatchObject({ relay: null, resumed: false });
    m.dropAll();
    await next(s, "open");
    expect(ws.urls.map(sinceOf)).toEqual(["7", null]);
  });

  it("refuses a since that is not a non-negative integer, before connecting", () => {
    const client = new DashboardClient({ baseUrl: "http://127.0.0.1:9", token: "t" });
    for (const since of [-1, 1.5, Number.NaN, "3" as unknown as number]) {
      expect(() => client.stream({ since })).toThrow(TypeError);
    }
  });
});
