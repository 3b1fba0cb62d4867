/**
 * The history in memory, for `serve --no-history`: the newest events up to `maxEvents` and `maxBytes`, the
 * oldest dropped first. `seq` starts at 1 in every process (nothing persists). Search is a case-insensitive
 * substring match of every plain word (see query.ts) over `text_delta` events, newest first; REST snapshots
 * keep the newest changed bodies per path (bounded by count and size), so cost over time works here too.
 */
import { checkQuery, clampLimit, eventBytes, plainWords, substringHit } from "./query.js";
import type { HistoryEvent, HistoryStore, SearchHit } from "./store.js";

export interface RingStoreOptions {
  /** Keep at most this many events. Default 100_000. */
  maxEvents?: number;
  /** Keep at most about this many bytes of events (UTF-16 length × 2 + 64 per event). Default 64 MiB. */
  maxBytes?: number;
  /** Keep at most this many changed snapshots per path (the last one always stays). Default 2_000. */
  maxSnapshots?: number;
  /** …and about this many bytes of snapshot bodies per path. Default 16 MiB. */
  maxSnapshotBytes?: number;
}

export interface StoredSnapshot {
  at: number;
  body: string;
}

export interface RingStore extends HistoryStore {
  /** The snapshots kept for `path`, oldest first; with `afterAt`, only those taken after that time (ms). */
  snapshots(path: string, afterAt?: number): StoredSnapshot[];
  /** When the oldest snapshot still kept for `path` was taken, or undefined. */
  oldestSnapshotAt(path: string): number | undefined;
}

export function createRingStore(options: RingStoreOptions = {}): RingStore {
  const maxEvents = Math.max(1, options.maxEvents ?? 100_000);
  const maxBytes = Math.max(1, options.maxBytes ?? 64 * 1024 * 1024);
  // A deque: events[start..] are kept; the dead prefix is cut off once it is as long as what is kept.
  let events: HistoryEvent[] = [];
  let start = 0;
  let bytes = 0;
  let head = 0;
  let closed = false;
  const maxSnapshots = Math.max(1, options.maxSnapshots ?? 2_000);
  const maxSnapshotBytes = Math.max(1, options.maxSnapshotBytes ?? 16 * 1024 * 1024);
  /** Per path: the changed bodies, oldest first, and their size (UTF-16 length × 2). */
  const snapshotsByPath = new Map<string, { list: StoredSnapshot[]; bytes: number }>();

  const size = (): number => events.length - start;
  const dropOldest = (): void => {
    const e = events[start];
    if (!e) return;
    bytes -= eventBytes(e.type, e.data);
    events[start] = undefined as unknown as HistoryEvent;
    start += 1;
    if (start >= 1024 && start * 2 >= events.length) {
      events = events.slice(start);
      start = 0;
    }
  };

  return {
    degraded: null,
    append(type, data, at) {
      if (closed) throw new Error("the history store is closed");
      head += 1;
      const event: HistoryEvent = { seq: head, at, type, data };
      events.push(event);
      bytes += eventBytes(type, data);
      while (size() > 1 && (size() > maxEvents || bytes > maxBytes)) dropOldest();
      return event;
    },
    head: () => head,
    oldest: () => events[start]?.seq ?? head + 1,
    range(query) {
      // seq is contiguous in the ring: events[start + i].seq === oldest + i.
      const oldest = events[start]?.seq ?? head + 1;
      const limit = Math.max(0, Math.trunc(query.limit));
      if ("after" in query) {
        const from = Math.max(oldest, query.after + 1);
        const to = Math.min(head, from + limit - 1);
        return to < from ? [] : events.slice(start + (from - oldest), start + (to - oldest) + 1);
      }
      const to = Math.min(head, query.before - 1);
      const from = Math.max(oldest, to - limit + 1);
      return to < from ? [] : events.slice(start + (from - oldest), start + (to - oldest) + 1);
    },
    search(query, limit) {
      const words = plainWords(checkQuery(query)).map((w) => w.text.toLowerCase());
      const max = clampLimit(limit);
      const hits: SearchHit[] = [];
      for (let i = events.length - 1; i >= start && hits.length < max; i--) {
        const e = events[i];
        const hit = e && substringHit(e, words);
        if (hit) hits.push(hit);
      }
      return hits;
    },
    snapshot(path, body, at) {
      let kept = snapshotsByPath.get(path);
      if (!kept) {
        kept = { list: [], bytes: 0 };
        snapshotsByPath.set(path, kept);
      }
      if (kept.list.at(-1)?.body === body) return;
      kept.list.push({ at, body });
      kept.bytes += body.length * 2;
      while (kept.list.length > 1 && (kept.list.length > maxSnapshots || kept.bytes > maxSnapshotBytes)) {
        kept.bytes -= (kept.list.shift() as StoredSnapshot).body.length * 2;
      }
    },
    snapshots(path, afterAt = Number.MIN_SAFE_INTEGER) {
      return (snapshotsByPath.get(path)?.list ?? []).filter((s) => s.at > afterAt);
    },
    oldestSnapshotAt(path) {
      return snapshotsByPath.get(path)?.list[0]?.at;
    },
    close() {
      closed = true;
    },
  };
}
