/**
 * Query parameters of the relay's endpoints, validated before anything is read: every value is a plain decimal
 * integer in range, given at most once; anything else is a 400 with a message that names the parameter.
 */
import { MAX_QUERY_CHARS } from "../history/query.js";

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(error: string): Parsed<T> => ({ ok: false, error });

/** The largest page of events or search hits one request may ask for. */
const MAX_LIMIT = 1000;

// Up to 16 digits: Number.MAX_SAFE_INTEGER (the largest value the range checks allow) has 16.
const DIGITS = /^\d{1,16}$/;

/** One optional integer parameter in [min, max]; absent → undefined. Repeated, empty, signed, "1e3", "0x10" → error. */
function intParam(params: URLSearchParams, name: string, min: number, max: number): Parsed<number | undefined> {
  const values = params.getAll(name);
  if (values.length === 0) return ok(undefined);
  if (values.length > 1) return bad(`"${name}" given more than once`);
  const raw = values[0] ?? "";
  if (!DIGITS.test(raw)) return bad(`"${name}" must be a whole number, got ${JSON.stringify(raw.slice(0, 40))}`);
  const n = Number(raw);
  if (n < min || n > max) return bad(`"${name}" must be between ${min} and ${max}`);
  return ok(n);
}

/** Refuse parameters the endpoint does not know: a typo (`befor=`) must not silently mean "the latest". */
function unknownParam(params: URLSearchParams, known: readonly string[]): string | undefined {
  for (const key of params.keys()) if (!known.includes(key)) return `unknown parameter "${key.slice(0, 40)}"`;
  return undefined;
}

export type HistoryPageQuery = { after: number; limit: number } | { before: number; limit: number } | { latest: true; limit: number };

/** `GET /dashboard/history?before=SEQ|after=SEQ&limit=N`; neither → the latest `limit` events. */
export function parseHistoryQuery(params: URLSearchParams): Parsed<HistoryPageQuery> {
  const unknown = unknownParam(params, ["before", "after", "limit"]);
  if (unknown) return bad(unknown);
  const before = intParam(params, "before", 0, Number.MAX_SAFE_INTEGER);
  if (!before.ok) return before;
  const after = intParam(params, "after", 0, Number.MAX_SAFE_INTEGER);
  if (!after.ok) return after;
  const limit = intParam(params, "limit", 1, MAX_LIMIT);
  if (!limit.ok) return limit;
  const n = limit.value ?? 100;
  if (before.value !== undefined && after.value !== undefined) return bad(`give "before" or "after", not both`);
  if (before.value !== undefined) return ok({ before: before.value, limit: n });
  if (after.value !== undefined) return ok({ after: after.value, limit: n });
  return ok({ latest: true, limit: n });
}

/** `GET /dashboard/history/search?q=…&limit=N`. The query's syntax is the store's to judge (HistoryQueryError). */
export function parseSearchQuery(params: URLSearchParams): Parsed<{ q: string; limit: number }> {
  const unknown = unknownParam(params, ["q", "limit"]);
  if (unknown) return bad(unknown);
  const qs = params.getAll("q");
  if (qs.length !== 1) return bad(qs.length === 0 ? `"q" is required` : `"q" given more than once`);
  const q = qs[0] ?? "";
  if (q.trim() === "") return bad(`"q" must not be empty`);
  if (q.length > MAX_QUERY_CHARS) return bad(`"q" is longer than ${MAX_QUERY_CHARS} characters`);
  const limit = intParam(params, "limit", 1, MAX_LIMIT);
  if (!limit.ok) return limit;
  return ok({ q, limit: limit.value ?? 50 });
}

export type ExportFormat = "jsonl" | "md";

/** `GET /dashboard/history/export?from=SEQ&to=SEQ&format=jsonl|md`; from/to default to the oldest/head. */
export function parseExportQuery(
  params: URLSearchParams,
): Parsed<{ from: number | undefined; to: number | undefined; format: ExportFormat }> {
  const unknown = unknownParam(params, ["from", "to", "format"]);
  if (unknown) return bad(unknown);
  const range = fromTo(params);
  if (!range.ok) return range;
  const formats = params.getAll("format");
  if (formats.length > 1) return bad(`"format" given more than once`);
  const format = formats[0] ?? "jsonl";
  if (format !== "jsonl" && format !== "md") return bad(`"format" must be "jsonl" or "md"`);
  return ok({ ...range.value, format });
}

/** `from` and `to`, both optional whole numbers (seqs or epoch ms), `from` not after `to`. */
function fromTo(params: URLSearchParams): Parsed<{ from: number | undefined; to: number | undefined }> {
  const from = intParam(params, "from", 0, Number.MAX_SAFE_INTEGER);
  if (!from.ok) return from;
  const to = intParam(params, "to", 0, Number.MAX_SAFE_INTEGER);
  if (!to.ok) return to;
  if (from.value !== undefined && to.value !== undefined && from.value > to.value) return bad(`"from" must not be after "to"`);
  return ok({ from: from.value, to: to.value });
}

/**
 * `since` of a viewer's stream upgrade: absent → live only; a whole number → resume after it. Anything else
 * (empty, negative, not decimal, repeated) → error, answered with 400 on the upgrade.
 */
export function parseSince(params: URLSearchParams): Parsed<number | undefined> {
  return intParam(params, "since", 0, Number.MAX_SAFE_INTEGER);
}

/**
 * `GET /dashboard/history/usage?from=MS&to=MS`: epoch milliseconds, both optional (from → 0, to → now, filled in
 * by the endpoint); `from` after `to` is an error.
 */
export function parseUsageQuery(params: URLSearchParams): Parsed<{ from: number | undefined; to: number | undefined }> {
  const unknown = unknownParam(params, ["from", "to"]);
  if (unknown) return bad(unknown);
  return fromTo(params);
}
