/**
 * Opens the history store `serve` asked for: a SQLite file (`history: path`) or the bounded in-memory ring
 * (`history: false`). The stores themselves live in src/history/ (built against src/history/store.ts).
 */
import { createRingStore } from "../history/ring-store.js";
import { openSqliteStore } from "../history/sqlite-store.js";
import type { HistoryStore } from "../history/store.js";

export { defaultHistoryPath } from "../history/sqlite-store.js";

export interface OpenStoreOptions {
  /** A SQLite file path, or false for the in-memory ring. */
  history: string | false;
  /** Prune events older than this (SQLite only: the ring is bounded by size and count). */
  retainMs?: number;
  /** The file's size bound (SQLite), or the ring's memory bound. */
  maxBytes?: number;
  /** The store's notices (a corrupt file moved aside, degraded, recovered). */
  log?: (line: string) => void;
}

export function openHistoryStore(options: OpenStoreOptions): HistoryStore {
  if (options.history === false) return createRingStore(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {});
  return openSqliteStore(options.history, {
    ...(options.retainMs !== undefined ? { retainMs: options.retainMs } : {}),
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
}
