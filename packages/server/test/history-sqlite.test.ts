/**
 * The SQLite history store on real files in a temp folder: batching, seq across reopen and pruning, raw FTS5
 * syntax, retention by age and size with the FTS index in step, read-only / disk-full degradation and recovery,
 * a corrupt file moved aside, one writer per file, and the default path.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { defaultHistoryPath, openSqliteStore, type SqliteStore, type SqliteStoreOptions } from "../src/history/sqlite-store.js";
import { HistoryQueryError } from "../src/history/store.js";
import { HOSTILE_QUERIES } from "./history-support.js";

const tmp = mkdtempSync(join(tmpdir(), "dd-history-sqlite-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
const freshPath = (): string => join(tmp, `h${++n}`, "history.sqlite");
const open: SqliteStore[] = [];
const logs: string[] = [];
function openStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  const store = openSqliteStore(path, { log: (m) => logs.push(m), ...options });
  open.push(store);
  return store;
}
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  logs.length = 0;
});

const count = (store: SqliteStore, sql: string): number => store.db.prepare(sql).pluck().get() as number;
const words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"];

describe("batching", () => {
  it("append is readable at once; the buffer is committed flushMs later, in one transaction", async () => {
    const store = openStore(freshPath(), { flushMs: 40 });
    for (let i = 1; i <= 10; i++) store.append("text_delta", `line ${i}`, i);
    expect(count(store, "SELECT count(*) FROM events")).toBe(0);
    expect(store.range({ after: 0, limit: 100 })).toHaveLength(10);
    await vi.waitFor(() => expect(count(store, "SELECT count(*) FROM events")).toBe(10), { timeout: 10_000, interval: 5 });
    expect(store.range({ after: 0, limit: 100 }).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("a full buffer (flushEvents) is committed at once, inside append", () => {
    const store = openStore(freshPath(), { flushMs: 60_000, flushEvents: 100 });
    for (let i = 1; i <= 250; i++) store.append("tool_activity", "Read", i);
    expect(count(store, "SELECT count(*) FROM events")).toBe(200);
    expect(store.range({ before: 251, limit: 60 }).map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => 191 + i));
  });
});

describe("seq never goes back", () => {
  it("continues after a clean close, without a jump", () => {
    const path = freshPath();
    let store = openStore(path);
    for (let i = 0; i < 5; i++) store.append("text_delta", `a${i}`, i);
    store.close();
    store = openStore(path);
    expect(store.head()).toBe(5);
    expect(store.oldest()).toBe(1);
    expect(store.append("upstream", "connected", 9).seq).toBe(6);
    expect(store.range({ after: 0, limit: 10 }).map((e) => e.data)).toEqual(["a0", "a1", "a2", "a3", "a4", "connected"]);
  });

  it("continues after everything was pruned (the meta row), and oldest is head + 1", async () => {
    const path = freshPath();
    let store = openStore(path, { retainMs: 1000, pruneEveryMs: 10 });
    for (let i = 0; i < 30; i++) store.append("text_delta", `old ${i}`, 1000 + i); // long ago
    await vi.waitFor(() => expect(store.oldest()).toBe(31), { timeout: 10_000, interval: 10 });
    expect(count(store, "SELECT count(*) FROM events")).toBe(0);
    expect(store.head()).toBe(30);
    store.close();
    store = openStore(path);
    expect(store.head()).toBe(30);
    expect(store.oldest()).toBe(31);
    expect(store.range({ after: 0, limit: 10 })).toEqual([]);
    expect(store.append("text_delta", "new", Date.now()).seq).toBe(31);
  });

  it("after a crash (no close), seq jumps past every seq that may have been handed out", () => {
    const path = freshPath();
    const store = openStore(path, { flushEvents: 100, flushMs: 60_000 });
    for (let i = 0; i < 150; i++) store.append("text_delta", `x${i}`, i); // 100 written, 50 only in memory
    // The crash: the process would die here. Reopening the file from another connection sees the committed state.
    open.splice(open.indexOf(store), 1);
    const copy = join(tmp, `crash-copy-${n}.sqlite`);
    store.db.prepare("VACUUM INTO ?").run(copy);
    const reopened = openStore(copy);
    expect(reopened.range({ after: 0, limit: 1000 }).map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(reopened.append("text_delta", "after", 1).seq).toBeGreaterThan(150);
    store.close();
  });
});

describe("search", () => {
  it("plain words are FTS5 phrases: punctuation, quotes and operators are text", () => {
    const store = openStore(freshPath());
    store.append("text_delta", 'He said "hello world" (NEAR the end) and OR-ed it: a|b', 1);
    store.append("text_delta", "héllo wörld, written with accents", 2);
    expect(store.search('"hello', 10).map((h) => h.seq)).toEqual([2, 1]); // diacritics folded
    expect(store.search("OR-ed", 10).map((h) => h.seq)).toEqual([1]);
    expect(store.search("(NEAR", 10).map((h) => h.seq)).toEqual([1]);
    expect(store.search("wor*", 10).map((h) => h.seq)).toEqual([2, 1]);
    const [hit] = store.search("accents", 10);
    expect(hit?.snippet).toBe("héllo wörld, written with accents");
  });

  it("a long event gives a short snippet around the match, with … where it was cut", () => {
    const store = openStore(freshPath());
    const text = `${"lorem ipsum dolor ".repeat(40)}the needle is here ${"sit amet ".repeat(40)}`;
    store.append("text_delta", text, 1);
    const [hit] = store.search("needle", 5);
    expect(hit?.snippet).toContain("needle");
    expect(hit?.snippet.length).toBeLessThan(200);
    expect(hit?.snippet).toMatch(/^…|…$/);
  });

  it('searchSyntax "fts5": phrases, OR, NEAR, prefix and the data column work; hostile queries are HistoryQueryError without SQL', () => {
    const store = openStore(freshPath(), { searchSyntax: "fts5" });
    store.append("text_delta", "the quick brown fox", 1);
    store.append("text_delta", "a lazy dog sleeps", 2);
    expect(store.search('"quick brown"', 10).map((h) => h.seq)).toEqual([1]);
    expect(store.search("fox OR dog", 10).map((h) => h.seq)).toEqual([2, 1]);
    expect(store.search("NEAR(quick fox, 2)", 10).map((h) => h.seq)).toEqual([1]);
    expect(store.search("laz*", 10).map((h) => h.seq)).toEqual([2]);
    expect(store.search("data:sleeps", 10).map((h) => h.seq)).toEqual([2]);
    expect(store.search("fox NOT quick", 10)).toEqual([]);
    const refused: Record<string, string> = {};
    for (const q of HOSTILE_QUERIES) {
      try {
        store.search(q, 10);
      } catch (err) {
        expect(err).toBeInstanceOf(HistoryQueryError);
        refused[q.slice(0, 24)] = (err as Error).message;
      }
    }
    for (const q of ['"unbalanced', "NEAR(", "*", "nosuchcolumn:word", "seq:1", "(", "a AND (b OR"]) expect(refused).toHaveProperty([q]);
    expect(refused.seq).toBeUndefined();
    expect(refused["seq:1"]).toBe('the search query names an unknown column "seq" (the only column is "data")');
    expect(refused['"unbalanced']).toMatch(/^the search query is not valid FTS5 syntax/);
    for (const message of Object.values(refused)) expect(message).not.toMatch(/SELECT|events_fts|snippet|sqlite|rowid/i);
    // Still working afterwards.
    expect(store.search("fox", 10)).toHaveLength(1);
  });
});

describe("snapshots", () => {
  it("dedupe against the last stored body, also after a reopen", () => {
    const path = freshPath();
    let store = openStore(path);
    store.snapshot("/dashboard/status", "A", 1);
    store.snapshot("/dashboard/status", "A", 2);
    store.snapshot("/dashboard/status", "B", 3);
    store.snapshot("/dashboard/status", "A", 4);
    store.close();
    store = openStore(path);
    store.snapshot("/dashboard/status", "A", 5); // same as the last stored: not stored
    store.snapshot("/dashboard/status", "C", 6);
    expect(store.snapshots("/dashboard/status")).toEqual([
      { at: 1, body: "A" },
      { at: 3, body: "B" },
      { at: 4, body: "A" },
      { at: 6, body: "C" },
    ]);
    // Only the newer ones, stored or still in the write buffer (the usage ledger asks for what is new since its last look).
    store.snapshot("/dashboard/status", "D", 7);
    expect(store.snapshots("/dashboard/status", 4)).toEqual([
      { at: 6, body: "C" },
      { at: 7, body: "D" },
    ]);
    expect(store.snapshots("/dashboard/status", 7)).toEqual([]);
    expect(store.oldestSnapshotAt("/dashboard/status")).toBe(1);
    expect(store.oldestSnapshotAt("/dashboard/tasks")).toBeUndefined();
  });
});

/** The FTS index agrees with the events table: integrity-check passes and it holds one row per text event. */
function expectFtsInStep(store: SqliteStore): void {
  store.db.exec("INSERT INTO events_fts (events_fts, rank) VALUES ('integrity-check', 1)");
  expect(count(store, "SELECT count(*) FROM events_fts_docsize")).toBe(count(store, "SELECT count(*) FROM text_events"));
}

