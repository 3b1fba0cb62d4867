import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Activity, type ActivitySource, ActivityState, createActivityTracker, type StreamState } from "../src/index.js";
import { StreamEmitter } from "../src/stream/emitter.js";

const T = Date.UTC(2026, 3, 21, 10, 0, 0); // 10:00:00 UTC
const S = 1_000;
const MIN = 60 * S;
/** Clock times in UTC, so the labels do not depend on the machine's time zone. */
const formatTime = (ms: number) => new Date(ms).toISOString().slice(11, 16);

describe("ActivityState (pure, injected now)", () => {
  it("follows tools, thinking, statuses and text, with durations in the label", () => {
    const a = new ActivityState({ formatTime });
    expect(a.describe(T)).toBe("Connecting…");
    expect(a.apply({ type: "open", at: T }, T)).toBe(true);
    expect(a.describe(T + 4 * MIN)).toBe("Quiet since 10:00 (4 min)");

    expect(a.apply({ type: "tool_activity", data: "Shell" }, T + 5 * MIN)).toBe(true);
    expect(a.at(T + 5 * MIN + 12 * S)).toEqual({ kind: "tool", name: "Shell", since: T + 5 * MIN });
    expect(a.describe(T + 5 * MIN + 12 * S)).toBe("Running Shell · 12 s");
    // Another call of the same tool is a new activity: its time starts again.
    expect(a.apply({ type: "tool_activity", data: "Shell" }, T + 6 * MIN)).toBe(true);
    expect(a.describe(T + 6 * MIN + 1 * S)).toBe("Running Shell · 1 s");

    expect(a.apply({ type: "system_status", data: "thinking" }, T + 7 * MIN)).toBe(true);
    expect(a.apply({ type: "system_status", data: "thinking" }, T + 7 * MIN + 2 * S)).toBe(false); // still the same spell
    expect(a.describe(T + 7 * MIN + 4 * S)).toBe("Thinking · 4 s");

    expect(a.apply({ type: "text_delta", data: "Hello" }, T + 8 * MIN)).toBe(true);
    expect(a.apply({ type: "text_delta", data: " again" }, T + 8 * MIN + 3 * S)).toBe(false); // lastAt moves, nothing else
    expect(a.describe(T + 8 * MIN + 5 * S)).toBe("Writing");

    expect(a.apply({ type: "system_status", data: "compacting" }, T + 9 * MIN)).toBe(true);
    expect(a.describe(T + 9 * MIN + 5 * S)).toBe("Compacting · 5 s");
    expect(a.apply({ type: "system_status", data: null }, T + 10 * MIN)).toBe(true);
    expect(a.at(T + 10 * MIN)).toEqual({ kind: "quiet", since: T + 10 * MIN });

    expect(a.apply({ type: "tool_activity", data: "" }, T + 11 * MIN)).toBe(true); // Gemini's unnamed tool
    expect(a.describe(T + 11 * MIN)).toBe("Running a tool · 0 s");
    expect(a.apply({ type: "ping" }, T + 11 * MIN)).toBe(false);
    expect(a.apply({ type: "system_status", data: null }, T + 11 * MIN)).toBe(false); // nothing to clear on a tool
  });

  it("'Writing' turns into 'Quiet since <last chunk>' after writingMs; a busy state after busyQuietMs", () => {
    const a = new ActivityState({ formatTime }, { kind: "quiet", since: T });
    a.apply({ type: "text_delta", data: "a" }, T);
    a.apply({ type: "text_delta", data: "b" }, T + 4 * S);
    expect(a.changesAt).toBe(T + 14 * S);
    expect(a.at(T + 14 * S - 1).kind).toBe("writing");
    expect(a.at(T + 14 * S)).toEqual({ kind: "quiet", since: T + 4 * S });
    expect(a.changesAt).toBeNull();
    expect(a.describe(T + 4 * MIN + 4 * S)).toBe("Quiet since 10:00 (4 min)");

    a.apply({ type: "tool_activity", data: "Shell" }, T + 5 * MIN);
    expect(a.changesAt).toBe(T + 15 * MIN);
    expect(a.describe(T + 14 * MIN)).toBe("Running Shell · 9 min"); // a long test run is still running
    expect(a.describe(T + 15 * MIN)).toBe("Quiet since 10:05 (10 min)"); // its end was never seen
    // Options move both thresholds.
    const quick = new ActivityState({ writingMs: 1 * S, busyQuietMs: 2 * S });
    quick.apply({ type: "text_delta", data: "x" }, T);
    expect(quick.at(T + 1 * S).kind).toBe("quiet");
    quick.apply({ type: "system_status", data: "thinking" }, T + 5 * S);
    expect(quick.at(T + 7 * S).kind).toBe("quiet");
  });

  it("uses a relay's `at` (catch-up events from the past), never one in the future", () => {
    const a = new ActivityState({ formatTime }, { kind: "quiet", since: T });
    a.apply({ type: "tool_activity", data: "Read", at: T + 30 * S }, T + 60 * S);
    expect(a.describe(T + 60 * S)).toBe("Running Read · 30 s");
    a.apply({ type: "system_status", data: "thinking", at: T + 99 * MIN }, T + 61 * S); // a relay clock ahead of ours
    expect(a.describe(T + 65 * S)).toBe("Thinking · 4 s");
  });

  it("link: reconnecting → 'Disconnected … · retrying in', open → quiet, close → disconnected for good", () => {
    const a = new ActivityState({ formatTime }, { kind: "quiet", since: T });
    expect(a.apply({ type: "reconnecting", retryAt: T + 5 * S }, T)).toBe(true);
    expect(a.describe(T)).toBe("Disconnected since 10:00 (0 s) · retrying in 5 s");
    expect(a.describe(T + 4_500)).toBe("Disconnected since 10:00 (4 s) · retrying in 1 s");
    expect(a.describe(T + 6 * S)).toBe("Disconnected since 10:00 (6 s) · reconnecting…");
    // The next attempt failed: the retry time moves, the outage keeps its start.
    expect(a.apply({ type: "reconnecting", retryAt: T + 2 * MIN }, T + 7 * S)).toBe(true);
    expect(a.describe(T + 60 * S)).toBe("Disconnected since 10:00 (1 min) · retrying in 1 min");
    expect(a.apply({ type: "open", at: T + 2 * MIN }, T + 2 * MIN)).toBe(true);
    expect(a.at(T + 2 * MIN)).toEqual({ kind: "quiet", since: T + 2 * MIN });
    expect(a.apply({ type: "close" }, T + 3 * MIN)).toBe(true);
    expect(a.at(T + 3 * MIN)).toEqual({ kind: "disconnected", since: T + 3 * MIN, retryAt: null, upstream: false });
    expect(a.describe(T + 63 * MIN + 5 * MIN)).toBe("Disconnected since 10:03 (1 h 5 min)");
  });

  it("relay: upstream disconnected/refused → 'Disconnected from ductor', connected → quiet", () => {
    const a = new ActivityState({ formatTime }, { kind: "tool", name: "Shell", since: T });
    a.apply({ type: "upstream", data: "disconnected", at: T + 1 * MIN }, T + 1 * MIN);
    expect(a.describe(T + 2 * MIN)).toBe("Disconnected from ductor since 10:01 (1 min)");
    a.apply({ type: "upstream", data: "connected", at: T + 3 * MIN }, T + 3 * MIN);
    expect(a.at(T + 3 * MIN)).toEqual({ kind: "quiet", since: T + 3 * MIN });
    a.apply({ type: "upstream", data: "refused" }, T + 4 * MIN);
    expect(a.at(T + 4 * MIN).kind).toBe("disconnected");
    expect(a.apply({ type: "upstream", data: "something new" }, T + 5 * MIN)).toBe(false);
  });

  it("long durations and the default clock format", () => {
    const a = new ActivityState({ formatTime }, { kind: "quiet", since: T });
    expect(a.describe(T + 2 * 60 * MIN)).toBe("Quiet since 10:00 (2 h)");
    expect(a.describe(T + (3 * 24 + 1) * 60 * MIN)).toBe("Quiet since 10:00 (3 d 1 h)");
    expect(a.describe(T - 5 * S)).toBe("Quiet since 10:00 (0 s)"); // a clock that stepped back
    const local = new ActivityState({}, { kind: "quiet", since: T });
    const d = new Date(T);
    const hhmm = `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
    expect(local.describe(T + 4 * MIN)).toBe(`Quiet since ${hhmm} (4 min)`);
  });
});

/** A stand-in for DashboardStream: the real emitter, events emitted by hand. */
function fakeStream(state: StreamState = "open") {
  const emitter = new StreamEmitter();
  const source: ActivitySource = { state, on: (type, listener) => emitter.on(type, listener) };
  return { source, emit: emitter.emit.bind(emitter) };
}

describe("createActivityTracker (fake timers)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("starts from the stream's state and emits each change once, including the ones time alone makes", () => {
    const { source, emit } = fakeStream("open");
    const tracker = createActivityTracker(source, { formatTime });
    const seen: Activity[] = [];
    tracker.subscribe((a) => seen.push(a));
    expect(tracker.activity).toEqual({ kind: "quiet", since: T });

    emit("text_delta", { type: "text_delta", data: "a" });
    for (let i = 1; i <= 6; i++) {
      vi.advanceTimersByTime(5 * S); // a chunk every 5 s for 30 s: still writing
      emit("text_delta", { type: "text_delta", data: "b" });
    }
    expect(seen.map((a) => a.kind)).toEqual(["writing"]);
    vi.advanceTimersByTime(10 * S - 1);
    expect(seen).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(seen.at(-1)).toEqual({ kind: "quiet", since: T + 30 * S }); // from the timer, 10 s after the last chunk
    expect(tracker.describe()).toBe("Quiet since 10:00 (10 s)");

    emit("tool_activity", { type: "tool_activity", data: "Shell" });
    vi.advanceTimersByTime(12 * S);
    expect(tracker.describe()).toBe("Running Shell · 12 s");
    vi.advanceTimersByTime(10 * MIN);
    expect(seen.map((a) => a.kind)).toEqual(["writing", "quiet", "tool", "quiet"]);
    expect(vi.getTimerCount()).toBe(0); // quiet needs no timer
    tracker.dispose();
  });

  it("follows the link: connecting, reconnecting (with the retry time), open, close", () => {
    const { source, emit } = fakeStream("connecting");
    const tracker = createActivityTracker(source, { formatTime });
    const kinds: string[] = [];
    tracker.subscribe((a) => kinds.push(a.kind));
    expect(tracker.describe()).toBe("Connecting…");
    emit("open", { at: T, connection: 1, relay: null, resumed: false });
    emit("system_status", { type: "system_status", data: "thinking" });
    vi.advanceTimersByTime(3 * S);
    emit("reconnecting", { attempt: 1, delayMs: 4 * S, at: T + 7 * S, code: 1006 });
    expect(tracker.describe()).toBe("Disconnected since 10:00 (0 s) · retrying in 4 s");
    vi.advanceTimersByTime(7 * S);
    emit("open", { at: T + 10 * S, connection: 2, relay: null, resumed: false });
    emit("close", { code: 1000, reason: "client closed" });
    expect(kinds).toEqual(["quiet", "thinking", "disconnected", "quiet", "disconnected"]);
    expect(tracker.activity).toEqual({ kind: "disconnected", since: T + 10 * S, retryAt: null, upstream: false });
    tracker.dispose();
  });

  it("an injected clock is used for every time, with or without fake timers", () => {
    vi.useRealTimers();
    let now = T;
    const { source, emit } = fakeStream("open");
    const tracker = createActivityTracker(source, { formatTime, clock: () => now });
    emit("tool_activity", { type: "tool_activity", data: "Edit" });
    now += 42 * S;
    expect(tracker.describe()).toBe("Running Edit · 42 s");
    expect(tracker.describe(T + 50 * S)).toBe("Running Edit · 50 s");
    tracker.dispose();
  });

  it("a throwing listener does not keep the others from the change; unsubscribe and dispose stop everything", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const { source, emit } = fakeStream("open");
    const tracker = createActivityTracker(source);
    const a: string[] = [];
    const b: string[] = [];
    tracker.subscribe(() => {
      throw new Error("listener bug");
    });
    const offA = tracker.subscribe((x) => a.push(x.kind));
    tracker.subscribe((x) => b.push(x.kind));
    emit("tool_activity", { type: "tool_activity", data: "Read" });
    expect(a).toEqual(["tool"]);
    expect(b).toEqual(["tool"]);
    expect(error).toHaveBeenCalledTimes(1);
    offA();
    emit("text_delta", { type: "text_delta", data: "x" });
    expect(a).toEqual(["tool"]);
    expect(b).toEqual(["tool", "writing"]);
    expect(vi.getTimerCount()).toBe(1); // the writing → quiet timer
    tracker.dispose();
    tracker.dispose();
    expect(vi.getTimerCount()).toBe(0);
    emit("tool_activity", { type: "tool_activity", data: "Shell" });
    vi.advanceTimersByTime(60 * MIN);
    expect(b).toEqual(["tool", "writing"]);
    expect(tracker.activity.kind).toBe("quiet"); // no events after dispose; reading it still applies the time that passed
  });
});
