/**
 * The relay's viewer stream over real sockets: the real mock server as ductor, the real relay
 * (startDashboardServer with a token), raw `ws` viewers. What is checked is the wire contract of issue 11.
 */
import { startMockServer } from "@ductor/mock-server";
import { afterEach, describe, expect, it } from "vitest";
import { startDashboardServer, type DashboardServer } from "../src/serve.js";
import { rawExchange, rawRequestText, upgradeHeaders } from "./serve-support.js";
import { FAST_UPSTREAM, FakeStore, type Frame, ViewerSocket, viewerUrl, waitFor } from "./relay-support.js";
import { siteDir } from "./helpers.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(opts: { store?: FakeStore; mockToken?: string } = {}) {
  const mock = await startMockServer({ ...(opts.mockToken ? { token: opts.mockToken } : {}) });
  const store = opts.store ?? new FakeStore();
  const token = mock.token;
  const dash = await startDashboardServer({ ductor: mock.url, siteDir, token, historyStore: store, relay: FAST_UPSTREAM });
  const state = { mock };
  cleanups.push(
    () => dash.close(),
    () => state.mock.close(),
  );
  return { state, mock, store, dash, token };
}

function viewer(dash: DashboardServer, token: string, since?: number): ViewerSocket {
  const v = new ViewerSocket(viewerUrl(dash.url, token, since));
  cleanups.push(() => v.ws.terminate());
  return v;
}

const connected = (dash: DashboardServer) => waitFor(() => dash.relay?.stats().upstream === "connected", 10_000, "upstream connected");
const texts = (frames: Frame[]) => frames.filter((f) => f.type === "text_delta").map((f) => f.data);

/** seq strictly +1 from frame to frame (no hole, no duplicate). */
function expectContiguous(frames: Frame[]): void {
  const seqs = frames.map((f) => f.seq!);
  const bad = seqs.findIndex((s, i) => i > 0 && s !== seqs[i - 1]! + 1);
  expect(bad, `seq breaks at index ${bad}: ${seqs.slice(Math.max(0, bad - 3), bad + 3).join(",")}`).toBe(-1);
}

