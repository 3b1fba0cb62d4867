/**
 * The history browser: the stream view shows a range of a relay's history instead of live output, drawn at
 * once (a search hit, with the hit highlighted) or replayed at 1x or 10x, until "Back to live".
 *
 * While browsing, live events are not drawn. "Back to live" redraws recent history up to the newest live seq
 * that had arrived, and the live events that arrive meanwhile after it, so the view returns with no hole and no
 * duplicate (the same meeting rule as on page load: every live frame has a seq above what history returned).
 */
import type { HistoryEvent } from "@ductor/dashboard-client";
import { loadRecentHistory } from "../app/backfill.js";
import { reportFailure, elementBanner } from "../app/failure.js";
import { drawnItem, replayDelay, type ReplaySpeed } from "../app/history-range.js";
import type { DataEvent } from "../app/live.js";
import { createLatest, type Scope } from "../app/scope.js";
import type { AppContext } from "../app/types.js";
import { h } from "../dom.js";
import { formatClock } from "../format.js";
import type { StreamRenderer } from "../render/stream-renderer.js";

export interface BrowseRange {
  /** First and last seq, inclusive. */
  from: number;
  to: number;
  /** The seq to highlight and scroll to (a search hit). */
  highlight?: number;
}

export interface HistoryBrowserHost {
  readonly renderer: StreamRenderer;
  readonly scrollbackChars: number;
  /** The newest seq the view drew live (where "Back to live" reloads up to, if no newer one arrived). */
  liveHead(): number;
  /** Redraw recent history (the view's own drawing, with no "new since" divider). */
  drawHistory(events: readonly HistoryEvent[]): void;
  /** Empty the output (and what the view knows of it). */
  clear(): void;
  /** A history event is about to be drawn (turns are found from it). */
  beforeDraw(event: HistoryEvent): void;
  /** Draw one live event as live output. */
  drawLive(event: DataEvent): void;
  /** Browsing started or ended (the view shows or hides its live-only controls). */
  onModeChange(browsing: boolean): void;
  /** The oldest seq the view now shows (for "Load earlier"), or null. */
  setEarliest(seq: number | null): void;
}

export interface HistoryBrowser {
  /** The bar above the output while browsing; hidden otherwise. */
  readonly bar: HTMLElement;
  readonly browsing: boolean;
  /** A live event: true when browsing (it is held or counted, not drawn now). */
  intercept(event: DataEvent): boolean;
  open(range: BrowseRange, speed: ReplaySpeed): Promise<void>;
  backToLive(): Promise<void>;
}

/** Events per history request. */
const PAGE_EVENTS = 1_000;
/** A replay shortens silences longer than this (at the chosen speed). */
const MAX_PAUSE_MS = 2_000;
/** Live events held while returning to live; past it, the return starts over from the newer head. */
const MAX_HELD = 100_000;

