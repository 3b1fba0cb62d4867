/**
 * `--since` against a relay: which seq to pass as the stream's `since`. The relay has no time query, so a time
 * is found by a binary search over one-event history pages by `at`. Shell-free: it reads a `history.page`
 * (`client.history`, or a fake in tests).
 */
import { findSeqAt, type HistoryPage, type HistoryPager } from "@ductor/dashboard-client";
import type { SinceSpec } from "./args.js";

export type HistoryReader = HistoryPager;

export interface ResolvedSince {
  /** The stream's `since`: every retained event after it is printed first. */
  since: number;
  /** The relay's head and oldest when asked. */
  head: number;
  oldest: number;
}

/**
 * The smallest seq from which on every retained event arrived at or after `at` (`head + 1` when none did), so
 * the stream's `since` is one less (the client's search over one-event pages).
 */
export function seqAtTime(history: HistoryReader, at: number, first: HistoryPage, signal?: AbortSignal): Promise<number> {
  return findSeqAt(history, at, signal ? { first, signal } : { first });
}

/**
 * The stream's `since` for `spec` (not `now`), asking the relay's history. A plain ductor has no history and
 * answers 404: the caller turns that NotFoundError into "needs a relay".
 */
export async function resolveSince(
  history: HistoryReader,
  spec: Exclude<SinceSpec, { kind: "now" }>,
  now: number,
  signal?: AbortSignal,
): Promise<ResolvedSince> {
  const first = await history.page({ after: 0 }, { limit: 1, ...(signal ? { signal } : {}) });
  const base = { head: first.head, oldest: first.oldest };
  switch (spec.kind) {
    case "seq":
      return { since: spec.seq, ...base };
    case "all":
      // From the oldest retained event: asking for 0 would announce the pruned range as a gap.
      return { since: Math.max(0, first.oldest - 1), ...base };
    case "ago":
    case "at": {
      const at = spec.kind === "ago" ? now - spec.ms : spec.epochMs;
      return { since: (await seqAtTime(history, at, first, signal)) - 1, ...base };
    }
  }
}
