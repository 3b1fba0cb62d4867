/**
 * Turn segmentation: ductor's stream has no turn boundaries (protocol.md §3.3), so they are derived from
 * arrival gaps, the named-session header chunk and a `thinking` status that follows text after a pause.
 * Pure and incremental: no timers, no clock; the caller passes arrival times. The heuristic and its
 * defaults are explained in docs/turns.md.
 */

/** What the segmenter reads: a stream event, a relay history event, or a recording line's event. */
export interface TurnEvent {
  /** `text_delta`, `tool_activity`, `system_status`; `gap` and `upstream` mark lost events; others are ignored. */
  type: string;
  data?: string | null;
  /** Arrival, ms since the epoch (a relay's `at`, or your clock for plain ductor). */
  at?: number;
}

/** One `tool_activity` of a turn. */
export interface ToolCall {
  /** The tool as ductor named it (`Shell`, `Read`, `mcp__github__create_pull_request`); `""` with Gemini. */
  name: string;
  at: number;
}

/** From a named session's header chunk `**[name | provider]**`. */
export interface TurnSession {
  name: string;
  provider: string;
}

/**
 * Why a turn began: `"start"` (the first event, or the first after `close()`), `"quiet"` (a silence ended the
 * turn before), `"header"` (a named-session header chunk), `"thinking"` (a `thinking` status after text and a pause).
 */
export type TurnStart = "start" | "quiet" | "header" | "thinking";

/**
 * One turn of the agent, as far as the stream shows it. The open turn is updated in place as events arrive;
 * a closed turn never changes.
 */
export interface Turn {
  /** 0 for the first turn this segmenter saw; keeps counting when old turns are dropped (`maxTurns`). */
  readonly index: number;
  readonly startedBy: TurnStart;
  /** Arrival of its first event (ms since the epoch). */
  readonly startAt: number;
  /** Arrival of its last event so far. */
  readonly endAt: number;
  /** `endAt - startAt`. */
  readonly durationMs: number;
  /** True until a boundary, a silence (`tick`) or `close()` ends it. */
  readonly open: boolean;
  /** From a named-session header chunk at its start, else null. */
  readonly session: TurnSession | null;
  /** Every tool started, in order. */
  readonly tools: readonly ToolCall[];
  /** `"12 tools: Read ×5, Shell ×4, Edit ×3"`: by count, then first use; at most 4 names, then `+N more`. */
  readonly toolSummary: string;
  /** Length of all the turn's text (UTF-16 code units), without building it. */
  readonly textLength: number;
  /**
   * The turn's text chunks joined (the session header chunk left out): the last `maxTextChars` characters of it
   * (all of it unless the turn said more).
   */
  text(): string;
  /** Events may be missing: a reconnect, a relay's `upstream` disconnect or a pruned range fell inside or just before it. */
  readonly gap: boolean;
}

export interface TurnOptions {
  /** After text, a silence this long (ms) ends the turn. Default 60 000. */
  quietMs?: number;
  /** While a tool runs or a status (`thinking`, `compacting`…) is shown, a silence this long ends the turn. Default 600 000. */
  busyQuietMs?: number;
  /** A `thinking` status at least this long (ms) after text starts a new turn. Default 8 000. */
  thinkingGapMs?: number;
  /** Turns kept in `turns` (the oldest are dropped). Default 100. */
  maxTurns?: number;
  /**
   * Characters of text each turn keeps for `text()`: the last ones (a turn that runs for days must not hold all
   * it said). 0 keeps none, for callers that never read it. Default 1,000,000. `textLength` counts all of it.
   */
  maxTextChars?: number;
  /** Called after the first event of a turn was added to it. */
  onTurnStart?: (turn: Turn) => void;
  /** Called once when a turn closes. */
  onTurnEnd?: (turn: Turn) => void;
}

/** A named session's follow-up begins with this chunk (protocol.md §3.2). */
const HEADER = /^\*\*\[([^\]\n|]+?) \| ([^\]\n|]+?)\]\*\*(?:\r?\n|$)/;

