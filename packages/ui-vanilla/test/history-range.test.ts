/** The history browser's pure parts, in Node: the seq at a moment, replay pacing, stored events as output. */
import type { HistoryEvent } from "@ductor/dashboard-client";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { drawnItems, replayDelay, searchQuery, seqAtTime } from "../src/app/history-range.js";
import type { Client } from "../src/app/types.js";

/** A relay's paging over `events` (ascending seq, possibly with holes), as the wire contract describes it. */
function relayOver(events: HistoryEvent[], head: number): { client: Client; requests: () => number } {
  let requests = 0;
  const oldest = events[0]?.seq ?? head + 1;
  const page = async (pos: { after?: number; before?: number }, opts: { limit?: number }) => {
    requests++;
    const limit = opts.limit ?? 100;
    const list =
      pos.after !== undefined
        ? events.filter((e) => e.seq > pos.after!).slice(0, limit)
        : events.filter((e) => e.seq < pos.before!).slice(-limit);
    return { events: list, oldest, head };
  };
  return { client: { history: { page } } as unknown as Client, requests: () => requests };
}

describe("seqAtTime", () => {
  it("finds the first retained event at or after a moment, with holes (pruned, refused frames) in the seqs", async () => {
    const events: HistoryEvent[] = [];
    for (let seq = 100; seq <= 5_000; seq += seq % 7 === 0 ? 3 : 1)
      events.push({ seq, at: 1_000 + seq * 10, type: "text_delta", data: "x" });
    const { client, requests } = relayOver(events, 5_005);
    for (const probe of [0, 1_999, 2_000, 2_001, 25_555, 51_000, 51_001, 99_999]) {
      const expected = events.find((e) => e.at >= probe)?.seq ?? 5_006;
      expect(await seqAtTime(client, probe)).toBe(expected);
    }
    // A binary search: a handful of one-event pages per lookup, not a scan.
    expect(requests()).toBeLessThan(8 * 16);
  });

  it("agrees with a linear scan on arbitrary histories", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 50 })), { maxLength: 60 }),
        fc.integer({ min: 0, max: 3_000 }),
        async (steps, probe) => {
          const events: HistoryEvent[] = [];
          let seq = 0;
          let at = 0;
          for (const [ds, dt] of steps) {
            seq += ds;
            at += dt;
            events.push({ seq, at, type: "text_delta", data: "x" });
          }
          const { client } = relayOver(events, seq + 2);
          expect(await seqAtTime(client, probe)).toBe(events.find((e) => e.at >= probe)?.seq ?? seq + 3);
        },
      ),
    );
  });
});

describe("replayDelay", () => {
  it("divides the recorded gap by the speed, shortens long silences, and never waits at once or backwards", () => {
    expect(replayDelay(1_000, 1_500, 1, 2_000)).toBe(500);
    expect(replayDelay(1_000, 1_500, 10, 2_000)).toBe(50);
    expect(replayDelay(0, 3_600_000, 1, 2_000)).toBe(2_000);
    expect(replayDelay(1_000, 900, 1, 2_000)).toBe(0);
    expect(replayDelay(0, 60_000, 0, 2_000)).toBe(0);
  });
});

describe("drawnItems", () => {
  it("keeps text, tools and lasting statuses as output; drops transient statuses and empty text", () => {
    const at = Date.UTC(2026, 10, 25, 12, 0, 0);
    const items = drawnItems([
      { seq: 1, at, type: "text_delta", data: "hello" },
      { seq: 2, at, type: "text_delta", data: "" },
      { seq: 3, at, type: "system_status", data: "thinking" },
      { seq: 4, at, type: "tool_activity", data: "Read" },
      { seq: 5, at, type: "system_status", data: "compacting" },
      { seq: 6, at, type: "upstream", data: "disconnected" },
      { seq: 7, at, type: "future_type", data: "{}" },
    ]);
    expect(items.map((i) => i.kind)).toEqual(["text", "tool", "note", "note"]);
    expect(items[2]).toMatchObject({ kind: "note", text: expect.stringMatching(/^compacting · /) });
    expect(items[3]).toMatchObject({ kind: "note", text: expect.stringMatching(/^ductor disconnected from the relay · /) });
  });
});

describe("searchQuery", () => {
  it("makes every typed word a prefix, drops punctuation around words, and asks nothing for no word", () => {
    expect(searchQuery("round")).toBe("round*");
    expect(searchQuery("  the Round  tests. ")).toBe("the* Round* tests*");
    expect(searchQuery('"quoted phrase"')).toBe("quoted* phrase*");
    expect(searchQuery("fail*")).toBe("fail*");
    expect(searchQuery("src/totals.ts")).toBe("src/totals.ts*");
    expect(searchQuery("über 42")).toBe("über* 42*");
    expect(searchQuery('"')).toBeNull();
    expect(searchQuery(" --- ")).toBeNull();
    expect(searchQuery("")).toBeNull();
  });
});