export function createHistoryBrowser(ctx: AppContext, scope: Scope, host: HistoryBrowserHost): HistoryBrowser {
  const { client } = ctx;
  const { renderer } = host;
  const title = h("span", { class: "hb-title" });
  const progress = h("span", { class: "hb-progress muted", role: "status" });
  const stopBtn = h("button", { type: "button", class: "btn", hidden: true }, "Stop replay");
  const liveBtn = h("button", { type: "button", class: "btn btn-primary" }, "Back to live");
  const error = h("p", { class: "banner banner-error", role: "alert", hidden: true });
  const banner = elementBanner(error);
  const bar = h(
    "div",
    { class: "history-bar", hidden: true, role: "region", "aria-label": "History browser" },
    h("div", { class: "toolbar-group" }, title, progress, stopBtn, liveBtn),
    error,
  );

  let browsing = false;
  /** Newest live seq that arrived while browsing. */
  let newestLive = 0;
  /** Live events held while "Back to live" reloads; null when not returning. */
  let held: DataEvent[] | null = null;
  let overflowed = false;
  /** The run in flight (an open or a return); a newer one aborts it. */
  const run = createLatest(scope);
  const begin = (): AbortSignal => run.begin();

  const setMode = (value: boolean): void => {
    if (browsing === value) return;
    browsing = value;
    bar.hidden = !value;
    host.onModeChange(value);
  };

  /** Waits `ms`, or less if `signal` aborts; called per replayed event, so it leaves no listener behind. */
  const wait = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      if (ms <= 0 || signal.aborted) return resolve();
      const done = (): void => {
        cancel();
        signal.removeEventListener("abort", done);
        resolve();
      };
      const cancel = scope.timeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
    });

  async function open(range: BrowseRange, speed: ReplaySpeed): Promise<void> {
    const signal = begin();
    if (!browsing) newestLive = host.liveHead();
    held = null;
    setMode(true);
    banner.ok();
    host.clear();
    renderer.resume();
    stopBtn.hidden = speed === 0;
    progress.textContent = "loading…";
    title.textContent = `History, events ${range.from.toLocaleString("en-US")}–${range.to.toLocaleString("en-US")}`;
    const total = range.to - range.from + 1;
    let drawn = 0;
    let first: HistoryEvent | null = null;
    let prevAt: number | null = null;
    try {
      let after = range.from - 1;
      while (after < range.to && !signal.aborted) {
        const page = await client.history.page({ after }, { limit: Math.min(PAGE_EVENTS, range.to - after), signal });
        if (signal.aborted || page.events.length === 0) break;
        for (const event of page.events) {
          if (event.seq > range.to || signal.aborted) break;
          if (speed !== 0 && prevAt !== null) {
            await wait(replayDelay(prevAt, event.at, speed, MAX_PAUSE_MS), signal);
            if (signal.aborted) break;
          }
          prevAt = event.at;
          if (!first) {
            first = event;
            host.setEarliest(event.seq);
            title.textContent = `History from ${formatClock(new Date(event.at))}`;
          }
          draw(event, event.seq === range.highlight);
          drawn++;
          if (speed !== 0)
            progress.textContent = `replaying at ${speed}x · ${drawn.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} events`;
        }
        after = page.events.at(-1)!.seq;
        if (after >= page.head) break;
      }
      if (signal.aborted) return;
      stopBtn.hidden = true;
      progress.textContent = drawn === 0 ? "nothing retained in that range" : `${drawn.toLocaleString("en-US")} events`;
      if (range.highlight !== undefined) {
        renderer.flush();
        renderer.revealHighlight();
      }
    } catch (err) {
      if (signal.aborted) return;
      progress.textContent = "";
      reportFailure(ctx, err, { endpoint: "/dashboard/history", doing: "load that part of the history", banner });
    }
  }

  function draw(event: HistoryEvent, highlighted: boolean): void {
    host.beforeDraw(event);
    const item = drawnItem(event);
    if (!item) return;
    if (item.kind === "text") {
      if (highlighted) renderer.highlight(item.text);
      else renderer.append(item.text);
    } else if (item.kind === "tool") renderer.tool(item.name);
    else if (highlighted) renderer.highlight(item.text);
    else renderer.note(item.text);
  }

  async function backToLive(): Promise<void> {
    if (!browsing) return;
    const signal = begin();
    const head = newestLive;
    held = [];
    overflowed = false;
    stopBtn.hidden = true;
    progress.textContent = "back to live…";
    try {
      const events = await loadRecentHistory(client, head, host.scrollbackChars, signal);
      if (signal.aborted) return;
      // More live output came meanwhile than is worth holding: start over from the newer head (history has it).
      if (overflowed) return void backToLive();
      host.clear();
      host.drawHistory(events);
      const waiting = held;
      held = null;
      setMode(false);
      for (const event of waiting) if ((event.seq ?? 0) > head) host.drawLive(event);
      renderer.jumpToLatest();
    } catch (err) {
      if (signal.aborted) return;
      held = null;
      progress.textContent = "";
      reportFailure(ctx, err, { endpoint: "/dashboard/history", doing: "reload recent history", banner });
    }
  }

  stopBtn.addEventListener(
    "click",
    () => {
      run.cancel();
      stopBtn.hidden = true;
      progress.textContent = "replay stopped";
    },
    { signal: scope.signal },
  );
  liveBtn.addEventListener("click", () => void backToLive(), { signal: scope.signal });

  return {
    bar,
    get browsing() {
      return browsing;
    },
    intercept(event): boolean {
      if (!browsing) return false;
      if (event.seq !== undefined) newestLive = Math.max(newestLive, event.seq);
      if (held) {
        if (held.length < MAX_HELD) held.push(event);
        else overflowed = true;
      }
      return true;
    },
    open,
    backToLive,
  };
}
