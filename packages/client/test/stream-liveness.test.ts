import { describe, expect, it } from "vitest";
import { ConnectionError, type DashboardError, TimeoutError } from "../src/errors.js";
import {
  browserEvents,
  checkIdle,
  idleLimit,
  onWake,
  resolveMode,
  startLiveness,
  type BrowserEvents,
  type Clock,
  type LivenessOptions,
} from "../src/stream/liveness.js";

const limits = { connectTimeoutMs: 15_000, staleAfterMs: 75_000, probeAfterMs: 60_000 };

/** A manual clock: timers fire only when the test advances time. */
function manualClock(): Clock & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let id = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout: (fn, ms) => (timers.set(++id, { at: now + ms, fn }), id),
    clearTimeout: (h) => void timers.delete(h as number),
    pending: () => timers.size,
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
  };
}

/** The window's events on a plain EventTarget (Node has one), with a settable visibility. */
function fakeWindow(): BrowserEvents & { fire(type: string): void; show(): void; listeners(): number } {
  const win = new EventTarget();
  const doc = new EventTarget();
  const registered = new Set<string>();
  const ids = new WeakMap<() => void, number>();
  let next = 0;
  const key = (t: EventTarget, type: string, fn: () => void) => {
    if (!ids.has(fn)) ids.set(fn, ++next);
    return `${t === win ? "window" : "document"} ${type} ${ids.get(fn)}`;
  };
  const track = (t: EventTarget) => ({
    addEventListener: (type: string, fn: () => void) => (registered.add(key(t, type, fn)), t.addEventListener(type, fn)),
    removeEventListener: (type: string, fn: () => void) => (registered.delete(key(t, type, fn)), t.removeEventListener(type, fn)),
  });
  const document = { visibilityState: "hidden", ...track(doc) };
  return {
    ...track(win),
    document,
    fire: (type) => win.dispatchEvent(new Event(type)),
    show: () => ((document.visibilityState = "visible"), doc.dispatchEvent(new Event("visibilitychange"))),
    listeners: () => registered.size,
  };
}

function watch(overrides: Partial<LivenessOptions> & { clock: Clock }) {
  const deaths: Array<{ reason: string; error: DashboardError }> = [];
  const activity = { at: overrides.clock.now() };
  const stop = startLiveness({
    open: false,
    mode: "ping",
    limits,
    activity,
    probe: () => Promise.resolve(),
    dead: (reason, error) => deaths.push({ reason, error }),
    ...overrides,
  });
  return { deaths, activity, stop };
}
const flush = () => new Promise((r) => setTimeout(r, 0));

describe("liveness core", () => {
  it("picks ping mode only where the socket shows protocol pings", () => {
    expect(resolveMode("auto", true)).toBe("ping");
    expect(resolveMode("auto", false)).toBe("probe");
    expect(resolveMode("ping", false)).toBe("probe");
    expect(resolveMode("probe", true)).toBe("probe");
  });

  it("applies the connect timeout until the auth ping, then the mode's limit", () => {
    expect(idleLimit(false, "ping", limits)).toBe(15_000);
    expect(idleLimit(true, "ping", limits)).toBe(75_000);
    expect(idleLimit(true, "probe", limits)).toBe(60_000);
  });

  it("decides what silence means: wait the rest, connect timeout, stale, or probe", () => {
    expect(checkIdle(true, "ping", 70_000, 75_000)).toBe(5_000);
    expect(checkIdle(false, "ping", 15_000, 15_000)).toBe("connect timeout");
    expect(checkIdle(true, "ping", 75_000, 75_000)).toBe("stale");
    expect(checkIdle(true, "probe", 61_000, 60_000)).toBe("probe");
  });

  it("finds browser events only where globalThis has them", () => {
    expect(browserEvents({})).toBeUndefined();
    const w = fakeWindow();
    expect(browserEvents(w)).toBe(w);
  });
});

