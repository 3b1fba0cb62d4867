import { afterEach, describe, expect, it } from "vitest";
import { startMockServer, type MockServer, type Recording } from "../src/index.js";
import { connect, sleep, waitFor } from "./helpers.js";

const servers: MockServer[] = [];
async function start(opts: Parameters<typeof startMockServer>[0]): Promise<MockServer> {
  const s = await startMockServer(opts);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const rec = (events: [number, string, unknown][]): Recording => ({
  header: { ductorRecording: 1, recordedAt: "2026-04-21T10:00:00.000Z", source: "synthetic", provider: "claude", model: "opus" },
  entries: events.map(([t, type, data]) => ({ t, event: { type, data } })),
});

describe("handshake", () => {
  it("bad or missing token: 101, then Close 1008 unauthorized, no data frame", async () => {
    const s = await start({ token: "good" });
    for (const q of ["?token=bad", "", "?token="]) {
      const c = connect(s.streamUrl + q);
      await c.opened; // the upgrade succeeded
      const closed = await c.closed;
      expect(closed.code).toBe(1008);
      expect(closed.reason).toBe("unauthorized");
      expect(c.frames).toEqual([]);
    }
    expect(s.streamClients()).toBe(0);
    expect(s.sent()).toEqual([]);
  });

  it("a non-ASCII token fails the handshake with a 500", async () => {
    const s = await start({ token: "good" });
    const c = connect(`${s.streamUrl}?token=${encodeURIComponent("sécret")}`);
    await expect(c.opened).rejects.toThrow("HTTP 500");
  });

  it('good token: {"type": "ping"} first, counted in /dashboard/status', async () => {
    const s = await start({ token: "good" });
    const c = connect(`${s.streamUrl}?token=good`);
    await c.waitFrames(1);
    expect(c.texts()).toEqual(['{"type": "ping"}']);
    expect(s.streamClients()).toBe(1);
    const status = (await (await fetch(`${s.url}/dashboard/status`, { headers: { authorization: "Bearer good" } })).json()) as {
      dashboard_connections: number;
    };
    expect(status.dashboard_connections).toBe(1);
    expect(s.sent()).toMatchObject([{ connection: 1, seq: 1, data: '{"type": "ping"}' }]);
  });

  it("protocol pings every heartbeat; a client that does not pong is dropped (1006)", async () => {
    // The pong is due within half a heartbeat; 400 ms leaves a loaded machine 200 ms to answer from this process.
    const s = await start({ token: "t", heartbeatMs: 400 });
    const c = connect(`${s.streamUrl}?token=t`);
    let pings = 0;
    c.ws.on("ping", () => pings++);
    await waitFor(() => pings >= 2, 10_000);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    const mute = connect(`${s.streamUrl}?token=t`, { autoPong: false });
    const closed = await mute.closed;
    expect(closed.code).toBe(1006);
  });
});

describe("replay", () => {
  it("plays events in order after the ping, python-encoded, with timing scaled by speed", async () => {
    const s = await start({
      token: "t",
      speed: 2,
      recording: rec([
        [0, "system_status", "thinking"],
        [400, "text_delta", "héllo 👋\n"],
        [1200, "tool_activity", ""],
        [1600, "system_status", null],
      ]),
    });
    const c = connect(`${s.streamUrl}?token=t`);
    await c.waitFrames(5);
    expect(c.texts()).toEqual([
      '{"type": "ping"}',
      '{"type": "system_status", "data": "thinking"}',
      '{"type": "text_delta", "data": "h\\u00e9llo \\ud83d\\udc4b\\n"}',
      '{"type": "tool_activity", "data": ""}',
      '{"type": "system_status", "data": null}',
    ]);
    // When the server sent each event, from its ping (the replay starts right after it). Halved by speed 2.
    // A timer is never early, only late on a busy machine: so never sooner than the scaled offset, and at most
    // 300 ms after it (unscaled, the last two would come 600 and 800 ms after theirs).
    const sent = s.sent().filter((f) => f.connection === 1);
    const offsets = sent.slice(1).map((f) => f.at - sent[0]!.at);
    const expected = [0, 200, 600, 800];
    for (const [i, o] of offsets.entries()) {
      expect(o, `event ${i} at ${offsets.join(", ")}`).toBeGreaterThanOrEqual(expected[i]! - 2);
      expect(o, `event ${i} at ${offsets.join(", ")}`).toBeLessThan(expected[i]! + 300);
    }
    await s.replay.done;
    expect(s.replay.position).toBe(4);
  });

  it("speed 0 plays everything as fast as possible without losing frames", async () => {
    const events: [number, string, unknown][] = Array.from({ length: 3000 }, (_, i) => [i * 1000, "text_delta", `chunk ${i}\n`]);
    const s = await start({ token: "t", speed: 0, recording: rec(events) });
    const c = connect(`${s.streamUrl}?token=t`);
    await c.waitFrames(3001, 10_000);
    expect(c.texts().slice(1)).toEqual(events.map(([, , d]) => `{"type": "text_delta", "data": "chunk ${(d as string).slice(6, -1)}\\n"}`));
    expect(c.frames.at(-1)!.at - c.frames[0]!.at).toBeLessThan(3000);
    const mine = s.sent().filter((f) => f.connection === 1);
    expect(mine.map((f) => f.seq)).toEqual(Array.from({ length: 3001 }, (_, i) => i + 1));
  });

  it("maxIdleMs caps long gaps", async () => {
    const s = await start({
      token: "t",
      maxIdleMs: 50,
      recording: rec([
        [0, "text_delta", "a"],
        [60_000, "text_delta", "b"],
        [120_000, "text_delta", "c"],
      ]),
    });
    const c = connect(`${s.streamUrl}?token=t`);
    await c.waitFrames(4, 10_000);
    // Two gaps capped to 50 ms. On the server's clock the last event comes no sooner than 100 ms after the ping
    // (the replay starts right after it; the cap is a wait, not a skip; a late first timer may shorten the gap
    // after it, not the schedule), and well under a second after the first even when a busy machine stalls a
    // timer (uncapped it would be two minutes).
    const sent = s.sent().filter((f) => f.connection === 1);
    expect(sent[3]!.at - sent[0]!.at).toBeGreaterThanOrEqual(100);
    expect(c.frames[3]!.at - c.frames[1]!.at).toBeLessThan(1_000);
  });

  it("loop starts over at the end", async () => {
    const s = await start({
      token: "t",
      loop: true,
      speed: 0,
      recording: rec([
        [0, "text_delta", "a"],
        [10, "text_delta", "b"],
      ]),
    });
    const c = connect(`${s.streamUrl}?token=t`);
    await c.waitFrames(12);
    const events = c.texts().filter((t) => t.includes("text_delta"));
    expect(events.slice(0, 6)).toEqual(Array.from({ length: 6 }, (_, i) => `{"type": "text_delta", "data": "${"ab"[i % 2]}"}`));
  });

  it("a looping replay marks each restart with a system_status label, then clears it", async () => {
    const s = await start({
      token: "t",
      loop: true,
      speed: 0,
      recording: rec([
        [0, "text_delta", "a"],
        [10, "text_delta", "b"],
      ]),
    });
    const c = connect(`${s.streamUrl}?token=t`);
    await c.waitFrames(1 + 4 + 4 + 2);
    s.replay.pause();
    const restart = '{"type": "system_status", "data": "replay restarted"}';
    const clear = '{"type": "system_status", "data": null}';
    const a = '{"type": "text_delta", "data": "a"}';
    const b = '{"type": "text_delta", "data": "b"}';
    const mine = s
      .sent()
      .filter((f) => f.connection === 1)
      .map((f) => f.data);
    expect(mine.slice(0, 11)).toEqual(['{"type": "ping"}', a, b, restart, clear, a, b, restart, clear, a, b]);
  });

  it("a replay without loop sends no restart marker", async () => {
    const s = await start({
      token: "t",
      speed: 0,
      recording: rec([
        [0, "text_delta", "a"],
        [10, "text_delta", "b"],
      ]),
    });
    const c = connect(`${s.streamUrl}?token=t`);
    await s.replay.done;
    await c.waitFrames(3);
    await sleep(30);
    expect(c.texts()).toEqual(['{"type": "ping"}', '{"type": "text_delta", "data": "a"}', '{"type": "text_delta", "data": "b"}']);
  });

  it("autoplay manual waits for replay.start(); pause() stops; first-client waits for a client", async () => {
    const s = await start({
      token: "t",
      autoplay: "manual",
      recording: rec([
        [0, "text_delta", "a"],
        [100, "text_delta", "b"],
        [200, "text_delta", "c"],
      ]),
    });
    const c = connect(`${s.streamUrl}?token=t`);
    await c.waitFrames(1);
    await sleep(150);
    expect(c.frames.length).toBe(1);
    s.replay.start();
    await c.waitFrames(2);
    s.replay.pause();
    // What the server had sent when paused (on a stalled loop "b" may already be on its way): all of it arrives,
    // then nothing more.
    const n = s.sent().filter((f) => f.connection === 1).length;
    await c.waitFrames(n);
    await sleep(300);
    expect(c.frames.length).toBe(n);
    expect(s.sent().filter((f) => f.connection === 1)).toHaveLength(n);
    s.replay.start();
    await s.replay.done;
    await c.waitFrames(4);

    const fc = await start({ token: "t", speed: 0, recording: rec([[0, "text_delta", "x"]]) });
    await sleep(100);
    expect(fc.replay.position).toBe(0);
    const c2 = connect(`${fc.streamUrl}?token=t`);
    await c2.waitFrames(2);
    expect(c2.texts()[1]).toBe('{"type": "text_delta", "data": "x"}');
  });

  it("immediate autoplay broadcasts to nobody when no one listens (like ductor)", async () => {
    const s = await start({ token: "t", autoplay: "immediate", speed: 0, recording: rec([[0, "text_delta", "x"]]) });
    await s.replay.done;
    const c = connect(`${s.streamUrl}?token=t`);
    await c.waitFrames(1);
    await sleep(50);
    expect(c.frames.length).toBe(1);
  });

  it("bundled coding-session has the documented event mix", async () => {
    const s = await start({ token: "t", recording: "coding-session", speed: 0 });
    const c = connect(`${s.streamUrl}?token=t`);
    await s.replay.done;
    // Everything the server sent has arrived (not "50 ms later", which a loaded machine may not meet).
    await waitFor(() => c.frames.length === s.sent().filter((f) => f.connection === 1).length, 10_000);
    const evs = c
      .texts()
      .slice(1)
      .map((t) => JSON.parse(t) as { type: string; data: unknown });
    const tools = new Set(evs.filter((e) => e.type === "tool_activity").map((e) => e.data));
    for (const t of ["Read", "Grep", "Glob", "Edit", "Shell", "TodoWrite", "mcp__github__create_pull_request"]) expect(tools).toContain(t);
    const statuses = evs.filter((e) => e.type === "system_status").map((e) => e.data);
    for (const st of ["thinking", "compacting", null, "recovering"]) expect(statuses).toContain(st);
    expect(evs.some((e) => e.type === "text_delta" && String(e.data).includes("<file:/"))).toBe(true);
  });
});

describe("close", () => {
  it("close() sends 1001 server shutdown to every client and leaves nothing running", async () => {
    const s = await startMockServer({
      token: "t",
      heartbeatMs: 100,
      loop: true,
      recording: rec([
        [0, "text_delta", "a"],
        [50, "text_delta", "b"],
      ]),
      faults: { dropEveryMs: 10_000, httpDelayMs: 5000 },
    });
    const a = connect(`${s.streamUrl}?token=t`);
    const b = connect(`${s.streamUrl}?token=t`);
    const bad = connect(`${s.streamUrl}?token=nope`);
    await a.waitFrames(2);
    await b.waitFrames(1);
    await bad.opened;
    const pending = fetch(`${s.url}/health`).catch((e: unknown) => e);
    const before = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    await s.close();
    const [ca, cb] = await Promise.all([a.closed, b.closed]);
    expect(ca).toMatchObject({ code: 1001, reason: "server shutdown" });
    expect(cb).toMatchObject({ code: 1001, reason: "server shutdown" });
    expect(await pending).toBeInstanceOf(Error);
    await sleep(20);
    const after = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    expect(after).toBeLessThan(before);
    await expect(fetch(`${s.url}/health`)).rejects.toThrow();
  });
});
