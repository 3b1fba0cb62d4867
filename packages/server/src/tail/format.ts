/**
 * What `ductor-dashboard tail` prints for each thing the stream says: pure functions of the event (and of a
 * little state: is the cursor mid-line, is the link down, which status was shown last). Every string taken from
 * the stream goes through sanitize.ts; the only escape sequences in the output are the SGR colours below, and
 * only when `color` is on.
 */
import type { GapEvent, OpenEvent, ReconnectingEvent, StreamDataEvent, Turn } from "@ductor/dashboard-client";
import { sanitizeLine, sanitizeText } from "./sanitize.js";

/** The SGR sequences the tail writes itself (the tests check that nothing else gets out). */
export const SGR = {
  reset: "\x1b[0m",
  bold: "\x1b[1m",
  dim: "\x1b[2m",
  red: "\x1b[31m",
  green: "\x1b[32m",
  yellow: "\x1b[33m",
  cyan: "\x1b[36m",
} as const;

/** Local `HH:MM:SS`. */
function clockTime(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `12 s`, `4 min 3 s`, `2 h 5 min` (rounded down). */
export function durationText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

export interface HumanFormatOptions {
  color: boolean;
  /** Clock time for lifecycle lines. Default local HH:MM:SS. */
  time?: (epochMs: number) => string;
  /** Now, for events without `at` (plain ductor). Default Date.now. */
  now?: () => number;
}

/**
 * The human output: text as it comes, a line per tool (`⚙ Read`), dim statuses, and a visible line for every
 * change of the link (`— disconnected 12:03:04 (code 1006), reconnecting… —`, `— resumed 12:03:05, nothing
 * missed —`), the relay's link to ductor and pruned ranges. Each method returns what to write ("" for nothing).
 */
export class HumanFormatter {
  readonly #color: boolean;
  readonly #time: (epochMs: number) => string;
  readonly #now: () => number;
  #atLineStart = true;
  /** The status label shown last, while nothing else came after it: repeats are not printed again. */
  #lastStatus: string | null = null;
  #everOpen = false;
  #down = false;
  /** With `--since`: the relay's head at the first open; the "live" marker follows the event with this seq. */
  #catchUpTo: number | undefined;

  constructor(options: HumanFormatOptions) {
    this.#color = options.color;
    this.#time = options.time ?? clockTime;
    this.#now = options.now ?? Date.now;
  }

  /** True when the last thing written ended a line. */
  get atLineStart(): boolean {
    return this.#atLineStart;
  }

  /** "\n" when the cursor is mid-line (the activity line needs a row of its own), else "". */
  breakLine(): string {
    if (this.#atLineStart) return "";
    this.#atLineStart = true;
    return "\n";
  }

  #style(text: string, ...codes: string[]): string {
    return this.#color ? `${codes.join("")}${text}${SGR.reset}` : text;
  }

  /** A line of its own, starting a new line first when the cursor is mid-line. */
  #line(text: string, ...codes: string[]): string {
    const out = `${this.breakLine()}${this.#style(text, ...codes)}\n`;
    this.#lastStatus = null;
    return out;
  }

  /** A lifecycle line: `— text —`. */
  #note(text: string, ...codes: string[]): string {
    return this.#line(`— ${text} —`, ...codes);
  }

  /** text_delta, tool_activity, system_status or a relay's upstream row. */
  event(ev: StreamDataEvent): string {
    const out = this.#event(ev);
    if (this.#catchUpTo !== undefined && ev.seq !== undefined && ev.seq >= this.#catchUpTo) {
      this.#catchUpTo = undefined;
      return out + this.#note("live", SGR.dim);
    }
    return out;
  }

  #event(ev: StreamDataEvent): string {
    switch (ev.type) {
      case "text_delta": {
        const text = sanitizeText(ev.data);
        if (!text) return "";
        this.#atLineStart = text.endsWith("\n");
        this.#lastStatus = null;
        return text;
      }
      case "tool_activity":
        return this.#line(`⚙ ${ev.data ? sanitizeLine(ev.data) : "(unnamed tool)"}`, SGR.cyan, SGR.bold);
      case "system_status": {
        if (ev.data === null || ev.data === "") {
          this.#lastStatus = null; // cleared: the same label again is news
          return "";
        }
        const label = sanitizeLine(ev.data);
        if (label === this.#lastStatus) return "";
        const out = this.#line(`· ${label}`, SGR.dim);
        this.#lastStatus = label;
        return out;
      }
      case "upstream": {
        const at = this.#time(ev.at ?? this.#now());
        if (ev.data === "connected") return this.#note(`ductor connected to the relay · ${at}`, SGR.green);
        if (ev.data === "disconnected")
          return this.#note(`the relay lost ductor · ${at} (what ductor sends until it is back is lost)`, SGR.yellow);
        if (ev.data === "refused") return this.#note(`ductor refused the relay's token · ${at}`, SGR.red);
        return this.#note(`relay: ${sanitizeLine(ev.data)} · ${at}`, SGR.dim);
      }
      default:
        return "";
    }
  }

  /** The relay pruned events before this connection could resume through them. */
  gap(ev: GapEvent): string {
    const range = ev.fromSeq === ev.toSeq ? `event #${ev.fromSeq} was` : `events #${ev.fromSeq}–#${ev.toSeq} were`;
    return this.#note(`${range} pruned from the relay's history before they could be shown`, SGR.yellow);
  }

  /** A connection is open (its ping arrived). `url` is what --ductor named. */
  open(ev: OpenEvent, url: string): string {
    const at = this.#time(ev.at);
    this.#down = false;
    if (!this.#everOpen) {
      this.#everOpen = true;
      if (!ev.relay) return this.#note(`connected to ductor at ${url} · ${at}`, SGR.dim);
      const { head, oldest } = ev.relay;
      const kept = head >= oldest ? `history #${oldest}–#${head}` : "no history yet";
      let out = this.#note(`connected to the relay at ${url} · ${kept} · ${at}`, SGR.dim);
      if (ev.since !== undefined) {
        if (ev.since >= head) {
          out += this.#note(
            ev.since > head
              ? `#${ev.since} is beyond the relay's head #${head} (its history was reset?); live only`
              : "nothing newer stored; live",
            SGR.dim,
          );
        } else {
          out += this.#note(`history after #${ev.since}, then live`, SGR.dim);
          this.#catchUpTo = head;
        }
      }
      return out;
    }
    if (ev.resumed) return this.#note(`resumed ${at}, nothing missed`, SGR.green);
    if (!ev.relay) return this.#note(`reconnected ${at}; what ductor sent while disconnected is lost`, SGR.yellow);
    if (ev.since !== undefined && ev.since > ev.relay.head) {
      return this.#note(`reconnected ${at}; the relay's history was reset (head #${ev.relay.head}): events may be missing`, SGR.yellow);
    }
    return ev.since !== undefined
      ? this.#note(`reconnected ${at}; some events were pruned before they could be resent`, SGR.yellow)
      : this.#note(`reconnected ${at}`, SGR.yellow);
  }

  /** The link dropped (or a retry failed): one line when it goes down, not one per attempt. */
  reconnecting(ev: ReconnectingEvent, now = this.#now()): string {
    if (this.#down || !this.#everOpen) return "";
    this.#down = true;
    const why = ev.code !== undefined ? ` (code ${ev.code}${ev.reason ? ` ${sanitizeLine(ev.reason, 80)}` : ""})` : "";
    return this.#note(`disconnected ${this.#time(now)}${why}, reconnecting…`, SGR.yellow);
  }

  /** A turn began (TurnSegmenter's onTurnStart). */
  turnStart(turn: Turn): string {
    const session = turn.session ? ` · ${sanitizeLine(turn.session.name, 60)} (${sanitizeLine(turn.session.provider, 30)})` : "";
    const gap = turn.gap ? " · events may be missing" : "";
    return this.#line(`── turn ${turn.index + 1} · ${this.#time(turn.startAt)}${session}${gap} ──`, SGR.dim);
  }

  /** A turn ended (onTurnEnd): how long, and which tools. */
  turnEnd(turn: Turn): string {
    const tools = turn.tools.length ? sanitizeLine(turn.toolSummary, 120) : "no tools";
    return this.#line(`── end of turn ${turn.index + 1} · ${durationText(turn.durationMs)} · ${tools} ──`, SGR.dim);
  }
}
