/**
 * Turns in the stream view: the client's TurnSegmenter (the heuristic is in docs/turns.md) fed every event the
 * view draws, live or from history, and a header line in the renderer for each turn it finds ("Turn at 12:03:04
 * · 2 min 10 s · 12 tools: Read ×5, …", the tools opening a timeline). Events go in before they are drawn, so a
 * turn's header lands above its output.
 */
import { TurnSegmenter, type Turn, type TurnEvent } from "@ductor/dashboard-client";
import { formatClock, formatSpokenDuration as formatDuration } from "../format.js";
import type { EarlierItem, StreamRenderer, TurnHandle, TurnInfo } from "../render/stream-renderer.js";

export interface StreamTurns {
  /** An event about to be drawn, with its arrival time (a relay's `at`, else now). */
  push(event: TurnEvent, at: number): void;
  /** The link dropped: what follows may miss events. */
  gap(at: number): void;
  /** Once a second: the open turn's duration, and the turn a silence closed. */
  tick(now: number): void;
  /** Start over (the view was cleared, or shows another range). */
  reset(): void;
  /** How many turns are on screen, for "j"/"k". */
  readonly count: number;
}

/** What a turn's header says. */
export function turnInfo(turn: Turn, now: number): TurnInfo {
  const session = turn.session ? ` · ${turn.session.name} (${turn.session.provider})` : "";
  const gap = turn.gap ? " · some output may be missing" : "";
  const duration = turn.open ? `${formatDuration(now - turn.startAt)} so far` : formatDuration(turn.durationMs);
  return {
    title: `Turn at ${formatClock(new Date(turn.startAt))}${session}`,
    meta: `${duration}${gap}`,
    summary: turn.tools.length ? turn.toolSummary : "",
    tools: turn.tools,
  };
}

/** The view draws the text itself and never asks a turn for it: nothing to keep. */
const SEGMENTER = { maxTextChars: 0 } as const;

export function createStreamTurns(renderer: StreamRenderer): StreamTurns {
  let segmenter = new TurnSegmenter(SEGMENTER);
  /** The header of the turn being drawn, and which turn it is. */
  let handle: TurnHandle | null = null;
  let shown: Turn | null = null;
  let toolCount = 0;
  let count = 0;

  const close = (turn: Turn | undefined, now: number): void => {
    if (turn && turn === shown) handle?.update(turnInfo(turn, now));
  };

  return {
    push(event, at): void {
      const before = segmenter.current;
      const turn = segmenter.push(event, at);
      if (!turn) return;
      if (turn !== shown) {
        if (before && before !== turn) close(before, at);
        shown = turn;
        toolCount = turn.tools.length;
        handle = renderer.turn(turnInfo(turn, at));
        count++;
      } else if (turn.tools.length !== toolCount) {
        // A tool joined: the summary changes (the duration is the tick's).
        toolCount = turn.tools.length;
        handle?.update({ summary: turn.toolSummary, tools: turn.tools });
      }
    },
    gap(at): void {
      segmenter.push({ type: "gap" }, at);
      if (shown) handle?.update(turnInfo(shown, at));
    },
    tick(now): void {
      close(segmenter.tick(now), now);
      if (shown?.open) handle?.update({ meta: turnInfo(shown, now).meta });
    },
    reset(): void {
      segmenter = new TurnSegmenter(SEGMENTER);
      handle = null;
      shown = null;
      toolCount = 0;
      count = 0;
    },
    get count() {
      return count;
    },
  };
}

/** Turn headers for older history about to be prepended: the items with a header before each turn's first event. */
export function withTurnHeaders(
  events: ReadonlyArray<TurnEvent & { at: number }>,
  items: ReadonlyArray<EarlierItem | null>,
): EarlierItem[] {
  const segmenter = new TurnSegmenter(SEGMENTER);
  const out: EarlierItem[] = [];
  const started: Turn[] = [];
  let last: Turn | undefined;
  events.forEach((event, i) => {
    const turn = segmenter.push(event, event.at);
    if (turn && turn !== last) {
      started.push(turn);
      out.push({ kind: "turn", turn: { title: "", meta: "", summary: "", tools: [] } });
      last = turn;
    }
    const item = items[i];
    if (item) out.push(item);
  });
  segmenter.close();
  // Headers are filled in once every turn of the page is known (its tools and duration).
  let n = 0;
  for (const item of out) if (item.kind === "turn") item.turn = turnInfo(started[n++]!, 0);
  return out;
}
