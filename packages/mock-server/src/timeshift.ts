/**
 * `shiftTimes`: move every time in a data folder and a recording by one offset, so the newest lands
 * on "now" and a demo does not show a running task as started 218 days ago.
 *
 * The offset is whole seconds, so every fraction keeps its digits (`.801233`, `.5531`), and every
 * field keeps its format: ISO strings stay ISO with their own precision and UTC offset, epoch floats
 * stay floats, `0.0` ("not completed yet") stays `0.0`. Durations (`elapsed_seconds`) are not times
 * and do not move.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pyFloatRepr as pyFloatText } from "./pyjson.js";
import type { Recording } from "./recording.js";

/** Keys whose values are points in time in ductor's data (protocol.md §2.4, §4.1, §4.2). */
const TIME_KEYS = new Set(["created_at", "last_active", "completed_at", "mtime"]);
/** Epoch seconds below this are sentinels (`completed_at: 0.0`), not times. 1e9 s is 2001. */
const EPOCH_FLOOR = 1e9;
/** ISO-8601 as Python's isoformat() and JS's toISOString() write it. */
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;
/** The `YYYY-MM-DD HH:MM:SS` stamps of agent.log lines (host local time, no zone). */
const LOG_STAMP = /\b(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\b/g;
/** The `HH:MM:SS ` that starts a console-format line (service.log / service.err). */
const CLOCK_AT_LINE_START = /^(\d{2}):(\d{2}):(\d{2})(?= )/gm;

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** Whole seconds of an ISO string's offset: "+02:00" → 7200, "Z" or none (naive, read as UTC) → 0. */
function offsetSeconds(zone: string | undefined): number {
  if (!zone || zone === "Z") return 0;
  const sign = zone.startsWith("-") ? -1 : 1;
  return sign * (Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(4, 6)) * 60);
}

/** Epoch seconds of an ISO string, or undefined if it is not one. */
function isoEpochSeconds(s: string): number | undefined {
  const m = ISO.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se, frac, zone] = m;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se)) / 1000;
  return wall - offsetSeconds(zone) + (frac ? Number(`0${frac}`) : 0);
}

/** Shift an ISO string by whole seconds, keeping its fraction text and its UTC offset. */
function shiftIso(s: string, seconds: number): string {
  const m = ISO.exec(s);
  if (!m) return s;
  const [, y, mo, d, h, mi, se, frac = "", zone = ""] = m;
  const t = new Date((Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se)) / 1000 + seconds) * 1000);
  return `${wallClock(t, "T")}${frac}${zone}`;
}

/** "YYYY-MM-DD<sep>HH:MM:SS" of a Date read as UTC. */
function wallClock(t: Date, sep: string): string {
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}${sep}${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
}

/** The time a value under a time key stands for, in epoch seconds, if it is one. */
function timeOf(value: unknown): number | undefined {
  if (typeof value === "string") return isoEpochSeconds(value);
  if (typeof value === "number" && Number.isFinite(value) && value >= EPOCH_FLOOR) return value;
  return undefined;
}

/** Every time under a time key anywhere in a JSON value, in epoch seconds. */
function collectTimes(value: unknown, out: number[], key?: string): void {
  if (key !== undefined && TIME_KEYS.has(key)) {
    const t = timeOf(value);
    if (t !== undefined) out.push(t);
  }
  if (Array.isArray(value)) for (const v of value) collectTimes(v, out);
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) collectTimes(v, out, k);
}

/** A copy of a JSON value with every time under a time key moved by `seconds`. */
function shiftJsonValue(value: unknown, seconds: number, key?: string): unknown {
  if (key !== undefined && TIME_KEYS.has(key) && timeOf(value) !== undefined) {
    return typeof value === "string" ? shiftIso(value, seconds) : (value as number) + seconds;
  }
  if (Array.isArray(value)) return value.map((v) => shiftJsonValue(v, seconds));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shiftJsonValue(v, seconds, k)]));
  }
  return value;
}

export class TimeShift {
  /** @param seconds whole seconds added to every time */
  constructor(readonly seconds: number) {}

