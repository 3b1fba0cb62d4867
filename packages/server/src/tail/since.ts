/**
 * `--since` against a relay: which seq to pass as the stream's `since`. The relay has no time query, so a time
 * is found by a binary search over one-event history pages by `at`. Shell-free: it reads a `history.page`
 * (`client.history`, or a fake in tests).
 */
import type { HistoryPage, HistoryPageOptions, HistoryPosition } from "@ductor/dashboard-client";
import type { SinceSpec } from "./args.js";

export interface HistoryReader {
  page(position: HistoryPosition, options?: HistoryPageOptions): Promise<HistoryPage>;
}

export interface ResolvedSince {
  /** The stream's `since`: every retained event after it is printed first. */
  since: number;
  /** The relay's head and oldest when asked. */
  head: number;
  oldest: number;
}

/**
 * The smallest seq from which on every retained event arrived at or after `at` (`head + 1` when none did), so
 * the stream's `since` is one less: about log2(events) one-event requests. `at` only grows with seq on one relay
 * (a clock stepped back makes the answer approximate by that step).
 */
export async function seqAtTime(history: HistoryReader, at: number, first: HistoryPage, signal?: AbortSignal): Promise<number> {
  // Search the smallest x in [oldest, head + 1] whose first retained event at or after x arrived at or after `at`.
  let lo = first.oldest;
  let hi = first.head + 1;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const event = (await history.page({ after: mid - 1 }, { limit: 1, ...(signal ? { signal } : {}) })).events[0];
    if (!event)
      hi = mid; // nothing at or after mid (pruned or never stored): later x find nothing either
    else if (event.at >= at) hi = mid;
    else lo = event.seq + 1; // every x up to event.seq finds this same, earlier event
  }
  return lo;
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
