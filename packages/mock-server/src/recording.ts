/**
 * The recording format (JSON lines, `*.jsonl`), see docs/architecture.md:
 *
 *   {"ductorRecording":1,"recordedAt":"…","source":"http://…"|"synthetic","provider":"claude","model":"opus"}
 *   {"t":0,"snapshot":{"path":"/dashboard/status","status":200,"body":{…}}}
 *   {"t":412,"event":{"type":"system_status","data":"thinking"}}
 *
 * Parsing validates every line and names the line in its error, because recordings are edited by
 * hand and a silent skip would make a replay quietly differ from what was recorded.
 */
import { existsSync, statSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const RECORDING_VERSION = 1;

export interface RecordingHeader {
  ductorRecording: 1;
  /** ISO-8601 time the recording started. */
  recordedAt: string;
  /** The ductor base URL it was recorded from, or `"synthetic"`. */
  source: string;
  /** The provider id (un-swapped), e.g. "claude". */
  provider?: string;
  /** The model, e.g. "opus". */
  model?: string;
  [extra: string]: unknown;
}

/** One stream frame as ductor sends it, e.g. `{ type: "text_delta", data: "…" }`. */
export interface StreamFrame {
  type: string;
  data?: unknown;
  [extra: string]: unknown;
}

export interface Snapshot {
  /** The REST path, e.g. "/dashboard/sessions". */
  path: string;
  status: number;
  body: unknown;
}

export type RecordingEntry = { t: number; event: StreamFrame } | { t: number; snapshot: Snapshot };

export interface Recording {
  header: RecordingHeader;
  entries: RecordingEntry[];
}

export class RecordingError extends Error {
  override name = "RecordingError";
  constructor(
    message: string,
    /** 1-based line number, when the error is about one line. */
    readonly line?: number,
    readonly source?: string,
  ) {
    super(`${source ? `${source}: ` : ""}${line !== undefined ? `line ${line}: ` : ""}${message}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Parse and validate a recording. `source` (a file name) only decorates error messages. */
export function parseRecording(text: string, source?: string): Recording {
  const lines = text.split("\n");
  let header: RecordingHeader | undefined;
  const entries: RecordingEntry[] = [];
  let lastT = 0;
  for (let n = 0; n < lines.length; n++) {
    const raw = (lines[n] ?? "").replace(/\r$/, "");
    const lineNo = n + 1;
    if (raw.trim() === "") continue; // blank lines (a trailing newline, hand edits) carry nothing
    const err = (msg: string) => new RecordingError(msg, lineNo, source);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      throw err(`not valid JSON (${(e as Error).message})`);
    }
    if (!isObject(value)) throw err("expected a JSON object");
    if (!header) {
      if (value.ductorRecording !== RECORDING_VERSION) {
        throw err(`the first line must be the header {"ductorRecording":${RECORDING_VERSION},…}`);
      }
      for (const key of ["recordedAt", "source"] as const) {
        if (typeof value[key] !== "string") throw err(`header field "${key}" must be a string`);
      }
      for (const key of ["provider", "model"] as const) {
        if (value[key] !== undefined && typeof value[key] !== "string") {
          throw err(`header field "${key}" must be a string`);
        }
      }
      header = value as RecordingHeader;
      continue;
    }
    const t = value.t;
    if (typeof t !== "number" || !Number.isFinite(t) || t < 0) throw err(`"t" must be a number >= 0`);
    if (t < lastT) throw err(`"t" must not decrease (${t} after ${lastT})`);
    lastT = t;
    const hasEvent = "event" in value;
    const hasSnapshot = "snapshot" in value;
    if (hasEvent === hasSnapshot) throw err(`expected exactly one of "event" or "snapshot"`);
    if (hasEvent) {
      const ev = value.event;
      if (!isObject(ev) || typeof ev.type !== "string") throw err(`"event" must be an object with a string "type"`);
      entries.push({ t, event: ev as StreamFrame });
    } else {
      const snap = value.snapshot;
      if (!isObject(snap) || typeof snap.path !== "string" || !snap.path.startsWith("/")) {
        throw err(`"snapshot" must be an object with a "path" starting with "/"`);
      }
      if (typeof snap.status !== "number" || !Number.isInteger(snap.status)) {
        throw err(`"snapshot.status" must be an integer`);
      }
      if (!("body" in snap)) throw err(`"snapshot" needs a "body"`);
      entries.push({ t, snapshot: { path: snap.path, status: snap.status, body: snap.body } });
    }
  }
  if (!header) throw new RecordingError("empty recording: no header line", undefined, source);
  return { header, entries };
}

/** One line of the format, without the newline. */
export function serializeHeader(header: RecordingHeader): string {
  return JSON.stringify(header);
}

export function serializeEntry(entry: RecordingEntry): string {
  return "event" in entry ? JSON.stringify({ t: entry.t, event: entry.event }) : JSON.stringify({ t: entry.t, snapshot: entry.snapshot });
}

/** The whole file, one JSON value per line, ending with a newline. */
export function serializeRecording(rec: Recording): string {
  return `${[serializeHeader(rec.header), ...rec.entries.map(serializeEntry)].join("\n")}\n`;
}

/**
 * The bundled recordings folder. Source files live in `src/`, built files in `dist/`: both are one
 * level below the package root, so `../recordings` works for the sources (tests) and for the ESM
 * and CJS builds (tsup shims `import.meta.url` in CJS).
 */
export function recordingsDir(): string {
  return fileURLToPath(new URL("../recordings/", import.meta.url));
}

/** Names of the bundled recordings, e.g. ["coding-session", "long-output"]. */
export const BUNDLED_RECORDINGS = ["coding-session", "long-output"] as const;

export interface ResolvedRecording {
  /** Absolute path of the `.jsonl` file. */
  file: string;
  /** The recording's own data folder (`<name>/` next to `<name>.jsonl`) when it exists. */
  dataDir?: string;
}

/** A bundled name ("coding-session") or a path to a `.jsonl` file → the file and its data folder. */
export function resolveRecording(nameOrPath: string): ResolvedRecording {
  const looksLikeName = /^[\w-]+$/.test(nameOrPath);
  const file = looksLikeName ? join(recordingsDir(), `${nameOrPath}.jsonl`) : resolve(nameOrPath);
  if (!existsSync(file)) {
    throw new RecordingError(
      looksLikeName
        ? `no bundled recording named "${nameOrPath}" (bundled: ${BUNDLED_RECORDINGS.join(", ")})`
        : `recording file not found: ${file}`,
    );
  }
  const dataDir = join(dirname(file), basenameNoExt(file));
  return existsSync(dataDir) && statSync(dataDir).isDirectory() ? { file, dataDir } : { file };
}

function basenameNoExt(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.jsonl$/i, "");
}

/** Read a bundled recording by name, or a `.jsonl` file by path. */
export async function readRecording(nameOrPath: string): Promise<Recording> {
  const { file } = resolveRecording(nameOrPath);
  return parseRecording(await readFile(file, "utf8"), file);
}

export async function writeRecording(file: string, rec: Recording): Promise<void> {
  await writeFile(file, serializeRecording(rec), "utf8");
}