describe("the relay's viewer stream", () => {
  it("starts with a ping carrying relay info, then ductor's frames with seq and at", async () => {
    const { mock, dash, token } = await setup();
    await connected(dash);
    const v = viewer(dash, token);
    await v.until((f) => f.length >= 1);
    expect(v.frames[0]).toEqual({ type: "ping", relay: { version: 1, head: 1, oldest: 1 } }); // seq 1: "connected"
    const before = Date.now();
    mock.broadcast({ type: "text_delta", data: "hello" });
    mock.broadcast({ type: "tool_activity", data: "Shell" });
    mock.broadcast({ type: "system_status", data: null });
    mock.broadcast({ type: "future_kind", data: { nested: true } }); // a type ductor may add later
    await v.until((f) => f.length >= 5);
    const [a, b, c, d] = v.frames.slice(1);
    expect(a).toEqual({ type: "text_delta", data: "hello", seq: 2, at: expect.any(Number) });
    expect(a!.at!).toBeGreaterThanOrEqual(before - 5);
    expect(a!.at!).toBeLessThanOrEqual(Date.now());
    expect(b).toMatchObject({ type: "tool_activity", data: "Shell", seq: 3 });
    expect(c).toMatchObject({ type: "system_status", data: null, seq: 4 });
    expect(d).toMatchObject({ type: "future_kind", data: '{"nested":true}', seq: 5 });
    // A late viewer with since=0 gets the same history, the "connected" row first.
    const late = viewer(dash, token, 0);
    await late.until((f) => f.length >= 6);
    expect(late.frames[0]).toEqual({ type: "ping", relay: { version: 1, head: 5, oldest: 1 } });
    expect(late.frames[1]).toMatchObject({ type: "upstream", data: "connected", seq: 1 });
    expect(late.frames.slice(2)).toEqual(v.frames.slice(1));
  });

  it("records upstream rows when ductor restarts, and seq goes on", async () => {
    const { state, mock, dash, token } = await setup();
    await connected(dash);
    const v = viewer(dash, token);
    await v.until((f) => f.length >= 1);
    mock.broadcast({ type: "text_delta", data: "before" });
    await v.until((f) => texts(f).includes("before"));
    const port = mock.port;
    await mock.close(); // 1001 server shutdown
    await waitFor(() => dash.relay?.stats().upstream === "disconnected", 5_000, "disconnected");
    await new Promise((r) => setTimeout(r, 300)); // a few failed reconnects: still one "disconnected" row
    state.mock = await startMockServer({ port, token });
    await connected(dash);
    state.mock.broadcast({ type: "text_delta", data: "after" });
    await v.until((f) => texts(f).includes("after"));
    const numbered = v.numbered();
    expect(numbered.map((f) => [f.type, f.data])).toEqual([
      ["text_delta", "before"],
      ["upstream", "disconnected"],
      ["upstream", "connected"],
      ["text_delta", "after"],
    ]);
    expectContiguous(numbered);
    expect(numbered[0]!.seq).toBe(2);
  });

  it("a viewer dropped mid-burst resumes with since: contiguous seq, nothing duplicated or missing, while ingest runs", async () => {
    const { mock, dash, token } = await setup();
    await connected(dash);
    const TOTAL = 6_000;
    let sent = 0;
    // ductor's burst, in slices so that the relay, the viewers and the drops interleave with it.
    const burst = (async () => {
      while (sent < TOTAL) {
        for (let i = 0; i < 20 && sent < TOTAL; i++) mock.broadcast({ type: "text_delta", data: `line ${++sent}` });
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    const received: Frame[] = [];
    let current = viewer(dash, token, 0);
    let drops = 0;
    const resumes: { since: number; headThen: number; viewer: ViewerSocket }[] = [];
    // Drop it three times: twice from the viewer's side (terminate → 1006), once by the relay.
    for (const at of [1_000, 2_500, 4_000]) {
      await current.until((f) => received.length + f.filter((x) => x.seq !== undefined).length >= at, 20_000, `seq ${at}`);
      if (drops === 1) dash.relay!.dropViewers();
      else current.ws.terminate();
      drops += 1;
      await current.closed;
      received.push(...current.numbered());
      const since = received.at(-1)!.seq!;
      // Reconnect once ingest has moved on, so the resume has history to catch up on while the burst goes on.
      await waitFor(() => dash.relay!.stats().head >= since + 100, 10_000, "ingest moving on");
      current = viewer(dash, token, since);
      resumes.push({ since, headThen: dash.relay!.stats().head, viewer: current });
    }
    await burst;
    await current.until((f) => texts(received).length + texts(f).length >= TOTAL, 20_000, "the whole burst");
    received.push(...current.numbered());
    expectContiguous(received);
    expect(received[0]).toMatchObject({ type: "upstream", data: "connected", seq: 1 });
    expect(texts(received)).toEqual(Array.from({ length: TOTAL }, (_, i) => `line ${i + 1}`));
    expect(current.frames.filter((f) => f.type === "gap")).toEqual([]);
    // The resumes really happened mid-burst, and each had history to catch up on before going live.
    const midBurst = resumes.filter((r) => r.headThen < TOTAL + 1);
    expect(midBurst.length, JSON.stringify(resumes.map((r) => r.headThen))).toBeGreaterThanOrEqual(2);
    for (const r of resumes) expect(r.viewer.frames[0]!.relay!.head).toBeGreaterThanOrEqual(r.since);
    for (const r of resumes) expect(r.viewer.frames[0]!.relay!.head).toBeGreaterThanOrEqual(r.since + 100);
  });

  it("since older than retention: a gap frame, then what is left, then live", async () => {
    const store = new FakeStore();
    const { mock, dash, token } = await setup({ store });
    await connected(dash);
    for (let i = 1; i <= 100; i++) mock.broadcast({ type: "text_delta", data: `old ${i}` });
    await waitFor(() => store.head() === 101, 5_000, "100 events stored");
    store.prune(61); // retention removed seq 1..60
    const v = viewer(dash, token, 10);
    await v.until((f) => f.length >= 2 + 41);
    mock.broadcast({ type: "text_delta", data: "live" });
    await v.until((f) => texts(f).includes("live"));
    expect(v.frames[0]).toEqual({ type: "ping", relay: { version: 1, head: 101, oldest: 61 } });
    expect(v.frames[1]).toEqual({ type: "gap", from_seq: 11, to_seq: 60 });
    const numbered = v.numbered();
    expect(numbered[0]).toMatchObject({ seq: 61, data: "old 60" });
    expectContiguous(numbered);
    expect(numbered.at(-1)).toMatchObject({ seq: 102, data: "live" });
    // since inside what is kept: no gap.
    const w = viewer(dash, token, 90);
    await w.until((f) => f.length >= 1 + 12);
    expect(w.frames.filter((f) => f.type === "gap")).toEqual([]);
    expect(w.numbered()[0]!.seq).toBe(91);
  });

  it("since beyond head: live only (the ping's head tells the viewer its since is from another history)", async () => {
    const { mock, dash, token } = await setup();
    await connected(dash);
    const v = viewer(dash, token, 500);
    await v.until((f) => f.length >= 1);
    expect(v.frames[0]).toEqual({ type: "ping", relay: { version: 1, head: 1, oldest: 1 } });
    mock.broadcast({ type: "text_delta", data: "x" });
    await v.until((f) => f.length >= 2);
    expect(v.frames[1]).toMatchObject({ type: "text_delta", data: "x", seq: 2 });
  });

  it("a bad token: 101, then Close 1008 unauthorized, and no data frame", async () => {
    const { dash, token } = await setup();
    await connected(dash);
    for (const bad of ["wrong", "", `${token}x`, token.slice(0, -1)]) {
      const v = viewer(dash, bad);
      await v.opened;
      expect(await v.closed).toEqual({ code: 1008, reason: "unauthorized" });
      expect(v.frames).toEqual([]);
    }
    const none = new ViewerSocket(viewerUrl(dash.url, token).replace(/\?.*$/, ""));
    cleanups.push(() => none.ws.terminate());
    expect((await none.closed).code).toBe(1008);
  });

  it("a malformed since is a 400 on the upgrade (with a good token; a bad token still gets 1008)", async () => {
    const { dash, token } = await setup();
    const ask = (query: string) =>
      rawExchange(dash.port, rawRequestText("GET", `/dashboard/stream?${query}`, upgradeHeaders(`127.0.0.1:${dash.port}`)), {
        untilMatch: /\r\n\r\n/,
        timeoutMs: 3_000,
      });
    for (const since of ["-1", "abc", "1.5", "1e3", "", "0x10", "99999999999999999999", "1&since=2"]) {
      const res = await ask(`token=${token}&since=${since}`);
      expect(res.status, since).toBe(400);
      expect(res.body).toMatch(/since/);
    }
    expect((await ask("token=wrong&since=abc")).status).toBe(101);
    expect((await ask(`token=${token}&since=0`)).status).toBe(101);
  });

  it("ductor refusing the token is recorded as an upstream 'refused' row; viewers stay connected", async () => {
    const mock = await startMockServer({ token: "ductor-has-another" });
    const store = new FakeStore();
    const dash = await startDashboardServer({ ductor: mock.url, siteDir, token: "relay-token", historyStore: store, relay: FAST_UPSTREAM });
    cleanups.push(
      () => dash.close(),
      () => mock.close(),
    );
    await waitFor(() => dash.relay?.stats().upstream === "refused", 5_000, "refused");
    const v = viewer(dash, "relay-token", 0);
    await v.until((f) => f.length >= 2);
    expect(v.numbered()).toEqual([{ type: "upstream", data: "refused", seq: 1, at: expect.any(Number) }]);
    await new Promise((r) => setTimeout(r, 300));
    expect(store.head()).toBe(1); // not retried
    expect(v.ws.readyState).toBe(v.ws.OPEN);
  });

  it("on shutdown: a last 'disconnected' row, and viewers get 1001", async () => {
    const { dash, token, store } = await setup();
    await connected(dash);
    const v = viewer(dash, token);
    await v.until((f) => f.length >= 1);
    await dash.close();
    expect((await v.closed).code).toBe(1001);
    expect(store.events.at(-1)).toMatchObject({ type: "upstream", data: "disconnected" });
  });
});