class TurnRecord implements Turn {
  readonly tools: ToolCall[] = [];
  session: TurnSession | null = null;
  open = true;
  gap = false;
  endAt: number;
  textLength = 0;
  #chunks: string[] = [];
  /** Characters in #chunks. */
  #kept = 0;
  /** Calls per tool name, kept as tools arrive: the summary never walks every call again. */
  readonly #counts = new Map<string, number>();
  #summary: string | undefined;

  constructor(
    readonly index: number,
    readonly startedBy: TurnStart,
    readonly startAt: number,
    private readonly maxTextChars: number,
  ) {
    this.endAt = startAt;
  }

  get durationMs(): number {
    return this.endAt - this.startAt;
  }

  get toolSummary(): string {
    this.#summary ??= summarizeTools(this.tools.length, this.#counts);
    return this.#summary;
  }

  addText(text: string): void {
    if (!text) return;
    this.textLength += text.length;
    if (this.maxTextChars <= 0) return;
    this.#chunks.push(text);
    this.#kept += text.length;
    // Cut back to the limit once twice over it: one join per limit's worth of text, not one per chunk.
    if (this.#kept > 2 * this.maxTextChars) {
      const joined = this.#chunks.join("").slice(-this.maxTextChars);
      this.#chunks = [joined];
      this.#kept = joined.length;
    }
  }

  text(): string {
    // Joined once, then kept joined: repeated calls on a long turn do not re-join every chunk.
    if (this.#chunks.length > 1) this.#chunks = [this.#chunks.join("")];
    const all = this.#chunks[0] ?? "";
    return all.length > this.maxTextChars ? all.slice(-this.maxTextChars) : all;
  }

  addTool(name: string, at: number): void {
    this.tools.push({ name, at });
    this.#counts.set(name, (this.#counts.get(name) ?? 0) + 1);
    this.#summary = undefined;
  }
}

/** `counts`: calls per name in first-use order (a Map keeps insertion order), which breaks ties. */
function summarizeTools(total: number, counts: ReadonlyMap<string, number>): string {
  if (total === 0) return "no tools";
  const sorted = [...counts].sort((a, b) => b[1] - a[1]);
  const shown = sorted.slice(0, 4).map(([name, n]) => `${name || "(unnamed)"}${n > 1 ? ` ×${n}` : ""}`);
  let rest = 0;
  for (const [, n] of sorted.slice(4)) rest += n;
  if (rest) shown.push(`+${rest} more`);
  return `${total} tool${total === 1 ? "" : "s"}: ${shown.join(", ")}`;
}

/**
 * Splits ductor's stream into turns. Feed events in arrival order with `push`; call `tick(now)` when time
 * passes without events (a timer at `closesAt`) so the last turn closes after a silence; `close()` at the end
 * of a finite input. Synchronous, no timers of its own: the same events and times always give the same turns,
 * however often `tick` is called in between.
 *
 * ```ts
 * const turns = new TurnSegmenter({ onTurnEnd: (t) => notify(`${t.toolSummary} in ${t.durationMs / 1000} s`) });
 * stream.on("text_delta", (ev) => turns.push(ev, ev.at ?? Date.now()));
 * ```
 */
export class TurnSegmenter {
  readonly #quietMs: number;
  readonly #busyQuietMs: number;
  readonly #thinkingGapMs: number;
  readonly #maxTurns: number;
  readonly #maxTextChars: number;
  readonly #onStart: ((turn: Turn) => void) | undefined;
  readonly #onEnd: ((turn: Turn) => void) | undefined;
  readonly #turns: TurnRecord[] = [];
  #current: TurnRecord | undefined;
  #count = 0;
  /** Arrival of the last event placed (times are clamped to never go back). */
  #lastAt = Number.NEGATIVE_INFINITY;
  /** The last event that sets the mood: text (or the header), or busy (a tool, a status label). */
  #last: "text" | "header" | "busy" = "text";
  /** How the next turn begins when none is open. */
  #next: TurnStart = "start";
  #gapPending = false;

  constructor(options: TurnOptions = {}) {
    this.#quietMs = options.quietMs ?? 60_000;
    this.#busyQuietMs = options.busyQuietMs ?? 600_000;
    this.#thinkingGapMs = options.thinkingGapMs ?? 8_000;
    this.#maxTurns = Math.max(1, options.maxTurns ?? 100);
    this.#maxTextChars = Math.max(0, options.maxTextChars ?? 1_000_000);
    this.#onStart = options.onTurnStart;
    this.#onEnd = options.onTurnEnd;
  }

