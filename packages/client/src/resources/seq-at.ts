/**
 * A time in a relay's history: the wire numbers events and has no time query, so a moment is found by a binary
 * search over one-event `after=` pages by their `at`. Shared by everything that asks "from 12:03" or "the last
 * 10 minutes" of a relay (the dashboard's range picker, `ductor-dashboard tail --since 10m`).
 */
import type { HistoryPage, HistoryPageOptions, HistoryPosition } from "./history.js";

/** What the search needs: `client.history`, or anything that pages the same way. */
export interface HistoryPager {
  page(position: HistoryPosition, options?: HistoryPageOptions): Promise<HistoryPage>;
}

export interface SeqAtOptions {
  /** A page already fetched (any), for the retained range; saves one request. */
  first?: HistoryPage;
  signal?: AbortSignal;
}

/**
 * The first retained event that arrived at or after `at` (ms since the epoch): its seq, or `head + 1` when none
 * did. About log2(retained events) one-event requests. Arrival times only grow with seq on one relay (a clock
 * stepped back makes the answer approximate by that step).
 */
export async function findSeqAt(history: HistoryPager, at: number, options: SeqAtOptions = {}): Promise<number> {
  const request: HistoryPageOptions = { limit: 1, ...(options.signal ? { signal: options.signal } : {}) };
  const first = options.first ?? (await history.page({ after: 0 }, request));
  // f(x): the first retained seq ≥ x. "f(x) arrived at or after `at`" only turns from false to true as x grows:
  // find the smallest such x in [oldest, head + 1]; the answer is f of it.
  let lo = first.oldest;
  let hi = first.head + 1;
  let answer = first.head + 1;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const event = (await history.page({ after: mid - 1 }, request)).events[0];
    if (!event || event.at >= at) {
      hi = mid;
      answer = event ? event.seq : first.head + 1;
    } else lo = event.seq + 1; // every x in [mid, event.seq] finds this same, earlier event
  }
  return answer;
}
