/**
 * ductor's log text (protocol.md §5) → entries grouped in runs, without DOM: each line is parsed as an entry's
 * first line (time, level, logger, message) or, when it does not match, as a continuation line (a traceback)
 * of the entry above. Consecutive lines of the same level form one run, so the viewer draws one element per
 * run instead of one per line, and hides a run as a whole when the level filter leaves its level out.
 *
 * Text comes in pieces (the tail of a file, then earlier bytes or appended bytes), so parsing takes and gives
 * back a state (the level of the entry in progress, the ANSI style in effect), and reports the parts that a
 * neighbouring piece may change: the lines before the first entry (their entry began earlier in the file) and
 * an unfinished last line (the rest of it may still come).
 */
import { parseAnsi, stripAnsi, type AnsiSpan, type AnsiStyle } from "./ansi.js";

export type LogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR" | "CRITICAL";

/** An entry's first line. */
export interface LogLine {
  /** `YYYY-MM-DD HH:MM:SS` (agent.log) or `HH:MM:SS` (console format), host local time, as written. */
  time: string;
  level: LogLevel;
  logger: string;
  /** Source file and line: agent.log only. */
  file: string | null;
  lineNo: number | null;
  /** The `[agent:op:chat:…]` context, when there is one (agent.log only). */
  context: string | null;
  message: string;
}

// protocol.md §5, with a message that may hold any character (a lone CR of a CRLF file is cut off first).
const AGENT_LINE =
  /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) \[(DEBUG|INFO|WARNING|ERROR|CRITICAL)\] ([^:\s]+):([^:]+):(\d+): (?:\[([^\]]*)\] )?(.*)$/s;
// The console format of service.log / service.err: `HH:MM:SS LEVEL    logger: message` (level padded to 8).
const CONSOLE_LINE = /^(\d{2}:\d{2}:\d{2}) (DEBUG|INFO|WARNING|ERROR|CRITICAL) +([^:\s]+): (.*)$/s;

/** One line (without its line break; escapes allowed) as an entry's first line, or null for a continuation line. */
export function parseLogLine(line: string): LogLine | null {
  const first = line.charCodeAt(0);
  if (first < 0x30 || first > 0x39) {
    if (first !== 0x1b) return null; // every first line starts with a digit (or a colour escape before it)
  }
  let plain = line.includes("\x1b") ? stripAnsi(line) : line;
  if (plain.endsWith("\r")) plain = plain.slice(0, -1);
  const a = AGENT_LINE.exec(plain);
  if (a) {
    return {
      time: a[1]!,
      level: a[2] as LogLevel,
      logger: a[3]!,
      file: a[4]!,
      lineNo: Number(a[5]),
      context: a[6] ?? null,
      message: a[7]!,
    };
  }
  const c = CONSOLE_LINE.exec(plain);
  if (c) return { time: c[1]!, level: c[2] as LogLevel, logger: c[3]!, file: null, lineNo: null, context: null, message: c[4]! };
  return null;
}

/** A plain string, or a span in an ANSI style. */
type LogPart = string | AnsiSpan;

/** Consecutive lines of one level: whole entries (first line and continuation lines), or lines of an unknown entry. */
export interface LogRun {
  /** null: lines whose entry is not known (before the first entry of a file, or of a piece starting mid-entry). */
  readonly level: LogLevel | null;
  /** The text without escapes: plain strings, and spans where an ANSI style is in effect. */
  readonly parts: LogPart[];
  /** How many entries begin in this run. */
  entries: number;
}

export interface LogParseState {
  /** The level of the entry in progress (continuation lines get it); null before any entry. */
  readonly level: LogLevel | null;
  /** The ANSI style in effect. Reset at each entry: one entry's colours never leak into the next. */
  readonly style: AnsiStyle | null;
}

export const START_STATE: LogParseState = { level: null, style: null };

export interface LogParse {
  runs: LogRun[];
  /** Characters and runs (at the start) of lines with no entry known (parsed in a state with `level: null`). */
  leadChars: number;
  leadRuns: number;
  /** Characters of an unfinished last line (the text does not end with `\n`), 0 if none. It is alone in the last run. */
  tailChars: number;
  /** The state after the whole text. */
  state: LogParseState;
  /** The state where the unfinished last line began (`state` when there is none): re-parse it with more text from here. */
  tailState: LogParseState;
}

/** Add a span to a run's parts, joined to the last part when it has the same style (a style carried over lines). */
function pushPart(parts: LogPart[], span: AnsiSpan): void {
  const last = parts[parts.length - 1];
  if (span.style === null) {
    if (typeof last === "string") parts[parts.length - 1] = last + span.text;
    else parts.push(span.text);
  } else if (last !== undefined && typeof last !== "string" && last.style === span.style) {
    parts[parts.length - 1] = { text: last.text + span.text, style: span.style };
  } else parts.push(span);
}