describe("retention", () => {
  it("by age: the oldest events go in batches, oldest() moves, the FTS index follows, old snapshots go (the last per path stays)", async () => {
    const store = openStore(freshPath(), { retainMs: 60_000, pruneEveryMs: 20, pruneBatch: 100 });
    const now = Date.now();
    for (let i = 0; i < 1000; i++)
      store.append(i % 3 === 0 ? "tool_activity" : "text_delta", `ancient ${words[i % 8]} ${i}`, now - 3_600_000 + i);
    for (let i = 0; i < 20; i++) store.append("text_delta", `recent ${words[i % 8]} ${i}`, now + i);
    store.snapshot("/dashboard/tasks", "[1]", now - 3_600_000);
    store.snapshot("/dashboard/tasks", "[2]", now - 3_500_000);
    store.snapshot("/dashboard/status", "{}", now - 3_600_000);
    store.flush();
    expect(store.search("ancient", 5)).toHaveLength(5);
    await vi.waitFor(() => expect(store.oldest()).toBe(1001), { timeout: 10_000, interval: 10 });
    expect(store.head()).toBe(1020);
    expect(store.range({ after: 0, limit: 5 }).map((e) => e.seq)).toEqual([1001, 1002, 1003, 1004, 1005]);
    expect(store.search("ancient", 5)).toEqual([]);
    expect(store.search("recent", 50)).toHaveLength(20);
    expectFtsInStep(store);
    expect(store.snapshots("/dashboard/tasks")).toEqual([{ at: now - 3_500_000, body: "[2]" }]);
    expect(store.oldestSnapshotAt("/dashboard/tasks")).toBe(now - 3_500_000);
    expect(store.snapshots("/dashboard/status")).toHaveLength(1);
  });

  it("by size: the database stays near maxBytes while ingest goes on, oldest moves, FTS in step", async () => {
    const maxBytes = 2 * 1024 * 1024;
    const store = openStore(freshPath(), { maxBytes, pruneEveryMs: 20, pruneBatch: 500 });
    const chunk = `${words.join(" ")} `.repeat(8); // ~400 bytes of words
    let worstAppendMs = 0;
    for (let round = 0; round < 40; round++) {
      const t0 = performance.now();
      for (let i = 0; i < 500; i++) store.append("text_delta", `${round}-${i} ${chunk}`, Date.now());
      worstAppendMs = Math.max(worstAppendMs, performance.now() - t0);
      await new Promise((r) => setTimeout(r, 5)); // let the pruner in, like a live stream would
    }
    // 20,000 events of ~450 bytes (≈ 9 MB of text, more with the index) into a 2 MiB budget.
    await vi.waitFor(() => expect(store.usedBytes()).toBeLessThanOrEqual(maxBytes), { timeout: 10_000, interval: 20 });
    expect(store.oldest()).toBeGreaterThan(10_000);
    expect(store.head()).toBe(20_000);
    const kept = store.range({ after: 0, limit: 100_000 });
    expect(kept[0]?.seq).toBe(store.oldest());
    expect(kept.at(-1)?.seq).toBe(20_000);
    expect(kept.length).toBe(20_000 - store.oldest() + 1); // a contiguous tail
    expectFtsInStep(store);
    console.log(
      `history retention by size: ${store.head() - store.oldest() + 1} events kept in ${(store.usedBytes() / 1024).toFixed(0)} KiB used (limit ${maxBytes / 1024} KiB); worst 500-append round ${worstAppendMs.toFixed(1)} ms`,
    );
  });
});

