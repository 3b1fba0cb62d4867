/**
 * A relay's history as the stream view draws it, and ranges of it: stored events as renderer items, the seq
 * at a moment in time (the wire numbers events, it has no time query), and replay pacing. No DOM.
 */
import { findSeqAt, type HistoryEvent } from "@ductor/dashboard-client";
import { formatClock } from "../format.js";
import type { Client } from "./types.js";

/** What the renderer draws for an event (its `prepend` items). */
export type DrawnItem = { kind: "text"; text: string } | { kind: "tool"; name: string } | { kind: "note"; text: string };

/** Statuses that come and go many times a turn: shown in the header live, never as lines in the output. */
export const TRANSIENT_STATUS: ReadonlySet<string> = new Set(["thinking"]);

/** The line for the relay's own link to ductor changing. */
function upstreamNote(state: string | null, at: Date): string {
  const what = state === "connected" ? "connected to" : state === "refused" ? "refused the token of" : "disconnected from";
  return `ductor ${what} the relay · ${formatClock(at)}`;
}

/** A stored event as the stream draws it, or null for one that draws nothing (a transient status, empty text). */
export function drawnItem(event: Pick<HistoryEvent, "type" | "data" | "at">): DrawnItem | null {
  if (event.type === "text_delta") return event.data ? { kind: "text", text: event.data } : null;
  if (event.type === "tool_activity") return { kind: "tool", name: event.data ?? "" };
  if (event.type === "system_status")
    return event.data && !TRANSIENT_STATUS.has(event.data)
      ? { kind: "note", text: `${event.data} · ${formatClock(new Date(event.at))}` }
      : null;
  if (event.type === "upstream") return { kind: "note", text: upstreamNote(event.data, new Date(event.at)) };
  return null;
}

export function drawnItems(events: readonly HistoryEvent[]): DrawnItem[] {
  const items: DrawnItem[] = [];
  for (const event of events) {
    const item = drawnItem(event);
    if (item) items.push(item);
  }
  return items;
}

/** The first retained seq that arrived at or after `at` (ms), or `head + 1` when none did (the client's search). */
export function seqAtTime(client: Client, at: number, signal?: AbortSignal): Promise<number> {
  return findSeqAt(client.history, at, signal ? { signal } : {});
}

/** Replay speeds the history browser offers; 0 draws the range at once. */
export type ReplaySpeed = 0 | 1 | 10;

/**
 * How long to wait before drawing `next`, after `prev`, at `speed`: the recorded gap divided by the speed,
 * with long silences (an agent waiting for a person, a night) shortened to `maxPauseMs` so a replay stays
 * watchable. A clock stepped back counts as no gap.
 */
export function replayDelay(prevAt: number, nextAt: number, speed: ReplaySpeed, maxPauseMs: number): number {
  if (speed === 0) return 0;
  return Math.min(maxPauseMs, Math.max(0, nextAt - prevAt) / speed);
}

/**
 * What a person types into "search all history", as the relay's plain query: every word as a prefix (search as
 * you type: "round" finds "rounding"), punctuation around words dropped. Null when nothing searchable is left
 * (a lone quote mid-typing is not worth a request, nor a red error).
 */
export function searchQuery(typed: string): string | null {
  const words: string[] = [];
  for (const token of typed.split(/\s+/)) {
    const word = token.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}*]+$/gu, "");
    if (!/[\p{L}\p{N}]/u.test(word)) continue;
    words.push(word.endsWith("*") ? word : `${word}*`);
  }
  return words.length ? words.slice(0, 32).join(" ") : null;
}
