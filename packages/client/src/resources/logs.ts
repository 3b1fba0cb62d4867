import { get, getJson, type RequestConfig, type RequestOptions } from "../core/request.js";
import { epochSeconds, expectArray, expectObject, int, listResult, parseEntries, str, type ListResult } from "../core/validate.js";
import { ProtocolError } from "../errors.js";
import { decodeLenient, leadingContinuationBytes, trailingIncompleteBytes } from "../internal/utf8.js";

export interface LogFile {
  /** File name only; pass it back to `logs.read` as is. */
  name: string;
  size: number;
  mtime: Date;
}

/** Newest first, as ductor sorts it (equal mtimes have no defined order). */
export type LogFileList = ListResult<LogFile>;

export type LogReadOptions = RequestOptions & {
  /** Bytes `[start, end)`; `end` exclusive and optional (to the end of the file). */
  range?: { start: number; end?: number };
  /** The last N bytes (`Range: bytes=-N`). Exclusive with `range`. */
  tail?: number;
};

export interface LogChunk {
  name: string;
  /** The bytes `[start, end)` decoded leniently (bad bytes become U+FFFD). */
  text: string;
  /** Offset of the first byte of `text`. Can be past the requested start when the range began mid-character. */
  start: number;
  /**
   * Offset just past the last byte of `text` (exclusive). A cut-off character at the end of a partial
   * read is left out, so `end` is always where the next read (`range: { start: end }`) should begin.
   */
  end: number;
  /** The file's size when the server sent it. */
  totalSize: number;
  /** True for a 206 (part of the file), false for the whole file. */
  partial: boolean;
  etag?: string;
  lastModified?: Date;
}

export async function listLogs(config: RequestConfig, options?: RequestOptions): Promise<LogFileList> {
  const entries = expectArray(await getJson(config, "/dashboard/logs", options), "logs").map((v, i): [string, unknown] => [String(i), v]);
  const { items, skipped } = parseEntries(entries, (value, index) => {
    const path = `logs[${index}]`;
    const f = expectObject(value, path);
    return { name: str(f, "name", path), size: int(f, "size", path), mtime: epochSeconds(f, "mtime", path) };
  });
  return listResult(items, skipped);
}

/**
 * The name goes on the wire percent-encoded, always: ductor's filename check is minimal (protocol.md
 * §6.7), so a client must never let a name reshape the path. "." and ".." cannot be sent as a path
 * segment at all (URL parsing would resolve them), so they are refused here.
 */
function logPath(name: string): string {
  if (typeof name !== "string" || name === "" || name === "." || name === "..") {
    throw new TypeError(`Invalid log file name: ${JSON.stringify(name)}`);
  }
  return `/dashboard/logs/${encodeURIComponent(name)}`;
}

function rangeHeader(options: LogReadOptions): string | undefined {
  const { range, tail } = options;
  const isOffset = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n >= 0;
  if (range && tail !== undefined) throw new TypeError("logs.read: pass either `range` or `tail`, not both");
  if (tail !== undefined) {
    if (!isOffset(tail) || tail === 0) throw new TypeError("logs.read: `tail` must be a positive integer");
    return `bytes=-${tail}`;
  }
  if (range) {
    if (!isOffset(range.start)) throw new TypeError("logs.read: `range.start` must be a non-negative integer");
    if (range.end === undefined) return `bytes=${range.start}-`;
    if (!isOffset(range.end) || range.end <= range.start) throw new TypeError("logs.read: `range.end` must be greater than `range.start`");
    return `bytes=${range.start}-${range.end - 1}`;
  }
  return undefined;
}

/**
 * `GET /dashboard/logs/{name}`, whole or by byte range. 206 is located by Content-Range, 200 is the
 * whole file, 416 throws RangeNotSatisfiableError whose `totalSize` tells "nothing new" (≥ last size)
 * from "rotated" (smaller). For `tail -f`: read `{ range: { start: chunk.end } }` in a loop.
 */
export async function readLog(config: RequestConfig, name: string, options: LogReadOptions = {}): Promise<LogChunk> {
  const path = logPath(name);
  const range = rangeHeader(options);
  const res = await get(config, path, options, range ? { headers: { Range: range } } : {});
  let bytes = res.bytes;
  let start = 0;
  let totalSize = bytes.length;
  const partial = res.status === 206;
  if (partial) {
    const contentRange = res.headers.get("content-range") ?? "";
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(contentRange.trim());
    if (!m) throw new ProtocolError(`GET ${path}: 206 without a usable Content-Range`, contentRange);
    start = Number(m[1]);
    totalSize = m[3] === "*" ? start + bytes.length : Number(m[3]);
  }
  if (start > 0) {
    const skip = leadingContinuationBytes(bytes);
    bytes = bytes.subarray(skip);
    start += skip;
  }
  if (start + bytes.length < totalSize) bytes = bytes.subarray(0, bytes.length - trailingIncompleteBytes(bytes));

  const chunk: LogChunk = { name, text: decodeLenient(bytes), start, end: start + bytes.length, totalSize, partial };
  const etag = res.headers.get("etag");
  if (etag) chunk.etag = etag;
  const lastModified = res.headers.get("last-modified");
  if (lastModified && !Number.isNaN(Date.parse(lastModified))) chunk.lastModified = new Date(lastModified);
  return chunk;
}
