/**
 * The HistoryStore contract (src/history/store.ts), run against both stores: SQLite on a real file in a temp
 * folder, and the in-memory ring. What only one of them does is in history-sqlite.test.ts / history-ring.test.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createRingStore } from "../src/history/ring-store.js";
import { openSqliteStore } from "../src/history/sqlite-store.js";
import { type HistoryStore, HistoryQueryError } from "../src/history/store.js";
import { HOSTILE_QUERIES } from "./history-support.js";

const tmp = mkdtempSync(join(tmpdir(), "dd-history-contract-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type WithSnapshots = HistoryStore & { snapshots(path: string): { at: number; body: string }[] };
let files = 0;
const factories: Array<[string, () => WithSnapshots]> = [
  ["sqlite", () => openSqliteStore(join(tmp, `contract-${++files}.sqlite`), { log: () => {} })],
  ["ring", () => createRingStore({ maxEvents: 100_000 })],
];

for (const [name, open] of factories) {
  describe(`HistoryStore contract: ${name}`, () => {
    let store: WithSnapshots;
    afterEach(() => store?.close());

    it("starts empty: head 0, oldest 1, nothing in range", () => {
      store = open();
      expect(store.head()).toBe(0);
      expect(store.oldest()).toBe(1);
      expect(store.range({ after: 0, limit: 10 })).toEqual([]);
      expect(store.range({ before: 1, limit: 10 })).toEqual([]);
      expect(store.degraded).toBeNull();
    });

    it("append numbers from 1 and is readable at once, data null kept as null", () => {
      store = open();
      const a = store.append("text_delta", "hello", 1000);
      const b = store.append("system_status", null, 1001);
      const c = store.append("upstream", "connected", 1002);
      expect([a.seq, b.seq, c.seq]).toEqual([1, 2, 3]);
      expect(store.head()).toBe(3);
      expect(store.oldest()).toBe(1);
      expect(store.range({ after: 0, limit: 10 })).toEqual([
        { seq: 1, at: 1000, type: "text_delta", data: "hello" },
        { seq: 2, at: 1001, type: "system_status", data: null },
        { seq: 3, at: 1002, type: "upstream", data: "connected" },
      ]);
    });

    it("range after/before with limits, ascending, across whatever is buffered or written", () => {
      store = open();
      for (let i = 1; i <= 250; i++) store.append("text_delta", `chunk ${i}`, i);
      (store as { flush?: () => void }).flush?.(); // sqlite: the first 250 on disk, the next 50 buffered
      for (let i = 251; i <= 300; i++) store.append("text_delta", `chunk ${i}`, i);
      const seqs = (events: { seq: number }[]) => events.map((e) => e.seq);
      expect(seqs(store.range({ after: 0, limit: 5 }))).toEqual([1, 2, 3, 4, 5]);
      expect(seqs(store.range({ after: 245, limit: 10 }))).toEqual([246, 247, 248, 249, 250, 251, 252, 253, 254, 255]);
      expect(seqs(store.range({ after: 295, limit: 10 }))).toEqual([296, 297, 298, 299, 300]);
      expect(store.range({ after: 300, limit: 10 })).toEqual([]);
      expect(seqs(store.range({ before: 301, limit: 3 }))).toEqual([298, 299, 300]);
      expect(seqs(store.range({ before: 253, limit: 5 }))).toEqual([248, 249, 250, 251, 252]);
      expect(seqs(store.range({ before: 4, limit: 10 }))).toEqual([1, 2, 3]);
      expect(store.range({ before: 1, limit: 10 })).toEqual([]);
      expect(store.range({ after: 0, limit: 0 })).toEqual([]);
      expect(store.range({ before: 10_000, limit: 2 }).map((e) => e.data)).toEqual(["chunk 299", "chunk 300"]);
      const all = store.range({ after: 0, limit: 1000 });
      expect(seqs(all)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    });

    it("search: text events only, every word, newest first, limit, snippet as plain text", () => {
      store = open();
      store.append("text_delta", "Let me look at the failing test in parser.ts", 10);
      store.append("tool_activity", "failing", 11); // not text: never a hit
      store.append("text_delta", "All tests pass now.", 12);
      store.append("text_delta", "The FAILING test was a <b>timeout</b>; the test passes now.", 13);
      store.append("system_status", null, 14);
      const hits = store.search("failing test", 10);
      expect(hits.map((h) => h.seq)).toEqual([4, 1]);
      expect(hits[0]?.at).toBe(13);
      expect(hits[0]?.snippet.toLowerCase()).toContain("failing");
      expect(hits[0]?.snippet).toContain("<b>timeout</b>"); // text, as stored: the viewer renders it as text
      expect(store.search("failing", 1).map((h) => h.seq)).toEqual([4]);
      expect(store.search("nothing-like-this", 10)).toEqual([]);
      expect(store.search("tests", 10).map((h) => h.seq)).toContain(3);
      expect(store.search("fail*", 10).map((h) => h.seq)).toEqual([4, 1]);
    });

    it("search finds what was appended a moment ago", () => {
      store = open();
      store.append("text_delta", "a fresh zebra", 1);
      expect(store.search("zebra", 5).map((h) => h.seq)).toEqual([1]);
    });

    it("hostile queries: an answer or HistoryQueryError with a clear message, never another error, never SQL", () => {
      store = open();
      store.append("text_delta", 'needle "quoted" NEAR( data: secret AND OR NOT * x'.repeat(3), 1);
      for (const q of HOSTILE_QUERIES) {
        let outcome: unknown;
        try {
          outcome = store.search(q, 10);
        } catch (err) {
          outcome = err;
        }
        if (outcome instanceof Error) {
          expect(outcome, JSON.stringify(q.slice(0, 40))).toBeInstanceOf(HistoryQueryError);
          expect(outcome.message).toMatch(/search query/);
          expect(outcome.message).not.toMatch(/SELECT|events_fts|snippet|sqlite/i);
        } else expect(Array.isArray(outcome)).toBe(true);
      }
      // The ones that must be refused, whatever the syntax:
      for (const q of ["", "   ", "x".repeat(10 * 1024), "needle\0tail", "\0", "*", "\uD800"])
        expect(() => store.search(q, 10), JSON.stringify(q.slice(0, 20))).toThrow(HistoryQueryError);
      // Plain words: what looks like syntax is just text.
      expect(store.search('"unbalanced needle', 10)).toEqual([]);
      expect(store.search("NEAR( needle", 10).map((h) => h.seq)).toEqual([1]);
      expect(store.search("data: secret", 10).map((h) => h.seq)).toEqual([1]);
      expect(store.search("'; DROP TABLE events; --", 10)).toEqual([]);
      expect(store.range({ after: 0, limit: 1 })).toHaveLength(1);
    });

    it("any string as a query: an array or HistoryQueryError (property)", () => {
      store = open();
      store.append("text_delta", "some text with words and 'quotes' \"and\" (parens) NEAR OR AND", 1);
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ maxLength: 40 }),
            fc.string({ unit: "grapheme", maxLength: 20 }),
            fc.string({ unit: "binary", maxLength: 20 }),
          ),
          fc.integer({ min: -5, max: 2000 }),
          (q, limit) => {
            try {
              expect(Array.isArray(store.search(q, limit))).toBe(true);
            } catch (err) {
              expect(err).toBeInstanceOf(HistoryQueryError);
            }
          },
        ),
        { numRuns: 500 },
      );
    });

    it("snapshots: stored only when the body differs from the last for that path", () => {
      store = open();
      store.snapshot("/dashboard/status", '{"a":1}', 1);
      store.snapshot("/dashboard/status", '{"a":1}', 2);
      store.snapshot("/dashboard/tasks", "[]", 3);
      store.snapshot("/dashboard/status", '{"a":2}', 4);
      expect(store.head()).toBe(0); // snapshots take no seq
      expect(store.snapshots("/dashboard/status").at(-1)).toEqual({ at: 4, body: '{"a":2}' });
      expect(store.snapshots("/dashboard/tasks")).toEqual([{ at: 3, body: "[]" }]);
      expect(store.snapshots("/nowhere")).toEqual([]);
    });

    it("close: append afterwards throws rather than hand out a seq", () => {
      store = open();
      store.append("text_delta", "x", 1);
      store.close();
      expect(() => store.append("text_delta", "y", 2)).toThrow(/closed/);
    });
  });
}
