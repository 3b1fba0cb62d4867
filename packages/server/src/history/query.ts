/**
 * Search queries, shared by both stores: the checks every query passes, and the plain-text syntax people type.
 *
 * Plain syntax (the default): the query is split on whitespace into words; an event matches when it contains
 * every word. A word ending in `*` matches as a prefix (`fail*` finds "failing"). Quotes, parentheses, colons,
 * `NEAR`, `AND`/`OR`/`NOT` mean nothing special, so no input is ever a syntax error. For SQLite each word
 * becomes an FTS5 phrase string (`"…"`, inner `"` doubled), which FTS5 tokenises like the indexed text.
 */
import { type HistoryEvent, HistoryQueryError, type SearchHit } from "./store.js";

/** The events search looks at: the agent's text. */
export const SEARCHED_TYPE = "text_delta";

/** Longer queries are refused (a 400), so a 10 KB paste cannot make the index work hard. */
export const MAX_QUERY_CHARS = 512;
/** At most this many words (or, for raw FTS5 syntax, terms) in one query. */
export const MAX_QUERY_WORDS = 32;
/** Hits per search, at most. */
const MAX_SEARCH_LIMIT = 1000;

export interface PlainWord {
  text: string;
  prefix: boolean;
}

/** With the u flag, a surrogate pair is one code point: only lone surrogates match. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** The checks every query passes, whatever its syntax. Returns the query trimmed. */
export function checkQuery(query: unknown): string {
  if (typeof query !== "string") throw new HistoryQueryError("the search query must be a string");
  if (query.length > MAX_QUERY_CHARS) throw new HistoryQueryError(`the search query is too long (over ${MAX_QUERY_CHARS} characters)`);
  if (query.includes("\0")) throw new HistoryQueryError("the search query contains a NUL character");
  // Lone surrogates cannot be encoded as UTF-8 for SQLite (they would become U+FFFD and match the wrong thing).
  if (LONE_SURROGATE.test(query)) throw new HistoryQueryError("the search query is not valid Unicode");
  const trimmed = query.trim();
  if (trimmed === "") throw new HistoryQueryError("the search query is empty");
  return trimmed;
}

/** A word must hold a letter, digit or symbol the tokenizer keeps; `*`, `"`, `(` alone find nothing. */
const SEARCHABLE = /[\p{L}\p{N}\p{Co}]/u;

/** Splits a (checked) plain query into words. Throws HistoryQueryError when no word is searchable. */
export function plainWords(query: string): PlainWord[] {
  const words: PlainWord[] = [];
  for (const raw of query.split(/\s+/u)) {
    if (raw === "") continue;
    const prefix = raw.length > 1 && raw.endsWith("*");
    const text = prefix ? raw.replace(/\*+$/u, "") : raw;
    if (!SEARCHABLE.test(text)) continue;
    words.push({ text, prefix });
  }
  if (words.length === 0) throw new HistoryQueryError("the search query has no words to search for (letters or digits)");
  if (words.length > MAX_QUERY_WORDS) throw new HistoryQueryError(`the search query has too many words (over ${MAX_QUERY_WORDS})`);
  return words;
}

/** Plain words as an FTS5 query: each one a phrase string (`"` doubled inside), all required. */
export function ftsFromPlain(words: PlainWord[]): string {
  return words.map((w) => `"${w.text.replaceAll('"', '""')}"${w.prefix ? "*" : ""}`).join(" ");
}

/** `limit` as a whole number of hits in [0, MAX_SEARCH_LIMIT]. */
export function clampLimit(limit: number): number {
  if (!Number.isFinite(limit)) return limit === Number.POSITIVE_INFINITY ? MAX_SEARCH_LIMIT : 0;
  return Math.min(Math.max(Math.trunc(limit), 0), MAX_SEARCH_LIMIT);
}

/**
 * A plain-text excerpt of `text` around `[start, end)`: about `width` characters, whitespace runs folded to
 * one space, `…` where it was cut. Used by the ring store (SQLite has FTS5's snippet()).
 */
function excerpt(text: string, start: number, end: number, width = 64): string {
  const room = Math.max(0, width - (end - start));
  let from = Math.max(0, start - Math.floor(room / 2));
  let to = Math.min(text.length, Math.max(end, from + width));
  from = Math.max(0, Math.min(from, to - width));
  // Never cut a surrogate pair in half.
  if (from > 0 && isLowSurrogate(text.charCodeAt(from))) from -= 1;
  if (to < text.length && isLowSurrogate(text.charCodeAt(to))) to += 1;
  const body = text.slice(from, to).replace(/\s+/gu, " ");
  return `${from > 0 ? "…" : ""}${body}${to < text.length ? "…" : ""}`;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** A hit when `event` is searched text holding every one of `lowerWords` (lower-cased), else null. */
export function substringHit(event: HistoryEvent, lowerWords: string[]): SearchHit | null {
  if (event.type !== SEARCHED_TYPE || event.data === null) return null;
  const lower = event.data.toLowerCase();
  if (!lowerWords.every((w) => lower.includes(w))) return null;
  // toLowerCase can change lengths (İ → i̇); the position is then approximate, which a snippet can afford.
  const first = lowerWords[0] ?? "";
  const at = lower.indexOf(first);
  return { seq: event.seq, at: event.at, snippet: excerpt(event.data, at, at + first.length) };
}

/** The bytes an event is counted as by the in-memory bounds (UTF-16, plus a fixed overhead). */
export function eventBytes(type: string, data: string | null): number {
  return 64 + 2 * (type.length + (data?.length ?? 0));
}
