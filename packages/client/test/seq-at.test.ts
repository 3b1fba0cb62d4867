/** findSeqAt: a moment in a relay's history as a seq, by binary search over one-event pages. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findSeqAt, type HistoryEvent, type HistoryPager } from "../src/index.js";

/** Pages over `events` (ascending seq, holes allowed) as the relay's wire contract describes them. */
function pager(events: HistoryEvent[], head: number): HistoryPager & { calls: number } {
  const oldest = events[0]?.seq ?? head + 1;
  const p = {
    calls: 0,
    async page(position: { after: number } | { before: number }, options: { limit?: number } = {}) {
      p.calls++;
      const limit = options.limit ?? 100;
      const list =
        "after" in position
          ? events.filter((e) => e.seq > position.after).slice(0, limit)
          : events.filter((e) => e.seq < position.before).slice(-limit);
      return { events: list, oldest, head };
    },
  };
  return p;
}

describe("findSeqAt", () => {
  it("finds the first event at or after a moment in about log2(n) one-event requests", async () => {
    const events = Array.from(
      { length: 1000 },
      (_, i): HistoryEvent => ({ seq: i + 101, at: 10_000 + i * 10, type: "text_delta", data: "x" }),
    );
    const history = pager(events, 1100);
    expect(await findSeqAt(history, 0)).toBe(101);
    expect(await findSeqAt(history, 15_000)).toBe(601);
    expect(await findSeqAt(history, 14_995)).toBe(601);
    expect(await findSeqAt(history, 99_999_999)).toBe(1101);
    history.calls = 0;
    await findSeqAt(history, 12_345);
    expect(history.calls).toBeLessThanOrEqual(12);
  });

  it("agrees with a linear scan over arbitrary histories, holes and equal times included", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.nat(40)), { maxLength: 50 }),
        fc.nat(1_500),
        async (steps, at) => {
          const events: HistoryEvent[] = [];
          let seq = 0;
          let t = 0;
          for (const [ds, dt] of steps) events.push({ seq: (seq += ds), at: (t += dt), type: "text_delta", data: "x" });
          const history = pager(events, seq + 2);
          expect(await findSeqAt(history, at)).toBe(events.find((e) => e.at >= at)?.seq ?? seq + 3);
        },
      ),
    );
  });
});
