/**
 * Recent history from a relay, for a page that has just loaded: pages back from the newest event until about
 * `maxChars` of text (the scrollback) or the oldest retained event. Plain ductor has no history (404): null,
 * and the page shows live output only, as it always did.
 */
import { NotFoundError, type HistoryEvent } from "@ductor/dashboard-client";
import type { Client } from "./types.js";

/** Events per request: big enough that a full scrollback is a few requests, small enough to stay quick. */
const PAGE_EVENTS = 1_000;
/** Never page back further than this, whatever the text adds up to (tool-heavy stretches carry little text). */
const MAX_PAGES = 20;

export interface Backfill {
  /** Ascending by seq. */
  events: HistoryEvent[];
  /** The relay's head when the newest page was read: the live stream resumes after the last event here. */
  head: number;
}

export async function loadRecentHistory(client: Client, maxChars: number, signal: AbortSignal): Promise<Backfill | null> {
  const pages: HistoryEvent[][] = [];
  let chars = 0;
  let before = Number.MAX_SAFE_INTEGER;
  let head = 0;
  try {
    for (let i = 0; i < MAX_PAGES && chars < maxChars; i++) {
      const page = await client.history.page({ before }, { limit: PAGE_EVENTS, signal });
      if (i === 0) head = page.head;
      if (page.events.length === 0) break;
      pages.unshift(page.events);
      for (const event of page.events) if (event.type === "text_delta" && event.data) chars += event.data.length;
      const first = page.events[0]!;
      if (first.seq <= page.oldest) break;
      before = first.seq;
    }
  } catch (err) {
    if (err instanceof NotFoundError) return null; // plain ductor: no relay in front of it
    throw err;
  }
  return { events: pages.flat(), head };
}
