import { ProtocolError, quoteJson } from "../errors.js";

/**
 * Tiny shape checkers for JSON that enters the client. Hand-written instead of a schema library
 * to keep the runtime small; each failure is a ProtocolError naming the field (`tasks[3].created_at`)
 * and quoting the offending value.
 */

export type JsonObject = Record<string, unknown>;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

export function fail(path: string, expected: string, value: unknown): never {
  throw new ProtocolError(`${path}: expected ${expected}, got ${describe(value)}`, quoteJson(value));
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function expectObject(value: unknown, path: string): JsonObject {
  return isObject(value) ? value : fail(path, "object", value);
}

export function expectArray(value: unknown, path: string): unknown[] {
  return Array.isArray(value) ? value : fail(path, "array", value);
}

/**
 * Field readers. A missing (or `undefined`) field takes `fallback` when one is given, because
 * ductor's field set changes between versions; a present field of the wrong type is always an error.
 */
export function str(obj: JsonObject, key: string, path: string, fallback?: string): string {
  const v = obj[key];
  if (typeof v === "string") return v;
  if (v === undefined && fallback !== undefined) return fallback;
  return fail(`${path}.${key}`, "string", v);
}

export function num(obj: JsonObject, key: string, path: string, fallback?: number): number {
  const v = obj[key];
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (v === undefined && fallback !== undefined) return fallback;
  return fail(`${path}.${key}`, "number", v);
}

export function int(obj: JsonObject, key: string, path: string, fallback?: number): number {
  const v = obj[key];
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (v === undefined && fallback !== undefined) return fallback;
  return fail(`${path}.${key}`, "integer", v);
}

/** `null` and a missing field both read as `null`. */
export function nullableInt(obj: JsonObject, key: string, path: string): number | null {
  const v = obj[key];
  if (v === null || v === undefined) return null;
  return typeof v === "number" && Number.isInteger(v) ? v : fail(`${path}.${key}`, "integer or null", v);
}

export function nullableStr(obj: JsonObject, key: string, path: string): string | null {
  const v = obj[key];
  if (v === null || v === undefined) return null;
  return typeof v === "string" ? v : fail(`${path}.${key}`, "string or null", v);
}

/** Python `datetime.isoformat()`; one without an offset is taken as UTC, which is what ductor writes. */
export function isoDate(obj: JsonObject, key: string, path: string): Date {
  const v = obj[key];
  if (typeof v === "string") {
    const hasZone = /(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(v);
    const d = new Date(hasZone || !v.includes("T") ? v : `${v}Z`);
    if (!Number.isNaN(d.getTime())) return d;
  }
  return fail(`${path}.${key}`, "ISO-8601 date string", v);
}

/**
 * Unix epoch seconds as a float (ductor's tasks and log mtimes). A number beyond what a Date can hold
 * (±8.64e12 s) is refused here rather than handed on as an Invalid Date typed as Date.
 */
export function epochSeconds(obj: JsonObject, key: string, path: string): Date {
  const seconds = num(obj, key, path);
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? fail(`${path}.${key}`, "epoch seconds within Date's range", seconds) : date;
}

/** Like epochSeconds, for times where 0 means "not yet" (a running task's `completed_at`). */
export function optionalEpochSeconds(obj: JsonObject, key: string, path: string): Date | null {
  if (num(obj, key, path, 0) <= 0) return null;
  return epochSeconds(obj, key, path);
}

/** A list where one bad entry must not lose the others: the entries that failed, with why. */
export interface SkippedEntry {
  /** The storage key (sessions) or the array index as a string (tasks, logs). */
  key: string;
  error: ProtocolError;
}

/** An array of good entries that also says which entries were skipped. `skipped.length` is the count. */
export type ListResult<T> = T[] & { readonly skipped: readonly SkippedEntry[] };

export function listResult<T>(items: T[], skipped: SkippedEntry[]): ListResult<T> {
  // Non-enumerable so that deep equality and spreading see a plain array.
  return Object.defineProperty(items, "skipped", { value: skipped, enumerable: false }) as ListResult<T>;
}

/** Runs `parse` per entry; a ProtocolError skips that entry, anything else is a bug and propagates. */
export function parseEntries<T>(
  entries: Array<[string, unknown]>,
  parse: (value: unknown, key: string) => T,
): {
  items: T[];
  skipped: SkippedEntry[];
} {
  const items: T[] = [];
  const skipped: SkippedEntry[] = [];
  for (const [key, value] of entries) {
    try {
      items.push(parse(value, key));
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      skipped.push({ key, error });
    }
  }
  return { items, skipped };
}
