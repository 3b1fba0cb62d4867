/**
 * Recent history from a relay, for a page whose stream has just opened: pages back from the relay's head (as
 * its first ping gave it) until about `maxChars` of text (the scrollback) or the oldest retained event.
 */
import type { HistoryEvent } from "@ductor/dashboard-client";
import type { Client } from "./types.js";

/** Events per request: big enough that a full scrollback is a few requests, small enough to stay quick. */
const PAGE_EVENTS = 1_000;
/** Never page back further than this, whatever the text adds up to (tool-heavy stretches carry little text). */
const MAX_PAGES = 20;

/** Events with seq ≤ `head`, ascending. */
export async function loadRecentHistory(client: Client, head: number, maxChars: number, signal: AbortSignal): Promise<HistoryEvent[]> {
  const pages: HistoryEvent[][] = [];
  let chars = 0;
  let before = head + 1;
  for (let i = 0; i < MAX_PAGES && chars < maxChars && before > 1; i++) {
    const page = await client.history.page({ before }, { limit: PAGE_EVENTS, signal });
    if (page.events.length === 0) break;
    pages.unshift(page.events);
    for (const event of page.events) if (event.type === "text_delta" && event.data) chars += event.data.length;
    const first = page.events[0]!;
    if (first.seq <= page.oldest) break;
    before = first.seq;
  }
  return pages.flat();
}
