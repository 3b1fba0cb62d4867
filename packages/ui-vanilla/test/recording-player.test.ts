/** The range player's scheduling, in Node with a fake clock: what is drawn when, at 1x and 10x, at once, paused, scrubbed. */
import { describe, expect, it } from "vitest";
import { createRangePlayer, MAX_PAUSE_MS, type PlayerClock } from "../src/recording/range-player.js";

/** A clock that moves only when told; timers run when their time comes (late ones at once, as on a busy machine). */
function fakeClock(): PlayerClock & { advance(ms: number): void; stall(ms: number): void; pending(): number } {
  let now = 0;
  let timers: Array<{ at: number; fn: () => void; id: number }> = [];
  let nextId = 0;
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return () => {
        timers = timers.filter((t) => t.id !== id);
      };
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = Math.max(now, due.at);
        due.fn();
      }
      now = end;
    },
    /** Time passes while the page is busy: no timer runs until it is over. */
    stall(ms) {
      now += ms;
      this.advance(0);
    },
    pending: () => timers.length,
  };
}

/** A host that records what was drawn (as event names) and every reset. */
function recorder() {
  const drawn: string[] = [];
  const calls: string[] = [];
  return {
    drawn,
    calls,
    host: {
      reset() {
        drawn.length = 0;
        calls.push("reset");
      },
      draw(events: readonly { at: number; name: string }[], from: number, to: number) {
        calls.push(`draw ${from}-${to}`);
        for (let i = from; i < to; i++) drawn.push(events[i]!.name);
      },
    },
  };
}

const EVENTS = [
  { at: 0, name: "a" },
  { at: 0, name: "b" },
  { at: 1_000, name: "c" },
  { at: 1_500, name: "d" },
  { at: 601_500, name: "e" }, // ten minutes of silence
  { at: 602_000, name: "f" },
];

describe("createRangePlayer", () => {
  it("plays at 1x with the recorded gaps, drawing events of one moment together", () => {
    const clock = fakeClock();
    const r = recorder();
    const player = createRangePlayer(EVENTS, r.host, clock);
    player.play(1);
    expect(r.drawn).toEqual([]);
    clock.advance(0);
    expect(r.drawn).toEqual(["a", "b"]);
    expect(r.calls).toEqual(["draw 0-2"]);
    clock.advance(999);
    expect(r.drawn).toEqual(["a", "b"]);
    clock.advance(1);
    expect(r.drawn).toEqual(["a", "b", "c"]);
    clock.advance(500);
    expect(r.drawn).toEqual(["a", "b", "c", "d"]);
    // A long silence is shortened to MAX_PAUSE_MS.
    clock.advance(MAX_PAUSE_MS - 1);
    expect(player.position).toBe(4);
    clock.advance(1);
    expect(r.drawn.at(-1)).toBe("e");
    expect(player.speed).toBe(1);
    clock.advance(500);
    expect(r.drawn).toEqual(["a", "b", "c", "d", "e", "f"]);
    expect(player.speed).toBeNull();
    expect(clock.pending()).toBe(0);
  });

  it("plays at 10x ten times faster", () => {
    const clock = fakeClock();
    const r = recorder();
    const player = createRangePlayer(EVENTS, r.host, clock);
    player.play(10);
    clock.advance(0);
    clock.advance(100);
    expect(r.drawn).toEqual(["a", "b", "c"]);
    clock.advance(50);
    expect(player.position).toBe(4);
    clock.advance(MAX_PAUSE_MS + 50);
    expect(player.position).toBe(6);
  });

  it("catches up in one draw when its timer fires late", () => {
    const clock = fakeClock();
    const r = recorder();
    const player = createRangePlayer(EVENTS, r.host, clock);
    player.play(1);
    // The page was busy: nothing ran until 3.5 s had passed.
    clock.advance(0);
    r.calls.length = 0;
    clock.stall(3_500);
    expect(r.calls).toEqual(["draw 2-5"]);
    expect(player.position).toBe(5);
  });

  it("pauses and goes on from where it was; toggle plays at the last speed", () => {
    const clock = fakeClock();
    const r = recorder();
    const states: Array<[number, number | null]> = [];
    const player = createRangePlayer(EVENTS, { ...r.host, changed: (s) => states.push([s.position, s.speed]) }, clock);
    player.play(10);
    clock.advance(0);
    player.toggle();
    expect(player.speed).toBeNull();
    clock.advance(60_000);
    expect(r.drawn).toEqual(["a", "b"]);
    expect(clock.pending()).toBe(0);
    player.toggle();
    expect(player.speed).toBe(10);
    clock.advance(99);
    expect(player.position).toBe(2);
    clock.advance(1);
    expect(player.position).toBe(3);
    expect(states[0]).toEqual([0, 10]);
    expect(states).toContainEqual([2, null]);
  });

  it("shows everything at once, and plays again from the start afterwards", () => {
    const clock = fakeClock();
    const r = recorder();
    const player = createRangePlayer(EVENTS, r.host, clock);
    player.play(1);
    clock.advance(0);
    player.showAll();
    expect(r.calls).toEqual(["draw 0-2", "draw 2-6"]);
    expect(player.speed).toBeNull();
    expect(clock.pending()).toBe(0);
    player.play(10);
    expect(r.calls.at(-1)).toBe("reset");
    clock.advance(0);
    expect(r.drawn).toEqual(["a", "b"]);
  });

  it("scrubs: forward draws only what is new, back starts over, and playing goes on from there", () => {
    const clock = fakeClock();
    const r = recorder();
    const player = createRangePlayer(EVENTS, r.host, clock);
    player.seek(3);
    expect(r.calls).toEqual(["draw 0-3"]);
    player.seek(5);
    expect(r.calls).toEqual(["draw 0-3", "draw 3-5"]);
    player.seek(1);
    expect(r.calls.slice(2)).toEqual(["reset", "draw 0-1"]);
    expect(r.drawn).toEqual(["a"]);
    player.play(1);
    clock.advance(0); // "b" was recorded at the same moment as "a"
    expect(r.drawn).toEqual(["a", "b"]);
    player.seek(3);
    expect(r.drawn).toEqual(["a", "b", "c"]);
    clock.advance(499);
    expect(player.position).toBe(3);
    clock.advance(1);
    expect(player.position).toBe(4);
    player.seek(99);
    expect(player.position).toBe(6);
    expect(player.speed).toBeNull();
    player.seek(Number.NaN);
    expect(player.position).toBe(0);
    expect(r.drawn).toEqual([]);
  });

  it("draws a huge same-moment burst in bounded batches, and stops for good when destroyed", () => {
    const clock = fakeClock();
    const r = recorder();
    const many = Array.from({ length: 5_000 }, (_, i) => ({ at: 0, name: String(i) }));
    const player = createRangePlayer(many, r.host, clock);
    player.play(10);
    clock.advance(0);
    expect(r.calls.length).toBeGreaterThan(1);
    expect(r.drawn).toHaveLength(5_000);
    expect(r.drawn[4_999]).toBe("4999");
    const again = createRangePlayer(EVENTS, r.host, clock);
    again.play(1);
    again.destroy();
    r.calls.length = 0;
    clock.advance(10_000);
    expect(r.calls).toEqual([]);
    again.play(1);
    expect(clock.pending()).toBe(0);
  });

  it("an empty recording plays nothing and ends at once", () => {
    const clock = fakeClock();
    const r = recorder();
    const player = createRangePlayer([], r.host, clock);
    player.play(1);
    clock.advance(0);
    expect(player.speed).toBeNull();
    expect(r.drawn).toEqual([]);
  });
});
