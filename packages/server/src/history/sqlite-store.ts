/**
 * The relay's history in a SQLite file (better-sqlite3 12; WAL; FTS5). See the server README's "History" section.
 *
 * Writes are batched: `append` numbers the event and keeps it in a write buffer (readable by `range` at once);
 * the buffer is committed in one transaction `flushMs` (50 ms) after its first event, or at once when it holds
 * `flushEvents` events or `flushBytes` bytes. So a SIGKILL loses at most the last `flushMs` (plus one commit)
 * of events, and what is on disk is always a contiguous run of seq.
 *
 * seq never goes back, also across restarts and after everything was pruned: meta `last_seq` (the last seq
 * written) and `seq_reserved` (the highest seq that may have been handed out before the next commit) are written
 * in every batch's transaction; a reopened store continues after the highest of them and of the stored events.
 * After a clean close the two are equal (no jump); after a crash seq jumps past anything viewers may have seen.
 *
 * Schema (PRAGMA user_version = 1):
 *   events(seq INTEGER PRIMARY KEY, at INTEGER, type TEXT, data TEXT NULL)
 *   text_events: a view of the text_delta events (seq, data), the external content of
 *   events_fts: fts5(data), rowid = seq, kept in step with `events` by triggers (insert and delete)
 *   snapshots(id INTEGER PRIMARY KEY, path TEXT, at INTEGER, body TEXT): a row only when the body changed
 *   meta(key TEXT PRIMARY KEY, value)
 *
 * Failures: a write that fails (read-only, disk full, I/O error) sets `degraded`; appends go on, numbered, into
 * memory (bounded: `memoryEvents`/`memoryBytes`, oldest dropped), and the write is retried every `retryMs`.
 * A file that is not a database, or is corrupt, when opened is moved aside (`<path>.corrupt-<time>`) and a
 * fresh database started.
 *
 * About 500 lines, on purpose: the write buffer, retention and the failure modes share one connection, its
 * prepared statements and the degraded state; the parts without that (query checks, snippets) are in query.ts.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { checkQuery, clampLimit, eventBytes, ftsFromPlain, MAX_QUERY_WORDS, plainWords, SEARCHED_TYPE, substringHit } from "./query.js";
import type { StoredSnapshot } from "./ring-store.js";
import { type HistoryEvent, HistoryQueryError, type HistoryStore, type SearchHit } from "./store.js";

const SCHEMA_VERSION = 1;

export interface SqliteStoreOptions {
  /** Commit the write buffer this long after its first event. Default 50 ms: the SIGKILL loss bound. */
  flushMs?: number;
  /** …or at once when it holds this many events. Also how far seq is reserved ahead. Default 2000. */
  flushEvents?: number;
  /** …or at once when it holds this many bytes (see eventBytes). Default 4 MiB. */
  flushBytes?: number;
  /** Prune events (and snapshots, all but the last per path) older than this. Default: keep forever. */
  retainMs?: number;
  /** Prune the oldest events while the database uses more than this (pages in use × page size). Default: no limit. */
  maxBytes?: number;
  /** How often retention is checked. Default 1000 ms. */
  pruneEveryMs?: number;
  /** Rows deleted per prune transaction; the next one runs in a later event-loop turn. Default 5000. */
  pruneBatch?: number;
  /**
   * "plain" (default): words, each matched as a whole token, `word*` as a prefix; nothing is a syntax error.
   * "fts5": the query is FTS5 syntax, passed through (phrases, AND/OR/NOT, NEAR, column filters); its errors
   * are HistoryQueryError.
   */
  searchSyntax?: "plain" | "fts5";
  /** While degraded, keep at most this many unwritten events in memory. Default 100_000. */
  memoryEvents?: number;
  /** While degraded, keep at most this many bytes of unwritten events in memory. Default 64 MiB. */
  memoryBytes?: number;
  /** While degraded, retry writing this often. Default 5000 ms. */
  retryMs?: number;
  /** Where notices go (a corrupt file moved aside, degraded, recovered). Default: console.warn. */
  log?: (message: string) => void;
}