describe("failures", () => {
  it("read-only: degraded with a clear message, appends go on in memory (bounded), then recover and write", async () => {
    const store = openStore(freshPath(), { flushMs: 10, retryMs: 50, memoryEvents: 100 });
    for (let i = 1; i <= 10; i++) store.append("text_delta", `before ${i}`, i);
    store.flush();
    store.db.pragma("query_only = 1"); // the connection can no longer write, as with a read-only file or mount
    for (let i = 11; i <= 20; i++) store.append("text_delta", `during ${i}`, i);
    await vi.waitFor(() => expect(store.degraded).toMatch(/^history is not being written: the database is read-only/), {
      timeout: 10_000,
      interval: 5,
    });
    expect(logs.some((l) => l.includes("read-only"))).toBe(true);
    expect(store.degraded).not.toMatch(/INSERT|SELECT|VALUES|events_fts/);
    // The live view goes on: seq continues, range and search see what is only in memory.
    expect(store.append("text_delta", "during 21 zulu", 21).seq).toBe(21);
    expect(store.range({ after: 8, limit: 5 }).map((e) => e.seq)).toEqual([9, 10, 11, 12, 13]);
    expect(store.range({ before: 22, limit: 3 }).map((e) => e.seq)).toEqual([19, 20, 21]);
    expect(store.search("zulu", 5).map((h) => h.seq)).toEqual([21]);
    expect(store.search("before", 50)).toHaveLength(10);
    // Memory is bounded: the oldest unwritten events go first, and the message says history has a hole.
    for (let i = 22; i <= 300; i++) store.append("tool_activity", "Read", i);
    expect(store.range({ after: 10, limit: 1000 })).toHaveLength(100);
    expect(store.range({ after: 10, limit: 1 })[0]?.seq).toBe(201);
    expect(store.degraded).toMatch(/190 dropped from memory so far: history has a hole/);
    expect(store.oldest()).toBe(1);
    // Writable again: the retry writes what memory still holds, and degraded clears.
    store.db.pragma("query_only = 0");
    await vi.waitFor(() => expect(store.degraded).toBeNull(), { timeout: 10_000, interval: 10 });
    expect(count(store, "SELECT count(*) FROM events")).toBe(110);
    expect(logs.some((l) => /writing again \(190 events were lost/.test(l))).toBe(true);
    expect(store.append("text_delta", "after", 301).seq).toBe(301);
  });

  it("disk full (SQLITE_FULL via max_page_count): degraded, live goes on, recovers when there is room", async () => {
    const store = openStore(freshPath(), { flushMs: 5, retryMs: 50 });
    store.append("text_delta", "fits", 1);
    store.flush();
    const pages = store.db.pragma("page_count", { simple: true }) as number;
    store.db.pragma(`max_page_count = ${pages + 2}`);
    for (let i = 0; i < 50; i++) store.append("text_delta", `${"big ".repeat(2000)} ${i}`, 2 + i);
    await vi.waitFor(
      () =>
        expect(store.degraded).toBe(
          "history is not being written: the disk is full (SQLITE_FULL); live events go on, the newest 100000 kept in memory",
        ),
      {
        timeout: 10_000,
        interval: 5,
      },
    );
    expect(store.head()).toBe(51);
    expect(store.range({ after: 49, limit: 5 }).map((e) => e.seq)).toEqual([50, 51]);
    store.db.pragma("max_page_count = 1000000");
    await vi.waitFor(() => expect(store.degraded).toBeNull(), { timeout: 10_000, interval: 10 });
    expect(count(store, "SELECT count(*) FROM events")).toBe(51);
    expectFtsInStep(store);
  });

  it("a corrupt file at start (garbage): a clear message, the file moved aside, a fresh database", () => {
    const path = freshPath();
    openStore(path).close();
    writeFileSync(path, Buffer.from("this is not a sqlite database, just garbage bytes ".repeat(200)));
    const store = openStore(path);
    expect(store.movedAside).toMatch(/history\.sqlite\.corrupt-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
    expect(readFileSync(store.movedAside as string, "utf8")).toMatch(/^this is not a sqlite database/);
    expect(logs.join("\n")).toMatch(
      /is not a readable database \(.*SQLITE_NOTADB.*\); moved it aside to .*corrupt-.* and started a fresh history/,
    );
    expect(store.head()).toBe(0);
    expect(store.append("text_delta", "fresh", 1).seq).toBe(1);
  });

  it("a corrupt file at start (valid header, damaged schema page): moved aside too", () => {
    const path = freshPath();
    const first = openStore(path);
    for (let i = 0; i < 100; i++) first.append("text_delta", `x ${i}`, i);
    first.close();
    const bytes = readFileSync(path);
    bytes.fill(0xa5, 100, 4096); // page 1 after the 100-byte header: sqlite_schema's b-tree
    writeFileSync(path, bytes);
    const store = openStore(path);
    expect(store.movedAside).not.toBeNull();
    expect(readdirSync(join(path, "..")).filter((f) => f.includes(".corrupt-"))).toHaveLength(1);
    expect(store.head()).toBe(0);
  });

  it("one writer per file: a second store on the same file is refused with a clear message", () => {
    const path = freshPath();
    const store = openStore(path);
    store.append("text_delta", "x", 1);
    expect(() => openSqliteStore(path, { log: () => {} })).toThrow(/in use by another process/);
    expect(store.append("text_delta", "y", 2).seq).toBe(2);
  });

  it("a SQLite file that is not a history is left alone", () => {
    const other = join(tmp, "other.sqlite");
    const db = new Database(other);
    db.exec("CREATE TABLE t (x)");
    db.close();
    expect(() => openSqliteStore(other, { log: () => {} })).toThrow(/not a ductor-dashboard history/);
    expect(existsSync(other)).toBe(true);
  });
});

describe("defaultHistoryPath", () => {
  it("$XDG_STATE_HOME/ductor-dashboard/history.sqlite, else ~/.local/state/…; the folder is created", () => {
    const state = join(tmp, "xdg-state");
    expect(defaultHistoryPath({ XDG_STATE_HOME: state }, "/nonexistent")).toBe(join(state, "ductor-dashboard", "history.sqlite"));
    expect(existsSync(join(state, "ductor-dashboard"))).toBe(true);
    const home = join(tmp, "home");
    expect(defaultHistoryPath({}, home)).toBe(join(home, ".local", "state", "ductor-dashboard", "history.sqlite"));
    expect(defaultHistoryPath({ XDG_STATE_HOME: "relative/is/ignored" }, home)).toBe(
      join(home, ".local", "state", "ductor-dashboard", "history.sqlite"),
    );
    expect(existsSync(join(home, ".local", "state", "ductor-dashboard"))).toBe(true);
  });
});
