/** The in-memory ring (`serve --no-history`): what only it does, its bounds. The shared contract is in history-contract.test.ts. */
import { describe, expect, it } from "vitest";
import { createRingStore } from "../src/history/ring-store.js";

describe("ring store bounds", () => {
  it("maxEvents: the oldest go first, oldest() moves, range starts at what is left, seq goes on", () => {
    const ring = createRingStore({ maxEvents: 100 });
    for (let i = 1; i <= 250; i++) ring.append("text_delta", `e${i}`, i);
    expect(ring.head()).toBe(250);
    expect(ring.oldest()).toBe(151);
    expect(ring.range({ after: 0, limit: 3 }).map((e) => e.seq)).toEqual([151, 152, 153]);
    expect(ring.range({ before: 152, limit: 10 }).map((e) => e.seq)).toEqual([151]);
    expect(ring.range({ before: 100, limit: 10 })).toEqual([]);
    expect(ring.search("e10", 10)).toEqual([]); // e10 was dropped; "e100…" too
    expect(ring.search("e200", 10).map((h) => h.seq)).toEqual([200]);
  });

  it("maxBytes: about that many bytes kept, always at least the newest event", () => {
    const ring = createRingStore({ maxBytes: 64 * 1024 });
    const text = "x".repeat(1000); // ~2 KB each as counted (UTF-16)
    for (let i = 0; i < 500; i++) ring.append("text_delta", text, i);
    const kept = ring.head() - ring.oldest() + 1;
    expect(kept).toBeGreaterThan(25);
    expect(kept).toBeLessThanOrEqual(32);
    ring.append("text_delta", "y".repeat(100_000), 1); // larger than the whole budget: kept alone
    expect(ring.oldest()).toBe(ring.head());
  });

  it("many events: the dead prefix is compacted and range stays exact", () => {
    const ring = createRingStore({ maxEvents: 1000 });
    for (let i = 1; i <= 100_000; i++) ring.append("tool_activity", "Read", i);
    expect(ring.oldest()).toBe(99_001);
    const all = ring.range({ after: 0, limit: 5000 });
    expect(all).toHaveLength(1000);
    expect(all[0]?.seq).toBe(99_001);
    expect(all.at(-1)?.seq).toBe(100_000);
  });

  it("snapshots: each changed body per path, the oldest dropped past the count or size bound (the last stays)", () => {
    const ring = createRingStore({ maxSnapshots: 3, maxSnapshotBytes: 1_000 });
    ring.snapshot("/dashboard/status", "A", 1);
    ring.snapshot("/dashboard/status", "B", 2);
    ring.snapshot("/dashboard/status", "B", 3);
    ring.snapshot("/dashboard/sessions", "S", 3);
    expect(ring.snapshots("/dashboard/status")).toEqual([
      { at: 1, body: "A" },
      { at: 2, body: "B" },
    ]);
    ring.snapshot("/dashboard/status", "C", 4);
    ring.snapshot("/dashboard/status", "D", 5);
    expect(ring.snapshots("/dashboard/status").map((s) => s.body)).toEqual(["B", "C", "D"]);
    expect(ring.snapshots("/dashboard/status", 3)).toEqual([
      { at: 4, body: "C" },
      { at: 5, body: "D" },
    ]);
    expect(ring.oldestSnapshotAt("/dashboard/status")).toBe(2);
    // One body larger than the size bound: it stays alone, as the current state.
    ring.snapshot("/dashboard/status", "x".repeat(600), 6);
    expect(ring.snapshots("/dashboard/status").map((s) => s.at)).toEqual([6]);
    expect(ring.snapshots("/dashboard/sessions")).toEqual([{ at: 3, body: "S" }]);
  });
});
