import { afterEach, describe, expect, it } from "vitest";
import { startMockServer, type MockServer, type Recording } from "../src/index.js";
import { connect, sleep, waitFor } from "./helpers.js";

const servers: MockServer[] = [];
async function start(opts: Parameters<typeof startMockServer>[0]): Promise<MockServer> {
  const s = await startMockServer({ token: "t", ...opts });
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const deltas = (n: number, gap = 0): Recording => ({
  header: { ductorRecording: 1, recordedAt: "2026-04-21T10:00:00.000Z", source: "synthetic" },
  entries: Array.from({ length: n }, (_, i) => ({ t: i * gap, event: { type: "text_delta", data: `d${i}` } })),
});
const auth = { authorization: "Bearer t" };

describe("stream faults", () => {
  it("dropAfterEvents terminates (1006) after exactly N events; sent() shows what each socket got", async () => {
    const s = await start({ recording: deltas(10), speed: 0, faults: { dropAfterEvents: 3 } });
    const c = connect(`${s.streamUrl}?token=t`);
    const closed = await c.closed;
    expect(closed.code).toBe(1006);
    expect(c.texts()).toEqual(['{"type": "ping"}', ...[0, 1, 2].map((i) => `{"type": "text_delta", "data": "d${i}"}`)]);
    expect(s.sent().map((f) => f.seq)).toEqual([1, 2, 3, 4]);
  });

  it("dropCloseCode sends a Close frame with that code instead", async () => {
    const s = await start({ recording: deltas(10), speed: 0, faults: { dropAfterEvents: 2, dropCloseCode: 4000 } });
    const c = connect(`${s.streamUrl}?token=t`);
    expect((await c.closed).code).toBe(4000);
    expect(c.frames.length).toBe(3);
  });

  it("dropEveryMs drops each socket T ms after it opened", async () => {
    const s = await start({ faults: { dropEveryMs: 150 } });
    // Timed from before the connect: the server's timer starts after this, so the drop can never come sooner
    // (timing from the client's open event raced it on a stalled event loop). The ceiling leaves room for a
    // busy machine and still tells a 150 ms timer from none.
    const t0 = Date.now();
    const c = connect(`${s.streamUrl}?token=t`);
    await c.opened;
    const closed = await c.closed;
    expect(closed.code).toBe(1006);
    expect(closed.at - t0).toBeGreaterThanOrEqual(140);
    expect(closed.at - t0).toBeLessThan(2_000);
  });

  it("malformed frames are injected round-robin after every N events", async () => {
    const s = await start({
      recording: deltas(6),
      speed: 0,
      faults: { malformed: ["not-json", "binary", "unknown-type", "missing-data", "data-not-string"], malformedEvery: 1 },
    });
    const c = connect(`${s.streamUrl}?token=t`);
    await c.waitFrames(13);
    const injected = c.frames.filter((_, i) => i >= 2 && i % 2 === 0);
    expect(() => JSON.parse(injected[0]!.data as string)).toThrow();
    expect(injected[1]!.binary).toBe(true);
    expect(JSON.parse(injected[2]!.data as string)).toMatchObject({ type: "mystery_event" });
    expect(JSON.parse(injected[3]!.data as string)).toEqual({ type: "text_delta" });
    expect(JSON.parse(injected[4]!.data as string)).toEqual({ type: "text_delta", data: 42 });
    expect(injected[5]!.data).toBe(injected[0]!.data); // round-robin wraps
    // the real events are all there, in order, between the injected ones
    expect(c.frames.filter((_, i) => i % 2 === 1).map((f) => f.data)).toEqual(
      [0, 1, 2, 3, 4, 5].map((i) => `{"type": "text_delta", "data": "d${i}"}`),
    );
  });

  it("noPing: the socket stays open but nothing arrives (no events, no pings, no pongs)", async () => {
    const s = await start({ recording: deltas(5, 10), heartbeatMs: 50, faults: { noPing: true } });
    const c = connect(`${s.streamUrl}?token=t`);
    let pings = 0;
    let pongs = 0;
    c.ws.on("ping", () => pings++);
    c.ws.on("pong", () => pongs++);
    await c.waitFrames(1);
    c.ws.ping();
    await sleep(300);
    expect(c.frames.length).toBe(1); // only the auth ping frame
    expect(pings).toBe(0);
    expect(pongs).toBe(0);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    s.setFaults({});
    c.ws.ping();
    await waitFor(() => pongs > 0, 5_000); // a loaded machine may take longer than any fixed sleep
    expect(pongs).toBe(1);
  });

  it("dropAll terminates or closes with a code; broadcast reaches every authenticated socket", async () => {
    const s = await start({});
    const a = connect(`${s.streamUrl}?token=t`);
    const b = connect(`${s.streamUrl}?token=t`);
    await Promise.all([a.waitFrames(1), b.waitFrames(1)]);
    s.broadcast({ type: "text_delta", data: "ü" });
    s.broadcast("raw text");
    await Promise.all([a.waitFrames(3), b.waitFrames(3)]);
    expect(a.texts().slice(1)).toEqual(['{"type": "text_delta", "data": "\\u00fc"}', "raw text"]);
    expect(
      s
        .sent()
        .filter((f) => f.connection === 2)
        .map((f) => f.seq),
    ).toEqual([1, 2, 3]);
    s.dropAll(4001, "bye");
    expect(await a.closed).toMatchObject({ code: 4001, reason: "bye" });
    const c = connect(`${s.streamUrl}?token=t`);
    await c.waitFrames(1);
    s.dropAll();
    expect((await c.closed).code).toBe(1006);
  });

  it("rejects nonsense faults", async () => {
    await expect(startMockServer({ faults: { dropCloseCode: 1005 } })).rejects.toThrow(/dropCloseCode/);
    await expect(startMockServer({ faults: { malformed: ["nope" as never] } })).rejects.toThrow(/unknown kind/);
  });
});

describe("http faults", () => {
  it("httpStatus answers /dashboard/* after auth; /health and 401 are unaffected", async () => {
    const s = await start({ faults: { httpStatus: 502 } });
    let res = await fetch(`${s.url}/dashboard/status`, { headers: auth });
    expect(res.status).toBe(502);
    expect(await res.text()).toBe("502: Bad Gateway");
    res = await fetch(`${s.url}/dashboard/status`);
    expect(res.status).toBe(401);
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    const ws = connect(`${s.streamUrl}?token=t`);
    await expect(ws.opened).rejects.toThrow("HTTP 502");

    s.setFaults({ httpStatus: 503, htmlErrors: true });
    res = await fetch(`${s.url}/dashboard/logs`, { headers: auth });
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("text/html");
    expect(await res.text()).toContain("<h1>503 Service Unavailable</h1>");

    s.setFaults({ httpStatus: 500 });
    res = await fetch(`${s.url}/dashboard/sessions`, { headers: auth });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("500 Internal Server Error\n\nServer got itself in trouble");

    s.setFaults({});
    expect((await fetch(`${s.url}/dashboard/sessions`, { headers: auth })).status).toBe(200);
  });

  it("httpDelayMs delays every response", async () => {
    const s = await start({ faults: { httpDelayMs: 200 } });
    const t0 = Date.now();
    const res = await fetch(`${s.url}/health`);
    expect(res.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
  });
});