export interface SqliteStore extends HistoryStore {
  /** The connection, for maintenance and tests. */
  readonly db: Database.Database;
  /** The file moved aside at open because it was corrupt, or null. */
  readonly movedAside: string | null;
  /** Commit the write buffer now. False when it could not be written (see `degraded`). */
  flush(): boolean;
  /** Bytes the database uses: (page_count − freelist_count) × page_size. What `maxBytes` bounds. */
  usedBytes(): number;
  /** The snapshots stored for `path`, oldest first; with `afterAt`, only those stored after that time (ms). */
  snapshots(path: string, afterAt?: number): StoredSnapshot[];
  /** When the oldest snapshot still stored for `path` was taken (retention prunes them), or undefined. */
  oldestSnapshotAt(path: string): number | undefined;
}

/** `$XDG_STATE_HOME/ductor-dashboard/history.sqlite`, else `~/.local/state/ductor-dashboard/history.sqlite`; the folder is created. */
export function defaultHistoryPath(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const state = env.XDG_STATE_HOME?.startsWith("/") ? env.XDG_STATE_HOME : join(home, ".local", "state");
  const dir = join(state, "ductor-dashboard");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return join(dir, "history.sqlite");
}

const SCHEMA = `
CREATE TABLE events (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, type TEXT NOT NULL, data TEXT);
CREATE VIEW text_events AS SELECT seq, data FROM events WHERE type = '${SEARCHED_TYPE}' AND data IS NOT NULL;
CREATE VIRTUAL TABLE events_fts USING fts5(data, content = 'text_events', content_rowid = 'seq', tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER events_fts_insert AFTER INSERT ON events WHEN new.type = '${SEARCHED_TYPE}' AND new.data IS NOT NULL BEGIN
  INSERT INTO events_fts (rowid, data) VALUES (new.seq, new.data);
END;
CREATE TRIGGER events_fts_delete AFTER DELETE ON events WHEN old.type = '${SEARCHED_TYPE}' AND old.data IS NOT NULL BEGIN
  INSERT INTO events_fts (events_fts, rowid, data) VALUES ('delete', old.seq, old.data);
END;
CREATE TABLE snapshots (id INTEGER PRIMARY KEY, path TEXT NOT NULL, at INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX snapshots_path ON snapshots (path, id);
CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
PRAGMA user_version = ${SCHEMA_VERSION};
`;

/** The SQLite error codes that mean "this file is not a usable database": moved aside at open. */
const CORRUPT = new Set(["SQLITE_NOTADB", "SQLITE_CORRUPT"]);

/** A plain-words description of a failed write, for `degraded` (never SQL). */
function describe(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  const c = typeof code === "string" ? code : "";
  if (c.startsWith("SQLITE_READONLY")) return `the database is read-only (${c})`;
  if (c === "SQLITE_FULL") return "the disk is full (SQLITE_FULL)";
  if (c.startsWith("SQLITE_IOERR")) return `a disk I/O error (${c})`;
  if (c.startsWith("SQLITE_CORRUPT")) return `the database file is corrupt (${c}); restart to move it aside`;
  if (c.startsWith("SQLITE_BUSY") || c.startsWith("SQLITE_LOCKED")) return `the database is locked (${c})`;
  if (c.startsWith("SQLITE_CANTOPEN")) return `the database file cannot be opened (${c})`;
  if (c === "SQLITE_NOTADB") return "the file is not a SQLite database (SQLITE_NOTADB)";
  const message = err instanceof Error ? err.message : String(err);
  return c ? `${message} (${c})` : message;
}

function isCorrupt(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" && (CORRUPT.has(code) || code.startsWith("SQLITE_CORRUPT"));
}

/** An FTS5 error as a message for the user (no SQL); null when the error is not about the query. */
function queryErrorMessage(err: unknown): string | null {
  if ((err as { code?: unknown })?.code !== "SQLITE_ERROR" || !(err instanceof Error)) return null;
  const m = err.message;
  const column = /^no such column: (.*)$/u.exec(m);
  if (column) return `the search query names an unknown column "${column[1]}" (the only column is "data")`;
  if (/^fts5: |^unterminated string|^unknown special query|^fts5 /u.test(m))
    return `the search query is not valid FTS5 syntax: ${m.replace(/^fts5: /u, "")}`;
  return "the search query is not valid FTS5 syntax";
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/gu, "-");
}

