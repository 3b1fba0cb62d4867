import { startMockServer, type MockServer } from "@ductor/mock-server";
import { afterEach, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  ConnectionError,
  DashboardClient,
  type ProtocolError,
  TimeoutError,
  type StreamDataEvent,
} from "../src/index.js";
import { countingWebSocket, delay, next, record, until } from "./helpers/stream.js";

const servers: MockServer[] = [];
async function mock(options: Parameters<typeof startMockServer>[0] = {}): Promise<MockServer> {
  const m = await startMockServer({ autoplay: "manual", ...options });
  servers.push(m);
  return m;
}
const streams: Array<{ close(): void }> = [];
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  await Promise.all(servers.splice(0).map((m) => m.close()));
});

const fast = { minDelayMs: 20, maxDelayMs: 200 };
function open(
  m: MockServer,
  opts: Parameters<DashboardClient["stream"]>[0] = {},
  token = m.token,
  extra: Partial<ConstructorParameters<typeof DashboardClient>[0]> = {},
) {
  const s = new DashboardClient({ baseUrl: m.url, token, ...extra }).stream({ ...fast, ...opts });
  streams.push(s);
  return s;
}

const frames: StreamDataEvent[] = [
  { type: "system_status", data: "thinking" },
  { type: "tool_activity", data: "Read" },
  { type: "text_delta", data: "Let me look at the failing test.\n" },
  { type: "tool_activity", data: "" },
  { type: "system_status", data: null },
  { type: "text_delta", data: "Dönë ✓\n\n**[x | claude]**\n" },
];