  /**
   * For `reformatPyJson`: given a key and its value as Python-formatted JSON text, the shifted text.
   * Works on text so an epoch float keeps printing as a float (`1776762012.5` + n stays a float).
   */
  readonly rewriteJson = (key: string, raw: string): string => {
    if (!TIME_KEYS.has(key)) return raw;
    if (raw.startsWith('"')) {
      const s = JSON.parse(raw) as string;
      return isoEpochSeconds(s) === undefined ? raw : JSON.stringify(shiftIso(s, this.seconds));
    }
    const n = Number(raw);
    if (!(Number.isFinite(n) && n >= EPOCH_FLOOR)) return raw;
    // Same double arithmetic and shortest repr in JS and Python, so this is what Python would print.
    const shifted = n + this.seconds;
    return /^-?\d+$/.test(raw) ? String(shifted) : pyFloatText(shifted);
  };

  epoch(seconds: number): number {
    return seconds + this.seconds;
  }

  /**
   * Log text: `YYYY-MM-DD HH:MM:SS` stamps move by the same offset (read as wall-clock time, since
   * ductor writes host local time without a zone), and a console line's leading `HH:MM:SS` by the
   * same offset modulo a day. Every stamp keeps its width, so sizes and byte ranges do not change.
   * Works on latin1 text so non-ASCII bytes pass through untouched.
   */
  logText(text: string): string {
    const moved = text.replace(LOG_STAMP, (_, y: string, mo: string, d: string, h: string, mi: string, s: string) => {
      const t = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) + this.seconds * 1000);
      return t.getUTCFullYear() > 9999 ? _ : wallClock(t, " ");
    });
    return moved.replace(CLOCK_AT_LINE_START, (_, h: string, mi: string, s: string) => {
      const day = 86_400;
      const secs = (((Number(h) * 3600 + Number(mi) * 60 + Number(s) + this.seconds) % day) + day) % day;
      return `${pad(Math.floor(secs / 3600))}:${pad(Math.floor((secs % 3600) / 60))}:${pad(secs % 60)}`;
    });
  }

  /** A copy of the recording with its header time and its snapshots' times moved. */
  recording(rec: Recording): Recording {
    const recordedAt =
      isoEpochSeconds(rec.header.recordedAt) === undefined ? rec.header.recordedAt : shiftIso(rec.header.recordedAt, this.seconds);
    return {
      header: { ...rec.header, recordedAt },
      entries: rec.entries.map((e) =>
        "snapshot" in e ? { t: e.t, snapshot: { ...e.snapshot, body: shiftJsonValue(e.snapshot.body, this.seconds) } } : e,
      ),
    };
  }
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as unknown;
  } catch {
    return undefined; // missing or broken: the route reports it as ductor would; it just has no times
  }
}

/**
 * The newest time, in epoch seconds, across the data folder (sessions.json, tasks.json, the pinned
 * log mtimes in log-mtimes.json) and the recording (its header's recordedAt, its snapshots).
 * Log lines are not read: their stamps are local time of an unknown zone.
 */
async function newestTime(dataDir: string | undefined, rec: Recording, logMtimesFile: string): Promise<number | undefined> {
  const times: number[] = [];
  if (dataDir !== undefined) {
    for (const file of ["sessions.json", "tasks.json"]) collectTimes(await readJson(join(dataDir, file)), times);
    const pinned = await readJson(join(dataDir, logMtimesFile));
    if (pinned && typeof pinned === "object") {
      for (const v of Object.values(pinned)) collectTimes(v, times, "mtime");
    }
  }
  const header = isoEpochSeconds(rec.header.recordedAt);
  if (header !== undefined) times.push(header);
  for (const e of rec.entries) if ("snapshot" in e) collectTimes(e.snapshot.body, times);
  return times.length ? Math.max(...times) : undefined;
}

/** The shift that puts the newest time on `target` (whole seconds), or none when there are no times. */
export async function timeShiftTo(target: Date, dataDir: string | undefined, rec: Recording, logMtimesFile: string): Promise<TimeShift> {
  const newest = await newestTime(dataDir, rec, logMtimesFile);
  return new TimeShift(newest === undefined ? 0 : Math.round(target.getTime() / 1000 - newest));
}
