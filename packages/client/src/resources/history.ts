import { get, getJson, type RequestConfig, type RequestOptions } from "../core/request.js";
import { expectArray, expectObject, fail, int, num, str, type JsonObject } from "../core/validate.js";
import { ProtocolError } from "../errors.js";
import { decodeLenient } from "../internal/utf8.js";

// The relay's history endpoints (`@ductor/dashboard-server`; plain ductor has none and answers 404).

/** One event as the relay stored it: what viewers received on the stream, with its number and arrival time. */
export interface HistoryEvent {
  seq: number;
  /** Arrival at the relay, ms since the epoch. */
  at: number;
  /** `"text_delta" | "tool_activity" | "system_status" | "upstream"`, or a type ductor adds later (kept as is). */
  type: string;
  /** A string, or `null` (a `system_status` that clears the label). */
  data: string | null;
}

export interface HistoryPage {
  /** Ascending by seq. Empty when nothing is stored on that side of the position. */
  events: HistoryEvent[];
  /** The oldest seq the relay retains now (`head + 1` when it retains none). */
  oldest: number;
  /** The last seq it has stored now. */
  head: number;
}

/** Where a page starts: the events just before `before`, or just after `after` (both exclusive). */
export type HistoryPosition = { before: number } | { after: number };

export type HistoryPageOptions = RequestOptions & {
  /** Events per page, a positive integer. Default: the relay's. */
  limit?: number;
};

export interface SearchHit {
  /** The matching event; page to it with `page({ after: seq - 1 })` or `page({ before: seq + 1 })`. */
  seq: number;
  at: number;
  /** A short plain-text excerpt around the match (render it as text). */
  snippet: string;
}

export type HistorySearchOptions = RequestOptions & {
  /** Most hits returned, a positive integer. Default: the relay's. */
  limit?: number;
};

export type HistoryExportOptions = RequestOptions & {
  /** First and last seq of the range, as the relay reads them (`from <= to`). */
  from: number;
  to: number;
  /** `jsonl`: a mock-server recording (`ductor-mock serve --recording file.jsonl` replays it); `md`: a transcript. */
  format: "jsonl" | "md";
};

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

function count(value: unknown, what: string): number {
  if (!isCount(value)) throw new TypeError(`${what} must be a non-negative integer, got ${describeArg(value)}`);
  return value;
}

function limitParam(limit: unknown, what: string): string {
  if (limit === undefined) return "";
  if (!isCount(limit) || limit === 0) throw new TypeError(`${what}: \`limit\` must be a positive integer, got ${describeArg(limit)}`);
  return `&limit=${limit}`;
}

function describeArg(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** seq, at, head, oldest: non-negative integers (never floats, never beyond what a double holds exactly). */
function seqField(obj: JsonObject, key: string, path: string): number {
  const v = int(obj, key, path);
  return isCount(v) ? v : fail(`${path}.${key}`, "non-negative integer", v);
}

/**
 * `GET /dashboard/history?before=SEQ|after=SEQ[&limit=N]`. The whole page is checked (a relay's pages are
 * exact or useless: one unreadable event is a ProtocolError for the page, never a silent hole).
 */
export async function historyPage(
  config: RequestConfig,
  position: HistoryPosition,
  options: HistoryPageOptions = {},
): Promise<HistoryPage> {
  const p = (position ?? {}) as { before?: unknown; after?: unknown };
  const hasBefore = p.before !== undefined;
  const hasAfter = p.after !== undefined;
  if (hasBefore === hasAfter) throw new TypeError("history.page: pass either `{ before: seq }` or `{ after: seq }`");
  const query = hasBefore ? `before=${count(p.before, "history.page: `before`")}` : `after=${count(p.after, "history.page: `after`")}`;
  const path = "/dashboard/history";
  const body = expectObject(await getJson(config, `${path}?${query}${limitParam(options.limit, "history.page")}`, options), "history");
  const events = expectArray(body.events, "history.events").map((value, i) => {
    const where = `history.events[${i}]`;
    const e = expectObject(value, where);
    const data = e.data;
    if (typeof data !== "string" && data !== null) fail(`${where}.data`, "string or null", data);
    return { seq: seqField(e, "seq", where), at: seqField(e, "at", where), type: str(e, "type", where), data };
  });
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.seq <= events[i - 1]!.seq) {
      throw new ProtocolError(`history.events: not in ascending seq (${events[i - 1]!.seq} then ${events[i]!.seq})`, "");
    }
  }
  return { events, oldest: seqField(body, "oldest", "history"), head: seqField(body, "head", "history") };
}