  /** The turns kept, oldest first; the last one may be open. */
  get turns(): readonly Turn[] {
    return this.#turns;
  }

  /** The open turn, if any. */
  get current(): Turn | undefined {
    return this.#current;
  }

  /** When the open turn closes if nothing else arrives (`tick` at or after it closes it); undefined with no open turn. */
  get closesAt(): number | undefined {
    return this.#current && this.#lastAt + (this.#last === "busy" ? this.#busyQuietMs : this.#quietMs);
  }

  /**
   * Adds one event; `at` (ms) overrides `event.at`, and one of them is required for `text_delta`,
   * `tool_activity` and `system_status`. Returns the turn the event joined, or undefined when it joined none
   * (a `gap` or `upstream` marker, an unknown type). A time earlier than the previous one counts as equal.
   */
  push(event: TurnEvent, at?: number): Turn | undefined {
    const { type, data } = event;
    if (type === "gap" || (type === "upstream" && data !== "connected")) {
      // Events were lost here: the open turn may be missing some, and so may the next one (its start).
      if (this.#current) this.#current.gap = true;
      this.#gapPending = true;
      return undefined;
    }
    if (type !== "text_delta" && type !== "tool_activity" && type !== "system_status") return undefined;
    let t = at ?? event.at;
    if (typeof t !== "number" || !Number.isFinite(t)) throw new TypeError(`turns: ${type} needs an arrival time (at), got ${String(t)}`);
    if (t < this.#lastAt) t = this.#lastAt;
    this.tick(t);

    let turn = this.#current;
    const header = type === "text_delta" && typeof data === "string" ? HEADER.exec(data) : null;
    let boundary: TurnStart | undefined;
    if (turn && header) {
      // A header right after statuses only (e.g. a replay's restart note) names the turn they began.
      if (turn.textLength || turn.tools.length || turn.session || t - this.#lastAt >= this.#thinkingGapMs) boundary = "header";
    } else if (
      turn &&
      type === "system_status" &&
      data === "thinking" &&
      this.#last === "text" &&
      t - this.#lastAt >= this.#thinkingGapMs
    ) {
      boundary = "thinking";
    }
    if (boundary) this.#end(boundary);
    const started = !this.#current;
    if (started) turn = this.#start(t);
    else turn = this.#current as TurnRecord;
    if (this.#gapPending) {
      turn.gap = true;
      this.#gapPending = false;
    }

    if (type === "text_delta") {
      const text = data ?? "";
      if (header) {
        turn.session = { name: header[1] as string, provider: header[2] as string };
        const rest = text.slice(header[0].length);
        turn.addText(rest);
        this.#last = rest ? "text" : "header";
      } else {
        turn.addText(text);
        this.#last = "text";
      }
    } else if (type === "tool_activity") {
      turn.addTool(data ?? "", t);
      this.#last = "busy";
    } else if (data !== null) {
      this.#last = "busy";
    } // a `null` status (clear the indicator) leaves the mood as it was
    turn.endAt = t;
    this.#lastAt = t;
    if (started) this.#onStart?.(turn);
    return turn;
  }

  /** Time passed: closes the open turn when it has been quiet long enough (see `closesAt`). Returns the turn it closed. */
  tick(now: number): Turn | undefined {
    const due = this.closesAt;
    return due !== undefined && now >= due ? this.#end("quiet") : undefined;
  }

  /** Closes the open turn now (the end of a recording or history page). Returns it. */
  close(): Turn | undefined {
    return this.#end("start");
  }

  #start(at: number): TurnRecord {
    const turn = new TurnRecord(this.#count++, this.#next, at, this.#maxTextChars);
    this.#current = turn;
    this.#last = "text";
    this.#turns.push(turn);
    if (this.#turns.length > this.#maxTurns) this.#turns.shift();
    return turn;
  }

  #end(next: TurnStart): TurnRecord | undefined {
    const turn = this.#current;
    this.#next = next;
    if (!turn) return undefined;
    turn.open = false;
    this.#current = undefined;
    this.#onEnd?.(turn);
    return turn;
  }
}
