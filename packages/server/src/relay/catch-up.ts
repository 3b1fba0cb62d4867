/**
 * A viewer's catch-up from the history, one page at a time. Pure (it reads the store, writes nothing): the
 * viewer shell sends the frames, waits until they have left the process, and asks for the next page. When a
 * page ends at the store's head, `caughtUp` is true and the shell must join the live fan-out in the same tick,
 * before any other event can be appended: that is what makes the switch free of duplicates and holes.
 */
import type { HistoryStore } from "../history/store.js";
import { eventFrame, gapFrame } from "./frames.js";

export interface CatchUpPage {
  /** Encoded frames, in order: events (with seq) and, where events are missing, gap frames. */
  frames: string[];
  /** The last seq the viewer has been given, or told was lost. */
  cursor: number;
  /** Nothing after `cursor` is stored: the viewer may go live now (in this same tick). */
  caughtUp: boolean;
  /** UTF-16 length of `frames` (a byte estimate, to size the next page). */
  chars: number;
}

/**
 * The frames that follow `cursor`: a gap frame first if events after it were pruned (`cursor + 1 < oldest`),
 * then up to `limit` events. A hole inside the page (pruning is the only way to make one) is a gap frame too.
 */
export function catchUpPage(store: Pick<HistoryStore, "head" | "oldest" | "range">, cursor: number, limit: number): CatchUpPage {
  const frames: string[] = [];
  let chars = 0;
  const push = (frame: string): void => {
    frames.push(frame);
    chars += frame.length;
  };
  const oldest = store.oldest();
  if (cursor + 1 < oldest) {
    push(gapFrame(cursor + 1, oldest - 1));
    cursor = oldest - 1;
  }
  const head = store.head();
  if (cursor >= head) return { frames, cursor, caughtUp: true, chars };
  const events = store.range({ after: cursor, limit });
  for (const event of events) {
    if (event.seq <= cursor) continue; // never twice, whatever the store does
    if (event.seq > cursor + 1) push(gapFrame(cursor + 1, event.seq - 1));
    push(eventFrame(event));
    cursor = event.seq;
  }
  if (events.length === 0) {
    // Everything up to head vanished between oldest() and range(): say so rather than skip it silently.
    push(gapFrame(cursor + 1, head));
    cursor = head;
  }
  return { frames, cursor, caughtUp: cursor >= store.head(), chars };
}