/** `GET /dashboard/history/search?q=…[&limit=N]`. A query the relay cannot run is its 400 (BadRequestError). */
export async function historySearch(config: RequestConfig, q: string, options: HistorySearchOptions = {}): Promise<SearchHit[]> {
  if (typeof q !== "string" || q.trim() === "")
    throw new TypeError(`history.search: the query must be a non-empty string, got ${describeArg(q)}`);
  const path = `/dashboard/history/search?q=${encodeURIComponent(q)}${limitParam(options.limit, "history.search")}`;
  const body = expectObject(await getJson(config, path, options), "search");
  return expectArray(body.hits, "search.hits").map((value, i) => {
    const where = `search.hits[${i}]`;
    const h = expectObject(value, where);
    return { seq: seqField(h, "seq", where), at: seqField(h, "at", where), snippet: str(h, "snippet", where) };
  });
}

/**
 * `GET /dashboard/history/export?from=&to=&format=`: the text, whole, within the client's `maxBodyBytes` (raise
 * it per call for a long range, or export in pieces). A 200 HTML page (a proxy's login) is a ProtocolError.
 */
export async function historyExport(config: RequestConfig, options: HistoryExportOptions): Promise<string> {
  const { from, to, format } = (options ?? {}) as Partial<HistoryExportOptions>;
  count(from, "history.export: `from`");
  count(to, "history.export: `to`");
  if ((to as number) < (from as number)) throw new TypeError(`history.export: \`to\` (${to}) is before \`from\` (${from})`);
  if (format !== "jsonl" && format !== "md")
    throw new TypeError(`history.export: \`format\` must be "jsonl" or "md", got ${describeArg(format)}`);
  const path = `/dashboard/history/export?from=${from}&to=${to}&format=${format}`;
  const res = await get(config, path, options);
  const text = decodeLenient(res.bytes);
  const type = res.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type === "text/html" || type === "application/xhtml+xml") {
    throw new ProtocolError(`GET ${path}: expected ${format === "md" ? "Markdown" : "JSON lines"}, got ${type}`, text);
  }
  return text;
}

/** What a relay saw spent between two of its `/dashboard/sessions` snapshots, for one session and provider. */
export interface UsageSample {
  /** When the relay saw it (its snapshot's time), ms since the epoch. */
  at: number;
  /** The session key, e.g. `tg:123456789` (from ductor's data: render it as text). */
  session: string;
  /** e.g. `"claude"`, `"codex"`. */
  provider: string;
  /** USD spent since the previous snapshot (≥ 0). */
  costUsd: number;
  /** Tokens since the previous snapshot (a whole number ≥ 0). */
  tokens: number;
}

export type HistoryUsageOptions = RequestOptions & {
  /** Epoch ms, exclusive: the relay's state at this time is the baseline. Default 0 (all it kept). */
  from?: number;
  /** Epoch ms, inclusive. Default: now, by the relay's clock. */
  to?: number;
};

/**
 * `GET /dashboard/history/usage?from=&to=`: cost and tokens as they went up, ascending by `at`. Every sample is
 * checked (a bad one is a ProtocolError for the answer: a chart built on a silent hole would mislead).
 */
export async function historyUsage(config: RequestConfig, options: HistoryUsageOptions = {}): Promise<UsageSample[]> {
  const { from, to } = (options ?? {}) as Partial<HistoryUsageOptions>;
  const query: string[] = [];
  if (from !== undefined) query.push(`from=${count(from, "history.usage: `from`")}`);
  if (to !== undefined) query.push(`to=${count(to, "history.usage: `to`")}`);
  if (from !== undefined && to !== undefined && to < from)
    throw new TypeError(`history.usage: \`to\` (${to}) is before \`from\` (${from})`);
  const path = `/dashboard/history/usage${query.length ? `?${query.join("&")}` : ""}`;
  const body = expectObject(await getJson(config, path, options), "usage");
  const samples = expectArray(body.samples, "usage.samples").map((value, i): UsageSample => {
    const where = `usage.samples[${i}]`;
    const s = expectObject(value, where);
    const costUsd = num(s, "costUsd", where);
    if (costUsd < 0) fail(`${where}.costUsd`, "non-negative number", costUsd);
    return {
      at: seqField(s, "at", where),
      session: str(s, "session", where),
      provider: str(s, "provider", where),
      costUsd,
      tokens: seqField(s, "tokens", where),
    };
  });
  for (let i = 1; i < samples.length; i++) {
    if (samples[i]!.at < samples[i - 1]!.at) {
      throw new ProtocolError(`usage.samples: not in ascending time (${samples[i - 1]!.at} then ${samples[i]!.at})`, "");
    }
  }
  return samples;
}