describe("stream against the mock server", () => {
  it("opens only on the ping frame, then delivers every event once, in order, to listeners and for-await", async () => {
    const m = await mock();
    const s = open(m);
    expect(s.state).toBe("connecting");
    const log = record(s);
    const opened = await next(s, "open");
    expect(opened.connection).toBe(1);
    expect(s.state).toBe("open");

    const iterated: StreamDataEvent[] = [];
    const loop = (async () => {
      for await (const ev of s) iterated.push(ev);
    })();
    const many = Array.from({ length: 500 }, (_, i) => ({ type: "text_delta" as const, data: `chunk ${i}\n` }));
    for (const f of [...frames, ...many]) m.broadcast(f);
    await until(() => iterated.length === frames.length + many.length, 5_000, "all events");
    s.close();
    await loop; // ends on close

    const data = log.filter((e) => e.type !== "open" && e.type !== "close").map((e) => e.ev);
    expect(data).toEqual([...frames, ...many]);
    expect(iterated).toEqual([...frames, ...many]);
    // The wire agrees: every frame the server sent on that connection (after the auth ping), in order.
    const sent = m
      .sent()
      .filter((f) => f.seq > 1)
      .map((f) => JSON.parse(String(f.data)));
    expect(sent).toEqual([...frames, ...many]);
    expect(log.at(-1)).toEqual({ type: "close", ev: { code: 1000, reason: "client closed" } });
    expect(s.state).toBe("closed");
  });

  it("drop → reconnecting (1006) → open → events flow again; the gap shows as connection 2", async () => {
    const m = await mock();
    const s = open(m);
    await next(s, "open");
    m.broadcast({ type: "text_delta", data: "before" });
    const reconnecting = next(s, "reconnecting");
    m.dropAll();
    const r = await reconnecting;
    expect(r).toMatchObject({ attempt: 1, code: 1006 });
    expect(r.delayMs).toBeGreaterThanOrEqual(20);
    expect(r.delayMs).toBeLessThanOrEqual(40);
    expect(r.at).toBeGreaterThan(Date.now() - 100);
    expect(s.state).toBe("reconnecting");
    const reopened = await next(s, "open");
    expect(reopened.connection).toBe(2);
    const got = next(s, "text_delta");
    m.broadcast({ type: "text_delta", data: "after" });
    expect(await got).toEqual({ type: "text_delta", data: "after" });
  });

  it("1008 → error(AuthenticationError) then close, the iterator throws, and no further connection attempt", async () => {
    const m = await mock();
    const ws = countingWebSocket();
    const s = open(m, {}, "wrong-token", { WebSocket: ws.WebSocket });
    const log = record(s);
    const loop = (async () => {
      for await (const _ of s) void _;
    })();
    await expect(loop).rejects.toBeInstanceOf(AuthenticationError);
    await delay(300); // would be several reconnects at 20–200 ms
    expect(ws.count()).toBe(1);
    expect(log.map((e) => e.type)).toEqual(["error", "close"]);
    expect(log[0]!.ev).toBeInstanceOf(AuthenticationError);
    expect(log[1]!.ev).toEqual({ code: 1008, reason: "unauthorized" });
    expect(s.state).toBe("closed");
    expect(m.streamClients()).toBe(0);
  });

  it("1001 on server shutdown → reconnects to a new server on the same port", async () => {
    const m1 = await mock();
    const s = open(m1);
    await next(s, "open");
    const reconnecting = next(s, "reconnecting");
    await m1.close();
    servers.splice(servers.indexOf(m1), 1);
    expect(await reconnecting).toMatchObject({ code: 1001, reason: "server shutdown" });
    const m2 = await mock({ port: m1.port, token: m1.token });
    const reopened = await next(s, "open", 8_000);
    expect(reopened.connection).toBe(2);
    const got = next(s, "text_delta");
    m2.broadcast({ type: "text_delta", data: "new server" });
    expect((await got).data).toBe("new server");
  });

  it("backs off within bounds while the server is down, with injected jitter; a failed handshake carries a ConnectionError", async () => {
    const m = await mock();
    const port = m.port;
    await m.close();
    servers.length = 0;
    const draws = [0, 1, 0.5, 0.25];
    let i = 0;
    const s = new DashboardClient({ baseUrl: `http://127.0.0.1:${port}`, token: "t" }).stream({
      minDelayMs: 10,
      maxDelayMs: 50,
      random: () => draws[i++ % draws.length]!,
    });
    streams.push(s);
    const seen: Array<{ attempt: number; delayMs: number; error?: unknown }> = [];
    s.on("reconnecting", (r) => seen.push(r));
    await until(() => seen.length >= 5, 5_000, "5 reconnect attempts");
    s.close();
    expect(seen.slice(0, 5).map((r) => [r.attempt, r.delayMs])).toEqual([
      [1, 10], // [10, 20] at 0
      [2, 40], // [10, 40] at 1
      [3, 30], // [10, 50] at 0.5 (ceiling capped at 50)
      [4, 20], // [10, 50] at 0.25
      [5, 10],
    ]);
    expect(seen[0]!.error).toBeInstanceOf(ConnectionError);
  });

  it("resets the attempt counter only after stableAfterMs of open", async () => {
    const m = await mock();
    const s = open(m, { stableAfterMs: 300 });
    await next(s, "open");
    let r = next(s, "reconnecting");
    m.dropAll();
    expect((await r).attempt).toBe(1);
    await next(s, "open");
    r = next(s, "reconnecting");
    m.dropAll(); // before stableAfterMs: still failing
    expect((await r).attempt).toBe(2);
    await next(s, "open");
    await delay(400);
    r = next(s, "reconnecting");
    m.dropAll();
    expect((await r).attempt).toBe(1);
  });

  it("malformed frames become ProtocolError events and the stream goes on", async () => {
    const m = await mock({
      faults: { malformed: ["not-json", "binary", "unknown-type", "missing-data", "data-not-string"], malformedEvery: 1 },
    });
    const s = open(m);
    const log = record(s);
    await next(s, "open");
    for (let i = 0; i < 5; i++) m.broadcast({ type: "text_delta", data: `ok ${i}` });
    await until(() => log.filter((e) => e.type === "error").length === 5, 5_000, "5 errors");
    const kinds = log
      .filter((e) => e.type !== "open")
      .map((e) => (e.type === "error" ? (e.ev as Error).constructor.name : (e.ev as StreamDataEvent).data));
    expect(kinds).toEqual([
      "ok 0",
      "ProtocolError",
      "ok 1",
      "ProtocolError",
      "ok 2",
      "ProtocolError",
      "ok 3",
      "ProtocolError",
      "ok 4",
      "ProtocolError",
    ]);
    const messages = log.filter((e) => e.type === "error").map((e) => (e.ev as ProtocolError).message);
    expect(messages[0]).toMatch(/not JSON/);
    expect(messages[1]).toMatch(/binary frame/);
    expect(messages[2]).toMatch(/unknown frame type "mystery_event"/);
    expect(s.state).toBe("open");
    expect(log.some((e) => e.type === "reconnecting")).toBe(false);
  });

  it("stale link (no pings, nothing): terminated after staleAfterMs and reconnected", async () => {
    const m = await mock({ heartbeatMs: 100, faults: { noPing: true } });
    const s = open(m, { staleAfterMs: 300 });
    const opened = await next(s, "open");
    const r = await next(s, "reconnecting", 3_000);
    expect(r.reason).toBe("stale");
    expect(r.error).toBeInstanceOf(TimeoutError);
    expect(Date.now() - opened.at).toBeGreaterThanOrEqual(290);
    m.setFaults({});
    expect((await next(s, "open")).connection).toBe(2);
  });

  it("a quiet but healthy link stays open: protocol pings count as life", async () => {
    const m = await mock({ heartbeatMs: 100 });
    const s = open(m, { staleAfterMs: 300 });
    const log = record(s);
    await next(s, "open");
    await delay(1_000);
    expect(log.map((e) => e.type)).toEqual(["open"]);
    expect(s.state).toBe("open");
  });

  it("browser-style liveness: probes /health when idle; a failed probe forces a reconnect", async () => {
    const m = await mock({ heartbeatMs: 0 });
    let healthCalls = 0;
    let failHealth = false;
    // Real fetch underneath; while failHealth is set, /health goes to a closed port (a real ECONNREFUSED).
    const fetchVia: typeof fetch = (input, init) => {
      const url = String(input);
      if (url.endsWith("/health")) {
        healthCalls++;
        if (failHealth) return fetch("http://127.0.0.1:9/health", init);
      }
      return fetch(input, init);
    };
    const s = open(m, { liveness: "probe", probeAfterMs: 150 }, m.token, { fetch: fetchVia });
    const log = record(s);
    await next(s, "open");
    await delay(500);
    expect(healthCalls).toBeGreaterThanOrEqual(2);
    expect(log.map((e) => e.type)).toEqual(["open"]);
    failHealth = true;
    const r = await next(s, "reconnecting", 3_000);
    expect(r.reason).toBe("probe failed");
    expect(r.error).toBeInstanceOf(ConnectionError);
    failHealth = false;
    expect((await next(s, "open")).connection).toBe(2);
  });

  it("a connection that never sends the ping frame is retried after connectTimeoutMs", async () => {
    // A plain HTTP server that accepts the upgrade but never speaks: the handshake hangs.
    const { createServer } = await import("node:http");
    const sockets: import("node:stream").Duplex[] = [];
    const server = createServer();
    server.on("upgrade", (_req, socket) => sockets.push(socket));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as import("node:net").AddressInfo).port;
    try {
      const s = new DashboardClient({ baseUrl: `http://127.0.0.1:${port}`, token: "t" }).stream({ ...fast, connectTimeoutMs: 200 });
      streams.push(s);
      const r = await next(s, "reconnecting", 3_000);
      expect(r).toMatchObject({ reason: "connect timeout", attempt: 1 });
      expect(r.error).toBeInstanceOf(TimeoutError);
      s.close();
    } finally {
      for (const sock of sockets) sock.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it("close() and abort end it at once: close event once, no timers or sockets left", async () => {
    const m = await mock({ heartbeatMs: 50 });
    const resources = () => {
      const counts: Record<string, number> = {};
      for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
      return counts;
    };
    await delay(20);
    const before = resources();

    const s1 = open(m);
    const closes: unknown[] = [];
    s1.on("close", (c) => closes.push(c));
    await next(s1, "open");
    s1.close();
    s1.close();

    const controller = new AbortController();
    const s2 = open(m, { signal: controller.signal });
    await next(s2, "open");
    const closed2 = next(s2, "close");
    controller.abort();
    expect(await closed2).toEqual({ code: 1000, reason: "aborted" });

    // Also mid-backoff: a pending reconnect timer must go too (30 s: far beyond the wait below, so a timer left
    // behind cannot fire on its own and pass for one that was cleared).
    const s3 = open(m, { minDelayMs: 30_000, maxDelayMs: 30_000 });
    await next(s3, "open");
    const r = next(s3, "reconnecting");
    m.dropAll();
    await r;
    s3.close();

    await until(() => m.streamClients() === 0, 2_000, "server to see all sockets gone");
    // Polled, not after a fixed 50 ms: on a loaded machine ws's own closing-handshake timer can outlive that briefly.
    await expect.poll(resources, { timeout: 10_000 }).toEqual(before);
    expect(closes).toEqual([{ code: 1000, reason: "client closed" }]);
    expect([s1.state, s2.state, s3.state]).toEqual(["closed", "closed", "closed"]);
  });

  it("an already-aborted signal never connects", async () => {
    const m = await mock();
    const ws = countingWebSocket();
    const s = open(m, { signal: AbortSignal.abort() }, m.token, { WebSocket: ws.WebSocket });
    expect(await next(s, "close")).toEqual({ code: 1000, reason: "aborted" });
    expect(ws.count()).toBe(0);
  });

  it("a for-await loop that falls too far behind fails loudly instead of buffering forever", async () => {
    const m = await mock();
    const s = open(m, { maxBufferedEvents: 10 });
    await next(s, "open");
    const it = s[Symbol.asyncIterator]();
    for (let i = 0; i < 15; i++) m.broadcast({ type: "text_delta", data: String(i) });
    await until(() => m.sent().length >= 16, 2_000, "frames sent");
    await delay(50);
    const got: string[] = [];
    await expect(
      (async () => {
        for (;;) {
          const r = await it.next();
          if (r.done) break;
          got.push((r.value as { data: string }).data);
        }
      })(),
    ).rejects.toThrow(/fell 10 events behind/);
    expect(got).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    expect(s.state).toBe("open");
  });
});
