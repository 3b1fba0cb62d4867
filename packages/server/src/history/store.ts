/**
 * The relay's history: every frame viewers receive, numbered. Two implementations share this interface:
 * SQLite on disk (`sqlite-store.ts`) and a bounded in-memory ring (`ring-store.ts`, for `--no-history`).
 *
 * Contract (the viewer wire protocol relies on it):
 * - `append` assigns the next `seq` synchronously (per server, increasing, never reused, also across restarts
 *   of the relay) and the event is readable by `range` at once, even before it is written to disk.
 * - `seq` numbers exactly what viewers receive: stream events and `upstream` lifecycle rows. REST snapshots
 *   are kept apart (`snapshot`) and take no `seq`.
 * - `oldest` is the oldest retained seq; after pruning, everything in `(0, oldest)` is gone. With nothing
 *   stored, `head` is the last seq ever assigned (0 at first) and `oldest` is `head + 1`.
 */

/** What viewers receive, less the wire encoding. `data` is a string, or null (system_status clears). */
export interface HistoryEvent {
  seq: number;
  /** Arrival at the relay, ms since the epoch. */
  at: number;
  /** "text_delta" | "tool_activity" | "system_status" | "upstream" | any type ductor adds later. */
  type: string;
  data: string | null;
}

export interface SearchHit {
  seq: number;
  at: number;
  /** A short excerpt around the match, plain text (the viewer renders it as text). */
  snippet: string;
}

/** A query the search cannot run (FTS syntax error, empty, too long): answered with 400 and this message. */
export class HistoryQueryError extends Error {
  override name = "HistoryQueryError";
}

export interface HistoryStore {
  append(type: string, data: string | null, at: number): HistoryEvent;
  /** Last seq assigned (0 when none ever was). */
  head(): number;
  /** Oldest retained seq (`head() + 1` when empty). */
  oldest(): number;
  /** Events with `after < seq` (ascending, first `limit`) or `seq < before` (the last `limit`, ascending). */
  range(query: { after: number; limit: number } | { before: number; limit: number }): HistoryEvent[];
  /** Full-text search over text events, newest first. Throws HistoryQueryError for a query it cannot run. */
  search(query: string, limit: number): SearchHit[];
  /** A REST snapshot (status, sessions, tasks), stored only when it differs from the last one for `path`. */
  snapshot(path: string, body: string, at: number): void;
  /** Why history is not being written (read-only file, disk full), or null when all is well. Live goes on. */
  readonly degraded: string | null;
  /** Write what is buffered and close. */
  close(): void;
}
