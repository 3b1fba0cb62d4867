/** The stream renderer's pure parts, in Node: the pending queue, the scrollback accounting, chunk cutting. */
import { describe, expect, it } from "vitest";
import { PendingOps } from "../src/render/pending-ops.js";
import { Scrollback } from "../src/render/scrollback.js";
import { nextCut } from "../src/render/text-chunks.js";

describe("PendingOps", () => {
  it("hands out everything in order, once", () => {
    const q = new PendingOps(1_000);
    q.push({ kind: "text", text: "a" });
    q.push({ kind: "tool", name: "Read" });
    q.push({ kind: "text", text: "b" });
    expect(q.chars).toBe(2);
    expect(q.take()).toEqual([
      { kind: "text", text: "a" },
      { kind: "tool", name: "Read" },
      { kind: "text", text: "b" },
    ]);
    expect(q.take()).toEqual([]);
    expect(q.chars).toBe(0);
  });

  it("coalesces text when thousands of events wait (a paused tab), keeping markers in place", () => {
    const q = new PendingOps(1_000_000);
    for (let i = 0; i < 5_000; i++) q.push({ kind: "text", text: "x" });
    q.push({ kind: "tool", name: "Shell" });
    q.push({ kind: "text", text: "y" });
    // Coalesced when the queue passed 4,096 operations: 5,002 events wait as ~900 operations.
    expect(q.length).toBeLessThan(1_000);
    const ops = q.take();
    const markers = ops.flatMap((op, i) => (op.kind === "text" ? [] : [i]));
    expect(markers).toEqual([ops.length - 2]);
    expect(
      ops
        .slice(0, -2)
        .map((op) => (op.kind === "text" ? op.text : ""))
        .join(""),
    ).toBe("x".repeat(5_000));
    expect(ops.at(-1)).toEqual({ kind: "text", text: "y" });
  });

  it("never holds more than its limit: the oldest text (and markers before it) is dropped and counted", () => {
    const q = new PendingOps(10);
    q.push({ kind: "tool", name: "Read" });
    q.push({ kind: "text", text: "0123456789" });
    q.push({ kind: "text", text: "abcd" });
    expect(q.chars).toBe(10);
    expect(q.droppedChars).toBe(4);
    expect(q.take()).toEqual([
      { kind: "text", text: "456789" },
      { kind: "text", text: "abcd" },
    ]);
    q.clear();
    expect(q.droppedChars).toBe(0);
  });
});

describe("Scrollback", () => {
  it("drops whole blocks from the top past the limit, keeps the newest, counts dropped text only", () => {
    const sb = new Scrollback<string>(10);
    sb.add("tool line", 5, false);
    const a = sb.add("chunk a", 4, true);
    sb.grow(a, 2);
    sb.add("chunk b", 3, true);
    expect(sb.chars).toBe(14);
    expect(sb.trim().map((b) => b.payload)).toEqual(["tool line"]);
    expect(sb.chars).toBe(9);
    expect(sb.droppedChars).toBe(0);
    sb.add("huge", 50, true);
    expect(sb.trim().map((b) => b.payload)).toEqual(["chunk a", "chunk b"]);
    expect([...sb].map((b) => b.payload)).toEqual(["huge"]);
    expect(sb.droppedChars).toBe(9);
    expect(sb.last?.payload).toBe("huge");
  });

  it("stays correct across many drops (the array is compacted, not shifted)", () => {
    const sb = new Scrollback<number>(100);
    for (let i = 0; i < 10_000; i++) {
      sb.add(i, 10, true);
      sb.trim();
    }
    expect(sb.size).toBe(10);
    expect([...sb].map((b) => b.payload)).toEqual([9990, 9991, 9992, 9993, 9994, 9995, 9996, 9997, 9998, 9999]);
    expect(sb.chars).toBe(100);
    expect(sb.droppedChars).toBe(99_900);
  });
});

describe("nextCut", () => {
  it("fills the current chunk, closing it when full", () => {
    expect(nextCut("abc", 0, 10)).toEqual({ take: 3, closes: false });
    expect(nextCut("abc", 7, 10)).toEqual({ take: 3, closes: true });
  });

  it("cuts after the last newline that fits", () => {
    expect(nextCut("ab\ncd\nefgh", 5, 10)).toEqual({ take: 3, closes: true });
  });

  it("without a newline in reach, runs on to the next one up to twice the limit, then cuts mid-line", () => {
    expect(nextCut("abcdefgh\nij", 0, 6)).toEqual({ take: 9, closes: true });
    expect(nextCut("a".repeat(30), 0, 6)).toEqual({ take: 12, closes: true });
  });

  it("always makes progress", () => {
    expect(nextCut("abc", 20, 10).take).toBeGreaterThan(0);
  });
});

describe("older output and highlights", () => {
  it("Scrollback.prepend puts blocks above, counts them, and trim takes them first", () => {
    const sb = new Scrollback<string>(10);
    sb.add("live", 4, true);
    sb.prepend([
      { payload: "old1", chars: 3, isText: true },
      { payload: "old2", chars: 3, isText: true },
    ]);
    expect([...sb].map((b) => b.payload)).toEqual(["old1", "old2", "live"]);
    expect(sb.chars).toBe(10);
    sb.add("new", 1, true);
    // A larger limit for once (the person reads up the scrollback): nothing goes.
    expect(sb.trim(20)).toEqual([]);
    expect(sb.trim().map((b) => b.payload)).toEqual(["old1"]);
    expect(sb.chars).toBe(8);
    expect([...sb].map((b) => b.payload)).toEqual(["old2", "live", "new"]);
  });

  it("PendingOps never merges highlighted text with its neighbours, even when coalescing", () => {
    const q = new PendingOps(1_000_000);
    for (let i = 0; i < 3_000; i++) q.push({ kind: "text", text: "a" });
    q.push({ kind: "text", text: "HIT", mark: true });
    for (let i = 0; i < 3_000; i++) q.push({ kind: "text", text: "b" });
    const ops = q.take();
    const marked = ops.filter((op) => op.kind === "text" && op.mark);
    expect(marked).toEqual([{ kind: "text", text: "HIT", mark: true }]);
    const text = ops.map((op) => (op.kind === "text" ? op.text : "")).join("");
    expect(text).toBe(`${"a".repeat(3_000)}HIT${"b".repeat(3_000)}`);
  });
});