describe("liveness watchdog (manual clock)", () => {
  it("stale detection: frames and pings (activity stamps) keep a ping-mode link alive; silence for staleAfterMs kills it", () => {
    const clock = manualClock();
    const { deaths, activity } = watch({ clock, open: true });
    for (let i = 0; i < 10; i++) {
      clock.advance(30_000); // a protocol ping every 30 s
      activity.at = clock.now();
    }
    expect(deaths).toEqual([]);
    clock.advance(74_999);
    expect(deaths).toEqual([]);
    clock.advance(1);
    expect(deaths).toHaveLength(1);
    expect(deaths[0]!.reason).toBe("stale");
    expect(deaths[0]!.error).toBeInstanceOf(TimeoutError);
    expect(deaths[0]!.error.message).toMatch(/no frame and no ping for 75000 ms/);
    expect(clock.pending()).toBe(0); // it stopped itself: no second verdict
  });

  it("connect timeout before the auth ping", () => {
    const clock = manualClock();
    const { deaths } = watch({ clock, open: false });
    clock.advance(15_000);
    expect(deaths.map((d) => d.reason)).toEqual(["connect timeout"]);
    expect(deaths[0]!.error.message).toMatch(/no \{"type":"ping"\} within 15000 ms/);
  });

  it("probe mode: a quiet link is probed, not killed; a good probe restarts the wait, a failed one kills", async () => {
    const clock = manualClock();
    let answer: () => Promise<unknown> = () => Promise.resolve({ status: "ok" });
    let probes = 0;
    const { deaths, stop } = watch({ clock, open: true, mode: "probe", probe: () => (probes++, answer()) });
    clock.advance(60_000);
    expect(probes).toBe(1);
    await flush();
    clock.advance(59_999);
    expect(probes).toBe(1);
    clock.advance(1);
    expect(probes).toBe(2);
    await flush();
    answer = () => Promise.reject(new TypeError("fetch failed"));
    clock.advance(60_000);
    await flush();
    expect(deaths.map((d) => d.reason)).toEqual(["probe failed"]);
    expect(deaths[0]!.error).toBeInstanceOf(ConnectionError);
    stop();
  });

  it("a probe still running when the watchdog stops is aborted and ignored", async () => {
    const clock = manualClock();
    let signal: AbortSignal | undefined;
    const { deaths, stop } = watch({ clock, open: true, mode: "probe", probe: (s) => ((signal = s), Promise.reject(new Error("late"))) });
    clock.advance(60_000);
    stop();
    await flush();
    expect(signal?.aborted).toBe(true);
    expect(deaths).toEqual([]);
    expect(clock.pending()).toBe(0);
  });

  it("browsers: offline kills at once; online or a visible tab probes a quiet open link; the disposer removes every listener", async () => {
    const clock = manualClock();
    const events = fakeWindow();
    let probes = 0;
    const { deaths, activity, stop } = watch({ clock, open: true, mode: "probe", events, probe: () => (probes++, Promise.resolve()) });
    clock.advance(500);
    events.fire("online"); // active half a second ago: no probe
    expect(probes).toBe(0);
    clock.advance(1_000);
    events.show();
    expect(probes).toBe(1);
    await flush();
    expect(activity.at).toBe(clock.now());
    events.fire("offline");
    expect(deaths.map((d) => d.reason)).toEqual(["offline"]);
    expect(events.listeners()).toBe(0);
    stop();
    expect(events.listeners()).toBe(0);
  });

  it("before the auth ping only offline matters", () => {
    const clock = manualClock();
    const events = fakeWindow();
    let probes = 0;
    const { stop } = watch({ clock, open: false, mode: "probe", events, probe: () => (probes++, Promise.resolve()) });
    clock.advance(5_000);
    events.fire("online");
    expect(probes).toBe(0);
    expect(events.listeners()).toBe(1);
    stop();
    expect(events.listeners()).toBe(0);
  });

  it("onWake: online, or visibilitychange to visible; nothing without a window", () => {
    const events = fakeWindow();
    let wakes = 0;
    const stop = onWake(events, () => wakes++);
    events.document!.visibilityState = "hidden";
    (events as ReturnType<typeof fakeWindow>).fire("online");
    (events as ReturnType<typeof fakeWindow>).show();
    expect(wakes).toBe(2);
    stop();
    (events as ReturnType<typeof fakeWindow>).fire("online");
    expect(wakes).toBe(2);
    expect(onWake(undefined, () => wakes++)).toBeTypeOf("function");
  });
});