interface Opened {
  db: Database.Database;
  movedAside: string | null;
}

function openDatabase(path: string): Database.Database {
  const db = new Database(path, { timeout: 250 });
  try {
    // One writer per file: a second relay on the same file would hand out the same seqs. The lock is taken at
    // the first write below and held until close; the WAL index then lives in the process, not in a -shm file.
    db.pragma("locking_mode = EXCLUSIVE");
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version === 0) {
      const tables = db.prepare("SELECT count(*) FROM sqlite_schema").pluck().get() as number;
      if (tables > 0)
        throw new Error(`${path} is a SQLite database but not a ductor-dashboard history (no schema version); not touching it`);
      db.exec(SCHEMA);
    } else if (version > SCHEMA_VERSION) {
      throw new Error(`${path} was written by a newer ductor-dashboard (history schema ${version}, this one knows ${SCHEMA_VERSION})`);
    }
    // Read the parts used at once (schema, tail, meta): most corruption shows here rather than mid-run.
    db.prepare("SELECT max(seq), min(seq) FROM events").get();
    db.prepare("SELECT count(*) FROM meta").get();
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function openOrRecover(path: string, log: (message: string) => void): Opened {
  try {
    return { db: openDatabase(path), movedAside: null };
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    if (code === "SQLITE_BUSY")
      throw new Error(
        `the history database ${path} is in use by another process (another ductor-dashboard serve?); use --history PATH or --no-history`,
      );
    if (!isCorrupt(err)) {
      if (typeof code === "string") throw new Error(`cannot open the history database ${path}: ${describe(err)}`, { cause: err });
      throw err;
    }
    const aside = `${path}.corrupt-${timestamp()}`;
    renameSync(path, aside);
    if (existsSync(`${path}-wal`)) renameSync(`${path}-wal`, `${aside}-wal`);
    rmSync(`${path}-shm`, { force: true });
    log(`history: ${path} is not a readable database (${describe(err)}); moved it aside to ${aside} and started a fresh history`);
    return { db: openDatabase(path), movedAside: aside };
  }
}

interface PendingSnapshot {
  path: string;
  at: number;
  body: string;
}

export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  const flushMs = options.flushMs ?? 50;
  const flushEvents = Math.max(1, options.flushEvents ?? 2000);
  const flushBytes = options.flushBytes ?? 4 * 1024 * 1024;
  const pruneEveryMs = options.pruneEveryMs ?? 1000;
  const pruneBatch = Math.max(1, options.pruneBatch ?? 5000);
  const memoryEvents = Math.max(1, options.memoryEvents ?? 100_000);
  const memoryBytes = options.memoryBytes ?? 64 * 1024 * 1024;
  const retryMs = options.retryMs ?? 5000;
  const syntax = options.searchSyntax ?? "plain";
  const log = options.log ?? ((message: string) => console.warn(message));

  mkdirSync(dirname(path), { recursive: true });
  const { db, movedAside } = openOrRecover(path, log);

  const insertEvent = db.prepare<[number, number, string, string | null]>("INSERT INTO events (seq, at, type, data) VALUES (?, ?, ?, ?)");
  const insertSnapshot = db.prepare<[string, number, string]>("INSERT INTO snapshots (path, at, body) VALUES (?, ?, ?)");
  const setMeta = db.prepare<[string, number]>(
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  );
  const getMeta = db.prepare<[string]>("SELECT value FROM meta WHERE key = ?").pluck();
  const selectAfter = db.prepare<[number, number], HistoryEvent>(
    "SELECT seq, at, type, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
  );
  const selectBefore = db.prepare<[number, number], HistoryEvent>(
    "SELECT seq, at, type, data FROM events WHERE seq < ? ORDER BY seq DESC LIMIT ?",
  );
  const selectMin = db.prepare("SELECT min(seq) FROM events").pluck();
  const selectMax = db.prepare("SELECT max(seq) FROM events").pluck();
  const selectOldest = db.prepare<[number], { seq: number; at: number }>("SELECT seq, at FROM events ORDER BY seq LIMIT ?");
  const selectNth = db.prepare<[number]>("SELECT seq FROM events ORDER BY seq LIMIT 1 OFFSET ?").pluck();
  const deleteUpTo = db.prepare<[number]>("DELETE FROM events WHERE seq <= ?");
  const deleteOldSnapshots = db.prepare<[number, number]>(
    `DELETE FROM snapshots WHERE id IN (SELECT id FROM snapshots WHERE at < ? AND id NOT IN (SELECT max(id) FROM snapshots GROUP BY path) ORDER BY id LIMIT ?)`,
  );
  const deleteFirstSnapshots = db.prepare<[number]>(
    `DELETE FROM snapshots WHERE id IN (SELECT id FROM snapshots WHERE id NOT IN (SELECT max(id) FROM snapshots GROUP BY path) ORDER BY id LIMIT ?)`,
  );
  const ftsMerge = db.prepare("INSERT INTO events_fts (events_fts, rank) VALUES ('merge', 64)");
  const searchFts = db.prepare<[string, number], SearchHit>(
    `SELECT h.seq AS seq, e.at AS at, h.snippet AS snippet FROM (
       SELECT rowid AS seq, snippet(events_fts, 0, '', '', '…', 16) AS snippet FROM events_fts WHERE events_fts MATCH ? ORDER BY rowid DESC LIMIT ?
     ) AS h JOIN events AS e ON e.seq = h.seq ORDER BY h.seq DESC`,
  );
  // Reads only the rows after a time: the usage ledger asks for what is new since its last look, not every body.
  const selectSnapshots = db.prepare<[string, number], StoredSnapshot>(
    "SELECT at, body FROM snapshots WHERE path = ? AND at > ? ORDER BY id",
  );
  const selectOldestSnapshot = db.prepare<[string], { at: number | null }>("SELECT min(at) AS at FROM snapshots WHERE path = ?");

  const storedMax = (selectMax.get() as number | null) ?? 0;
  let head = Math.max(storedMax, Number(getMeta.get("last_seq") ?? 0), Number(getMeta.get("seq_reserved") ?? 0));
  /** Oldest and newest seq on disk, or null with none. */
  let diskOldest = (selectMin.get() as number | null) ?? null;
  let diskHead = diskOldest === null ? null : storedMax;
  const lastBody = new Map<string, string>();
  for (const row of db.prepare("SELECT path, body FROM snapshots WHERE id IN (SELECT max(id) FROM snapshots GROUP BY path)").all() as {
    path: string;
    body: string;
  }[])
    lastBody.set(row.path, row.body);

  /** Events numbered but not yet committed, ascending (all newer than anything on disk). */
  let pending: HistoryEvent[] = [];
  let pendingBytes = 0;
  let pendingSnapshots: PendingSnapshot[] = [];
  /** Events dropped from memory while degraded: a hole in the history. */
  let dropped = 0;
  /** Why writing fails, or null. */
  let failure: string | null = null;
  let closed = false;
  let flushTimer: NodeJS.Timeout | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let pruneTimer: NodeJS.Timeout | null = null;

  const writeBatch = db.transaction((events: HistoryEvent[], snapshots: PendingSnapshot[], reserved: number) => {
    for (const e of events) insertEvent.run(e.seq, e.at, e.type, e.data);
    for (const s of snapshots) insertSnapshot.run(s.path, s.at, s.body);
    setMeta.run("last_seq", head);
    setMeta.run("seq_reserved", reserved);
  });

  const degradedMessage = (): string | null =>
    failure === null
      ? null
      : `history is not being written: ${failure}; live events go on, the newest ${memoryEvents} kept in memory` +
        (dropped > 0 ? ` (${dropped} dropped from memory so far: history has a hole)` : "");
  const setDegraded = (err: unknown): void => {
    const first = failure === null;
    failure = describe(err);
    if (first) log(`history: ${degradedMessage()}`);
    if (!retryTimer && !closed) {
      retryTimer = setInterval(() => flush(), retryMs);
      retryTimer.unref();
    }
  };

  /** Commit the buffer; `reserved` is the highest seq that may be handed out before the next commit. */
  function flush(reserved: number = head + flushEvents): boolean {
    if (flushTimer) {
      clearTimeout(flushTimer);
      flushTimer = null;
    }
    if (closed) return false;
    try {
      writeBatch(pending, pendingSnapshots, reserved);
    } catch (err) {
      setDegraded(err);
      return false;
    }
    const last = pending.at(-1);
    if (last) {
      diskOldest ??= pending[0]?.seq ?? null;
      diskHead = last.seq;
    }
    pending = [];
    pendingBytes = 0;
    pendingSnapshots = [];
    if (failure !== null) {
      log(`history: writing again${dropped > 0 ? ` (${dropped} events were lost while it could not)` : ""}`);
      failure = null;
      dropped = 0;
      if (retryTimer) clearInterval(retryTimer);
      retryTimer = null;
    }
    return true;
  }

  const scheduleFlush = (): void => {
    if (flushTimer || failure !== null || closed) return;
    flushTimer = setTimeout(() => flush(), flushMs);
    flushTimer.unref();
  };

  /** Delete events up to `seq` (the FTS triggers follow) and move `diskOldest`. */
  const prunePrefix = (seq: number): number => {
    const deleted = deleteUpTo.run(seq).changes;
    diskOldest = (selectMin.get() as number | null) ?? null;
    if (diskOldest === null) diskHead = null;
    return deleted;
  };

  const usedBytes = (): number => {
    const pageSize = db.pragma("page_size", { simple: true }) as number;
    const pages = db.pragma("page_count", { simple: true }) as number;
    const free = db.pragma("freelist_count", { simple: true }) as number;
    return (pages - free) * pageSize;
  };

  /** One prune step: at most `pruneBatch` rows. True when there may be more to do right away. */
  const pruneStep = (): boolean => {
    if (failure !== null || closed) return false;
    let busy = false;
    try {
      if (options.retainMs !== undefined) {
        const cutoff = Date.now() - options.retainMs;
        const rows = (selectOldest.get(1)?.at ?? cutoff) < cutoff ? selectOldest.all(pruneBatch) : [];
        let upTo = 0;
        for (const row of rows) {
          if (row.at >= cutoff) break;
          upTo = row.seq;
        }
        // A prefix only: everything below `oldest` is gone, nothing above it is (a clock that went back waits).
        if (upTo > 0 && prunePrefix(upTo) >= pruneBatch) busy = true;
        if (deleteOldSnapshots.run(cutoff, pruneBatch).changes >= pruneBatch) busy = true;
      }
      if (!busy && options.maxBytes !== undefined) {
        const used = usedBytes();
        if (used > options.maxBytes) {
          busy = true;
          if (diskOldest !== null && diskHead !== null) {
            // Prune to 90% of the limit, so that not every tick prunes; count estimated from the average row.
            const rows = diskHead - diskOldest + 1;
            const share = (used - options.maxBytes * 0.9) / used;
            const n = Math.min(pruneBatch, Math.max(1, Math.ceil(rows * share)));
            const upTo = (selectNth.get(n - 1) as number | undefined) ?? diskHead;
            prunePrefix(upTo);
            // Fold the FTS delete markers into the index now and then, so its pages come free too.
            ftsMerge.run();
          } else if (deleteFirstSnapshots.run(pruneBatch).changes === 0) {
            busy = false; // nothing left that may go
          }
        }
      }
    } catch (err) {
      setDegraded(err);
      return false;
    }
    return busy;
  };

  const schedulePrune = (delay: number): void => {
    if (closed || (options.retainMs === undefined && options.maxBytes === undefined)) return;
    pruneTimer = setTimeout(() => {
      pruneTimer = null;
      // More to do: the next batch after a short pause, so ingest and viewers get the event loop in between.
      schedulePrune(pruneStep() ? 5 : pruneEveryMs);
    }, delay);
    pruneTimer.unref();
  };

  // Reserve seqs ahead before any is handed out (a crash before the first commit must not reuse them).
  flush();
  schedulePrune(0);

  const trimMemory = (): void => {
    while (pending.length > 1 && (pending.length > memoryEvents || pendingBytes > memoryBytes)) {
      const e = pending.shift() as HistoryEvent;
      pendingBytes -= eventBytes(e.type, e.data);
      dropped += 1;
    }
  };

  return {
    db,
    movedAside,
    get degraded() {
      return degradedMessage();
    },
    append(type, data, at) {
      if (closed) throw new Error("the history store is closed");
      head += 1;
      const event: HistoryEvent = { seq: head, at, type, data };
      pending.push(event);
      pendingBytes += eventBytes(type, data);
      if (failure !== null) trimMemory();
      else if (pending.length >= flushEvents || pendingBytes >= flushBytes) flush();
      else scheduleFlush();
      return event;
    },
    head: () => head,
    oldest: () => diskOldest ?? pending[0]?.seq ?? head + 1,
    range(query) {
      const limit = Math.max(0, Math.trunc(query.limit));
      if (limit === 0) return [];
      if ("after" in query) {
        const out = diskHead !== null && query.after < diskHead ? selectAfter.all(query.after, limit) : [];
        for (let i = firstAbove(pending, query.after); i < pending.length && out.length < limit; i++) out.push(pending[i] as HistoryEvent);
        return out;
      }
      const end = firstAbove(pending, query.before - 1); // pending[..end) have seq < before
      const fromMemory = pending.slice(Math.max(0, end - limit), end);
      if (fromMemory.length >= limit || diskOldest === null || query.before <= diskOldest) return fromMemory;
      const fromDisk = selectBefore.all(query.before, limit - fromMemory.length).reverse();
      return fromDisk.concat(fromMemory);
    },
    search(query, limit) {
      const q = checkQuery(query);
      let match: string;
      let words: string[] | null = null;
      if (syntax === "plain") {
        const plain = plainWords(q);
        match = ftsFromPlain(plain);
        words = plain.map((w) => w.text.toLowerCase());
      } else {
        if (q.split(/\s+/u).length > MAX_QUERY_WORDS * 2)
          throw new HistoryQueryError(`the search query has too many terms (over ${MAX_QUERY_WORDS * 2})`);
        match = q;
      }
      const max = clampLimit(limit);
      if (max === 0) return [];
      if (failure === null) flush(); // what was just appended is searchable too
      // While degraded, the newest events are only in memory: a substring match there (plain words), newest first.
      const hits: SearchHit[] = [];
      if (words)
        for (let i = pending.length - 1; i >= 0 && hits.length < max; i--) {
          const hit = substringHit(pending[i] as HistoryEvent, words);
          if (hit) hits.push(hit);
        }
      if (hits.length >= max) return hits;
      try {
        return hits.concat(searchFts.all(match, max - hits.length));
      } catch (err) {
        const message = queryErrorMessage(err);
        if (message !== null) throw new HistoryQueryError(message);
        throw new Error(`history search failed: ${describe(err)}`);
      }
    },
    snapshot(path, body, at) {
      if (lastBody.get(path) === body) return;
      lastBody.set(path, body);
      pendingSnapshots.push({ path, at, body });
      scheduleFlush();
    },
    snapshots(path, afterAt = Number.MIN_SAFE_INTEGER) {
      if (failure === null) flush();
      const stored = selectSnapshots.all(path, afterAt);
      return stored.concat(pendingSnapshots.filter((s) => s.path === path && s.at > afterAt).map(({ at, body }) => ({ at, body })));
    },
    oldestSnapshotAt(path) {
      if (failure === null) flush();
      const stored = selectOldestSnapshot.get(path)?.at;
      return stored ?? pendingSnapshots.find((s) => s.path === path)?.at;
    },
    flush: () => flush(),
    usedBytes,
    close() {
      if (closed) return;
      // The exact head as the reservation: a clean restart continues at head + 1, without a jump.
      const ok = flush(head);
      if (!ok && pending.length > 0) log(`history: ${pending.length} events could not be written before closing (${failure})`);
      closed = true;
      for (const t of [flushTimer, pruneTimer]) if (t) clearTimeout(t);
      if (retryTimer) clearInterval(retryTimer);
      db.close();
    },
  };
}

/** The index of the first event with seq > `seq` in ascending `events` (binary search). */
function firstAbove(events: HistoryEvent[], seq: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((events[mid] as HistoryEvent).seq > seq) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
