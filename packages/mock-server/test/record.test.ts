import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseRecording, readRecording, record, startMockServer } from "../src/index.js";
import { connect, waitFor } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "mock-rec-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Offsets agree. A frame can only be late, never early: a stalled event loop on a shared machine makes the
 * frames due during the stall late by up to its length (hundreds of ms), and the first frame, which the offsets
 * are counted from, may be one of them. So each frame's lateness is taken against the typical early ones (the
 * 10th percentile of actual − expected, itself under 250 ms): the median lateness must stay within 20 ms and
 * none may pass 1 s. A stall leaves most frames on time; a wrong speed (even 5 % off) or a lost gap moves every
 * later frame, and fails.
 */
function expectClose(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  const raw = actual.map((a, i) => a - expected[i]!);
  const at = (sorted: number[], p: number) => sorted[Math.floor(p * (sorted.length - 1))]!;
  const base = at(
    [...raw].sort((a, b) => a - b),
    0.1,
  );
  const late = raw.map((d) => d - base);
  const report = `lateness (ms) against ${base}: ${late.map(Math.round).join(", ")}`;
  expect(Math.abs(base), report).toBeLessThan(250);
  expect(
    at(
      [...late].sort((a, b) => a - b),
      0.5,
    ),
    report,
  ).toBeLessThan(20);
  expect(Math.max(...late), report).toBeLessThan(1_000);
}

describe("record → replay round trip", () => {
  it("records a live server and replays the file event for event, offsets preserved", async () => {
    const source = await readRecording("coding-session");
    const SPEED = 40;
    const live = await startMockServer({ recording: "coding-session", speed: SPEED, maxIdleMs: 4000 });
    const out = join(dir, "session.jsonl");
    const recording = record({ url: live.url, token: live.token, out });
    await live.replay.done;
    await new Promise((r) => setTimeout(r, 50));
    const liveSent = live.sent().filter((f) => f.connection === 1);
    await live.close(); // the recorder sees 1001 and finishes
    const result = await recording;
    expect(result.stoppedBy).toBe(1001);

    const rec = parseRecording(readFileSync(out, "utf8"), out);
    expect(rec.header).toMatchObject({ ductorRecording: 1, source: live.url, provider: "claude", model: "opus" });
    const events = rec.entries.flatMap((e) => ("event" in e ? [e] : []));
    const sourceEvents = source.entries.flatMap((e) => ("event" in e ? [e.event] : []));
    expect(events.map((e) => e.event)).toEqual(sourceEvents);
    expect(result.events).toBe(sourceEvents.length);
    // the snapshots hold the live REST answers
    const paths = rec.entries.flatMap((e) => ("snapshot" in e ? [e.snapshot.path] : []));
    expect(new Set(paths)).toEqual(new Set(["/dashboard/status", "/dashboard/sessions", "/dashboard/tasks", "/dashboard/logs"]));

    // offsets: the recorded gaps match the live send times
    const liveTimes = liveSent.slice(1).map((f) => f.at - liveSent[1]!.at);
    const recTimes = events.map((e) => e.t - events[0]!.t);
    expectClose(recTimes, liveTimes);

    // replay the file in a second server at speed 1 (the recording is already compressed by SPEED)
    const replay = await startMockServer({ recording: out, speed: 2 });
    try {
      const c = connect(`${replay.streamUrl}?token=${replay.token}`);
      await replay.replay.done;
      await c.waitFrames(events.length + 1);
      const frames = c.texts().slice(1);
      expect(frames).toEqual(liveSent.slice(1).map((f) => f.data));
      const t0 = c.frames[1]!.at;
      expectClose(
        c.frames.slice(1).map((f) => f.at - t0),
        recTimes.map((t) => t / 2),
      );
      // without a data folder, REST answers come from the recorded snapshots
      const res = await fetch(`${replay.url}/dashboard/tasks`, { headers: { authorization: `Bearer ${replay.token}` } });
      const snapTasks = rec.entries.flatMap((e) => ("snapshot" in e && e.snapshot.path === "/dashboard/tasks" ? [e.snapshot.body] : []));
      expect(await res.json()).toEqual(snapTasks[0]);
    } finally {
      await replay.close();
    }
  });

  it("abort stops recording and leaves a complete, parseable file", async () => {
    const live = await startMockServer({ recording: "long-output", speed: 50, loop: true });
    const out = join(dir, "aborted.jsonl");
    const ac = new AbortController();
    const done = record({ url: live.url, token: live.token, out, signal: ac.signal });
    // Abort once some events are in the file (each is written as it arrives), not after a fixed 300 ms that a
    // loaded machine may spend before the first one.
    const eventsInFile = () => {
      try {
        return readFileSync(out, "utf8")
          .split("\n")
          .filter((l) => /^\{"t":\d+,"event":/.test(l)).length;
      } catch {
        return 0; // not created yet
      }
    };
    await waitFor(() => eventsInFile() >= 5, 10_000);
    ac.abort();
    const result = await done;
    expect(result.stoppedBy).toBe("aborted");
    expect(result.events).toBeGreaterThan(0);
    const rec = parseRecording(readFileSync(out, "utf8"));
    expect(rec.entries.filter((e) => "event" in e).length).toBe(result.events);
    await live.close();
  });

  it("a wrong token is rejected before any file is written", async () => {
    const live = await startMockServer({});
    await expect(record({ url: live.url, token: "wrong", out: join(dir, "never.jsonl") })).rejects.toThrow(/401/);
    await live.close();
  });
});