/**
 * Parse `text`, continuing from `from` (the state after the text before it). `midLine`: the text may begin in
 * the middle of a line (a byte range of a file, read without what is before it), so its first line is taken
 * as a continuation line even when it looks like a first line: it may be the end of a line quoting one.
 */
export function parseLog(text: string, from: LogParseState = START_STATE, { midLine = false }: { midLine?: boolean } = {}): LogParse {
  const runs: LogRun[] = [];
  let level = from.level;
  let style = from.style;
  let leadChars = 0;
  let leadRuns = 0;
  let tailChars = 0;
  let tailState = from;
  let inLead = level === null;

  let run: LogRun | null = null;
  // Plain text not yet added to `run.parts`: the range [plainFrom, plainTo) of `text`, grown line by line.
  let plainFrom = 0;
  let plainTo = 0;
  const flushPlain = (): void => {
    if (run && plainTo > plainFrom) pushPart(run.parts, { text: text.slice(plainFrom, plainTo), style: null });
    plainFrom = plainTo;
  };
  const startRun = (runLevel: LogLevel | null): void => {
    flushPlain();
    run = { level: runLevel, parts: [], entries: 0 };
    runs.push(run);
  };

  let nextEsc = text.indexOf("\x1b");
  let pos = 0;
  const len = text.length;
  while (pos < len) {
    const nl = text.indexOf("\n", pos);
    const lineEnd = nl < 0 ? len : nl; // without the line break
    const next = nl < 0 ? len : nl + 1; // with it
    if (nextEsc >= 0 && nextEsc < pos) nextEsc = text.indexOf("\x1b", pos);
    const hasEsc = nextEsc >= 0 && nextEsc < next;
    // A line with escapes is split into spans first; the first-line check then reads their text.
    let parsed = hasEsc ? parseAnsi(text.slice(pos, next), style) : null;
    let header: LogLine | null = null;
    const first = text.charCodeAt(pos);
    if (!(midLine && pos === 0) && ((first >= 0x30 && first <= 0x39) || first === 0x1b)) {
      if (parsed) {
        let plain = "";
        for (const span of parsed.spans) plain += span.text;
        header = parseLogLine(nl < 0 ? plain : plain.slice(0, -1));
        if (header && style !== null) parsed = parseAnsi(text.slice(pos, next), null); // the entry starts in the default style
      } else header = parseLogLine(text.slice(pos, lineEnd));
    }
    const unfinished = nl < 0;
    if (unfinished) tailState = { level, style };

    if (header) {
      if (inLead) {
        inLead = false;
        leadChars = pos;
        leadRuns = runs.length;
      }
      level = header.level;
      style = null;
    }
    // A new run where the level changes (the lead, of level null, ends at the first entry) and for an unfinished last line.
    const current = run as LogRun | null;
    if (!current || current.level !== level || unfinished) {
      startRun(level);
      plainFrom = plainTo = pos;
    }
    const target = run as unknown as LogRun;
    if (header) target.entries++;

    if (parsed) {
      flushPlain();
      style = parsed.style;
      for (const span of parsed.spans) pushPart(target.parts, span);
      plainFrom = plainTo = next;
    } else if (style === null) {
      plainTo = next; // the line joins the plain text of the run
    } else {
      flushPlain();
      pushPart(target.parts, { text: text.slice(pos, next), style }); // a colour left on by an earlier line
      plainFrom = plainTo = next;
    }
    if (unfinished) tailChars = len - pos;
    pos = next;
  }
  flushPlain();
  if (inLead) {
    leadChars = len;
    leadRuns = runs.length;
  }
  const state = { level, style };
  return { runs, leadChars, leadRuns, tailChars, state, tailState: tailChars ? tailState : state };
}

/** The text of a run without escapes. */
export function runText(run: LogRun): string {
  let text = "";
  for (const part of run.parts) text += typeof part === "string" ? part : part.text;
  return text;
}

/** What the level filter lets through. */
export type LevelFilter = "all" | "info" | "warning" | "error";

export const LEVEL_FILTERS: readonly { value: LevelFilter; label: string }[] = [
  { value: "all", label: "All levels" },
  { value: "info", label: "Info and above" },
  { value: "warning", label: "Warnings and errors" },
  { value: "error", label: "Errors only" },
];

const RANK: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 };
const MIN_RANK: Record<LevelFilter, number> = { all: 0, info: 20, warning: 30, error: 40 };

export function isLevelFilter(value: string): value is LevelFilter {
  return value === "all" || value === "info" || value === "warning" || value === "error";
}

/** Whether entries of `level` are shown under `filter`. Lines of an unknown entry are shown only with "all". */
export function levelShown(level: LogLevel | null, filter: LevelFilter): boolean {
  if (filter === "all") return true;
  return level !== null && RANK[level] >= MIN_RANK[filter];
}
