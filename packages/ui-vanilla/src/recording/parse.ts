/**
 * A recording (`*.jsonl`, the mock server's format and the relay's `/dashboard/history/export?format=jsonl`) read
 * in the browser. No DOM, no network: text in, events out.
 *
 *   {"ductorRecording":1,"recordedAt":"2026-04-21T10:03:17.120Z","source":"…","provider":"claude","model":"opus"}
 *   {"t":0,"snapshot":{"path":"/dashboard/status","status":200,"body":{…}}}     ← REST state: skipped here
 *   {"t":412,"event":{"type":"text_delta","data":"Let me look…"}}
 *
 * Validation follows the mock's `parseRecording` (the same file must mean the same thing in both), and every
 * error names its line. Anyone may send a recording: its contents are data only, and nothing here interprets them.
 */

/** The most text a recording may have (characters; about as many bytes for ASCII): 256 MiB. */
export const MAX_RECORDING_CHARS = 256 * 1024 * 1024;
/** The most lines a recording may have. */
export const MAX_RECORDING_LINES = 5_000_000;

interface RecordingHeader {
  ductorRecording: 1;
  /** ISO-8601 time the recording started (an export: its first event). */
  recordedAt: string;
  /** Where it was recorded ("http://…", "synthetic", "ductor-dashboard relay"). */
  source: string;
  provider?: string;
  model?: string;
  /** Other header fields, kept as they came (never interpreted). */
  [extra: string]: unknown;
}

/** One stream event of a recording. */
export interface RecordingEvent {
  /** Ms since the recording started (its line's `t`). */
  at: number;
  /** `text_delta`, `tool_activity`, `system_status`, or any other type ductor may send. */
  type: string;
  /** The event's text; null when it had none (e.g. a status cleared). */
  data: string | null;
}

export interface ParsedRecording {
  header: RecordingHeader;
  events: RecordingEvent[];
  /** Event lines left out because their `data` was neither a string nor null (a live client drops those too). */
  skipped: number;
}

/** Why a recording cannot be read. The only error `parseRecording` throws. */
export class RecordingParseError extends Error {
  override name = "RecordingParseError";
  constructor(
    /** What is wrong, without the line. */
    readonly reason: string,
    /** 1-based line number, when the error is about one line. */
    readonly line?: number,
  ) {
    super(line === undefined ? reason : `line ${line}: ${reason}`);
  }
}

export interface ParseLimits {
  maxChars?: number;
  maxLines?: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const plural = (n: number, unit: string): string => `${n.toLocaleString("en-US")} ${unit}${n === 1 ? "" : "s"}`;

/** A size said plainly: "256 MiB", "3.2 MiB", "900 KiB". */
function describeSize(chars: number): string {
  const mib = chars / (1024 * 1024);
  if (mib >= 1) return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`;
  return `${Math.ceil(chars / 1024)} KiB`;
}

/** Refuse a recording of `size` characters or bytes before reading it (a file's size, a Content-Length). */
export function checkRecordingSize(size: number, maxChars = MAX_RECORDING_CHARS): void {
  if (size > maxChars) {
    throw new RecordingParseError(
      `the recording is ${describeSize(size)}, more than the ${describeSize(maxChars)} this page opens; export a shorter range`,
    );
  }
}

/** Parse a recording's text. Throws `RecordingParseError` (and nothing else) when it is not one. */
export function parseRecording(text: string, limits: ParseLimits = {}): ParsedRecording {
  const maxLines = limits.maxLines ?? MAX_RECORDING_LINES;
  checkRecordingSize(text.length, limits.maxChars ?? MAX_RECORDING_CHARS);
  let header: RecordingHeader | undefined;
  const events: RecordingEvent[] = [];
  let skipped = 0;
  let lastT = 0;
  let lineNo = 0;
  // Line by line without splitting the whole text at once (a big file would hold every line twice).
  for (let start = text.charCodeAt(0) === 0xfeff ? 1 : 0; start < text.length; ) {
    const end = text.indexOf("\n", start);
    const stop = end === -1 ? text.length : end;
    lineNo++;
    if (lineNo > maxLines) {
      throw new RecordingParseError(
        `the recording has more than ${plural(maxLines, "line")}, more than this page opens; export a shorter range`,
      );
    }
    const raw = text.slice(start, stop > start && text.charCodeAt(stop - 1) === 13 ? stop - 1 : stop);
    start = stop + 1;
    if (raw.trim() === "") continue;
    const fail = (reason: string): RecordingParseError => new RecordingParseError(reason, lineNo);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw fail(header ? "not valid JSON" : "not valid JSON: is this a .jsonl recording?");
    }
    if (!isObject(value)) throw fail("expected a JSON object");
    if (!header) {
      if (value["ductorRecording"] !== 1)
        throw fail('the first line must be the header {"ductorRecording":1,…}: is this a .jsonl recording?');
      for (const key of ["recordedAt", "source"]) {
        if (typeof value[key] !== "string") throw fail(`header field "${key}" must be a string`);
      }
      for (const key of ["provider", "model"]) {
        if (value[key] !== undefined && typeof value[key] !== "string") throw fail(`header field "${key}" must be a string`);
      }
      header = value as RecordingHeader;
      continue;
    }
    const t = value["t"];
    if (typeof t !== "number" || !Number.isFinite(t) || t < 0) throw fail('"t" must be a number >= 0');
    if (t < lastT) throw fail(`"t" must not decrease (${t} after ${lastT})`);
    lastT = t;
    const hasEvent = "event" in value;
    if (hasEvent === "snapshot" in value) throw fail('expected exactly one of "event" or "snapshot"');
    if (!hasEvent) continue; // REST state for a replaying mock: nothing to draw
    const event = value["event"];
    if (!isObject(event) || typeof event["type"] !== "string") throw fail('"event" must be an object with a string "type"');
    const data = event["data"];
    if (data === undefined || data === null) events.push({ at: t, type: event["type"], data: null });
    else if (typeof data === "string") events.push({ at: t, type: event["type"], data });
    else skipped++;
  }
  if (!header) throw new RecordingParseError("empty file: a recording starts with a header line");
  return { header, events, skipped };
}
