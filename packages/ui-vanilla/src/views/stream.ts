import type { LinkState, LiveSink } from "../app/live.js";
import type { Scope } from "../app/scope.js";
import type { AppContext, View } from "../app/types.js";
import { h } from "../dom.js";
import { createFinder } from "../render/find.js";
import { createFindBar } from "./find-bar.js";
import { createHistoryBrowser, type HistoryBrowser } from "./history-browser.js";
import { createHistoryPanel } from "./history-panel.js";
import { drawnItem, TRANSIENT_STATUS } from "../app/history-range.js";
import type { DataEvent } from "../app/live.js";
import type { ActivityTracker } from "@ductor/dashboard-client";
import { createStreamTurns, withTurnHeaders } from "./stream-turns.js";
import { createNotifier } from "../app/notifier.js";
import { createStreamRenderer, type GapHandle, type StreamRenderer } from "../render/stream-renderer.js";
import { copyText } from "../render/text.js";
import { formatClock } from "../format.js";
import type { HistoryEvent } from "@ductor/dashboard-client";
import { loadFlag, loadLastSeen, saveFlag, saveLastSeen } from "../app/storage.js";

export interface StreamViewOptions {
  scrollbackChars?: number;
  /** Which server this is, for the "new since you last looked" mark (its base URL). */
  serverKey?: string;
  /** For the relay's history panel (search, export); without it the view never offers one. */
  ctx?: AppContext;
}

export interface StreamView extends View, LiveSink {
  readonly renderer: StreamRenderer;
  /** A relay's recent history, shown before live output: with a divider where what is new since last time starts. */
  history(events: readonly HistoryEvent[]): void;
  /** The server is a relay: offer search across its history and export. */
  relay(): void;
  /**
   * Show what the agent is doing now from this tracker (it is the caller's to dispose), and offer notifications
   * about it; `onNotice` brings the stream view to the front when one is clicked.
   */
  attachActivity(tracker: ActivityTracker, onNotice?: () => void): void;
  intercept(event: DataEvent): boolean;
  /** A keyboard command; true when it did something. */
  command(kind: "next-turn" | "prev-turn" | "latest" | "pause"): boolean;
  seen(seq: number): void;
  upstream(state: string, at: Date): void;
}

/** Events per "Load earlier". */
const EARLIER_EVENTS = 1_000;

export function createStreamView(scope: Scope, options: StreamViewOptions = {}): StreamView {
  const output = h("div", { class: "stream-output" });
  const scrollbackChars = options.scrollbackChars ?? 2_000_000;
  // Markdown unless the person chose raw text (kept in the browser, for every server).
  const renderer = createStreamRenderer(output, { scrollbackChars, format: loadFlag("raw-stream") ? "plain" : "markdown" });
  const turns = createStreamTurns(renderer);

  // What the agent is doing now ("Running Shell · 12 s"), from the client's activity tracker once attached.
  const activityEl = h("span", { class: "activity-line", "data-kind": "connecting", role: "status", "aria-live": "off" }, "Connecting…");
  const tools = h("span", { class: "tool-count muted" }, "no tools yet");
  const feedback = h("span", { class: "feedback muted", role: "status" });
  const pauseBtn = h(
    "button",
    { type: "button", class: "btn", "aria-pressed": "false", title: "Stop rendering; output is buffered and shown on resume" },
    "Pause",
  );
  const clearBtn = h("button", { type: "button", class: "btn" }, "Clear");
  const rawBtn = h(
    "button",
    {
      type: "button",
      class: "btn",
      "aria-pressed": String(renderer.format === "plain"),
      title: "Show the text as it came, without formatting",
    },
    "Raw",
  );
  const copyBtn = h("button", { type: "button", class: "btn" }, "Copy");
  const finder = createFinder(renderer.content, {
    name: "dd-stream-find",
    scroller: renderer.scroller,
    onNavigate: () => {
      // Reading a match: stop autoscroll so new output does not pull the view away.
      renderer.stopFollowing();
    },
  });
  // Text waiting for the next animation frame is searchable too.
  const findBar = createFindBar({ placeholder: "Find in stream", label: "Find in stream", finder, beforeSearch: () => renderer.flush() });

  // Before the first event: an empty stream is easily taken for a broken one.
  const emptyNote = h(
    "p",
    { class: "stream-empty muted" },
    "Nothing yet. This stream shows only turns driven through ductor's API (its /ws chat); chats in Telegram or Matrix, cron jobs and background tasks never appear here, so a quiet stream is not a broken one.",
  );
  const historyPanel = options.ctx
    ? createHistoryPanel(options.ctx, scope.child(), { browse: (range, speed) => void browser?.open(range, speed) })
    : null;

  // "Load earlier": behind a relay, older history goes above what is on screen. At the top of the scroll area,
  // where a person reading up arrives.
  const earlierBtn = h("button", { type: "button", class: "btn sr-earlier", hidden: true }, "Load earlier");
  renderer.scroller.prepend(earlierBtn);
  /** The oldest seq on screen, or null when nothing numbered is (plain ductor, or cleared). */
  let earliest: number | null = null;
  let isRelay = false;
  /** What the renderer had dropped when `earliest` was set: once it drops more, `earliest` is no longer on screen. */
  let droppedAtEarliest = 0;
  const setEarliest = (seq: number | null): void => {
    earliest = seq;
    droppedAtEarliest = renderer.stats().droppedChars;
    earlierBtn.disabled = false;
    earlierBtn.textContent = "Load earlier";
    earlierBtn.hidden = !isRelay || seq === null || seq <= 1;
  };

  const toolbar = h(
    "div",
    { class: "toolbar", role: "toolbar", "aria-label": "Stream controls" },
    h("div", { class: "toolbar-group" }, pauseBtn, clearBtn, copyBtn, rawBtn, historyPanel?.toggle, feedback),
    findBar.el,
  );
  const el = h(
    "section",
    { class: "view view-stream", "aria-labelledby": "dd-h-stream", hidden: true },
    h("header", { class: "view-header" }, h("h1", { id: "dd-h-stream", tabindex: -1 }, "Live stream"), activityEl, tools),
    toolbar,
    historyPanel?.el,
    emptyNote,
    output,
  );
  const browser: HistoryBrowser | null = options.ctx
    ? createHistoryBrowser(options.ctx, scope.child(), {
        renderer,
        scrollbackChars,
        liveHead: () => lastDrawn,
        drawHistory: (events) => drawHistory(events, false),
        clear: () => clearOutput(),
        beforeDraw(event) {
          turns.push(event, event.at);
          if (event.type === "tool_activity") countTools(1);
        },
        drawLive(event) {
          view.intercept(event);
          if (event.type === "text_delta") view.text(event.data ?? "");
          else if (event.type === "tool_activity") view.tool(event.data ?? "");
          else if (event.type === "system_status") view.status(event.data);
          else if (event.type === "upstream") view.upstream(event.data ?? "", new Date(event.at ?? Date.now()));
          if (event.seq !== undefined) view.seen(event.seq);
        },
        onModeChange(browsing) {
          el.classList.toggle("is-browsing", browsing);
          renderer.setJumpLabel(browsing ? "Jump to the end of this range ↓" : "Jump to latest ↓");
          pauseBtn.disabled = browsing;
        },
        setEarliest,
      })
    : null;
  if (browser) output.before(browser.bar);

  let toolCount = 0;
  /** The newest seq drawn live (or from history on load). */
  let lastDrawn = 0;
  let gap: GapHandle | null = null;
  // The newest seq on screen; written to storage now and then, and when the page goes away.
  let lastSeen = 0;
  let savedSeen = 0;
  const saveSeen = (): void => {
    if (!options.serverKey || lastSeen <= savedSeen) return;
    saveLastSeen(options.serverKey, lastSeen);
    savedSeen = lastSeen;
  };
  scope.interval(saveSeen, 5_000);
  window.addEventListener("pagehide", saveSeen, { signal: scope.signal });
  // Read on every streamed event: kept in a variable rather than asked of the document each time.
  let visible = document.visibilityState === "visible";
  document.addEventListener(
    "visibilitychange",
    () => {
      visible = document.visibilityState === "visible";
      if (!visible) saveSeen();
    },
    { signal: scope.signal },
  );
  scope.register(saveSeen);
  let upstreamGap: GapHandle | null = null;
  let cancelFeedback: (() => void) | null = null;
  /** A short message beside the buttons, gone after `ms` (0: until the next one). */
  const say = (text: string, ms = 3_000): void => {
    feedback.textContent = text;
    cancelFeedback?.();
    cancelFeedback = ms > 0 ? scope.timeout(() => (feedback.textContent = ""), ms) : null;
  };
  scope.register(() => {
    findBar.destroy();
    renderer.destroy();
    el.remove();
  });

  pauseBtn.addEventListener("click", () => {
    if (renderer.paused) {
      renderer.resume();
      say("");
      pauseBtn.textContent = "Pause";
      pauseBtn.setAttribute("aria-pressed", "false");
      el.classList.remove("is-paused");
    } else {
      renderer.pause();
      pauseBtn.textContent = "Resume";
      pauseBtn.setAttribute("aria-pressed", "true");
      el.classList.add("is-paused");
      say("Paused: new output is kept and shown on Resume", 0);
    }
  });
  clearBtn.addEventListener("click", () => {
    clearOutput();
    findBar.reset();
  });
  rawBtn.addEventListener("click", () => {
    const raw = renderer.format !== "plain";
    renderer.setFormat(raw ? "plain" : "markdown");
    rawBtn.setAttribute("aria-pressed", String(raw));
    saveFlag("raw-stream", raw);
    findBar.rerun();
  });
  copyBtn.addEventListener("click", () => {
    renderer.flush();
    const text = renderer.text();
    copyText(text).then(
      (ok) => say(ok ? `Copied ${text.length.toLocaleString("en-US")} characters` : "Copy failed: the browser refused"),
      () => say("Copy failed: the browser refused"),
    );
  });

  /** Empty the output and what is known about it (Clear, or the history browser taking the view over). */
  function clearOutput(): void {
    renderer.clear();
    turns.reset();
    setEarliest(null);
    countTools(-toolCount);
  }

  /** The header counts the tool calls in the output shown (live, history, a replayed range), not ever received. */
  function countTools(delta: number): void {
    toolCount += delta;
    tools.textContent = toolCount === 0 ? "no tools yet" : `${toolCount.toLocaleString("en-US")} tool call${toolCount === 1 ? "" : "s"}`;
  }

  let tracker: ActivityTracker | null = null;
  const paintActivity = (): void => {
    if (!tracker) return;
    const text = tracker.describe();
    if (activityEl.textContent !== text) activityEl.textContent = text;
    activityEl.dataset["kind"] = tracker.activity.kind;
  };
  scope.interval(() => {
    paintActivity();
    turns.tick(Date.now());
  }, 1_000);

  /** A relay's history as output: on load with the "new since you last looked" divider, on return without. */
  function drawHistory(all: readonly HistoryEvent[], withDivider: boolean): void {
    // Only the newest events whose text fits the scrollback: what the renderer would drop at once is not drawn,
    // so the oldest seq on screen is known (where "Load earlier" goes on from).
    let start = all.length;
    for (let chars = 0; start > 0; start--) {
      const event = all[start - 1]!;
      const size = event.type === "text_delta" ? (event.data?.length ?? 0) : 0;
      if (chars + size > scrollbackChars && start < all.length) break;
      chars += size;
    }
    const events = start === 0 ? all : all.slice(start);
    if (events.length) emptyNote.hidden = true;
    const since = withDivider && options.serverKey ? loadLastSeen(options.serverKey) : null;
    const newCount = since === null ? 0 : events.filter((e) => e.seq > since).length;
    let divided = since === null || newCount === 0 || newCount === events.length;
    for (const event of events) {
      if (!divided && event.seq > (since ?? 0)) {
        renderer.note(`new since you last looked · ${newCount.toLocaleString("en-US")} event${newCount === 1 ? "" : "s"}`, "divider");
        divided = true;
      }
      turns.push(event, event.at);
      const item = drawnItem(event);
      if (item?.kind === "text") renderer.append(item.text);
      else if (item?.kind === "tool") view.tool(item.name);
      else if (item) renderer.note(item.text);
      lastSeen = event.seq;
      lastDrawn = event.seq;
    }
    if (events.length) setEarliest(events[0]!.seq);
  }

  const loadEarlier = async (): Promise<void> => {
    if (!options.ctx || earliest === null) return;
    renderer.flush();
    if (renderer.stats().droppedChars !== droppedAtEarliest) {
      // New output pushed the oldest lines off the top since: what is on screen no longer starts at `earliest`.
      earlierBtn.disabled = true;
      earlierBtn.textContent = "Older output was dropped from view: open History to see any part of it";
      return;
    }
    const before = earliest;
    earlierBtn.disabled = true;
    earlierBtn.textContent = "Loading earlier…";
    try {
      const page = await options.ctx.client.history.page({ before }, { limit: EARLIER_EVENTS, signal: scope.signal });
      if (scope.disposed || earliest !== before) return;
      const first = page.events[0];
      const result = renderer.prepend(withTurnHeaders(page.events, page.events.map(drawnItem)));
      if (result.complete) countTools(page.events.filter((e) => e.type === "tool_activity").length);
      if (!first || (result.complete && first.seq <= page.oldest)) {
        // Kept in place (disabled) rather than hidden, so the lines below do not move.
        earlierBtn.textContent = "Start of the relay's history";
        return;
      }
      if (!result.complete) {
        earlierBtn.textContent = "The view holds as much as it can: use History to see or export older output";
        return;
      }
      setEarliest(first.seq);
    } catch (err) {
      if (scope.disposed) return;
      earlierBtn.disabled = false;
      earlierBtn.textContent = `Load earlier (failed: ${err instanceof Error ? err.message : String(err)}; try again)`;
    }
  };
  earlierBtn.addEventListener("click", () => void loadEarlier(), { signal: scope.signal });

  const view: StreamView = {
    el,
    renderer,
    text: (data) => renderer.append(data),
    tool(name): void {
      renderer.tool(name);
      countTools(1);
    },
    status(label): void {
      // "thinking" comes and goes many times a turn and lives in the header only. Other labels
      // ("compacting", "recovering", a replay's "replay restarted") are events worth a line in the output,
      // which also keeps the text before and after them apart.
      if (label && !TRANSIENT_STATUS.has(label)) renderer.note(`${label} · ${formatClock(new Date())}`);
    },
    seen(seq): void {
      // Only what was on screen counts as seen: output that arrives in a background tab stays "new".
      if (visible) lastSeen = seq;
    },
    history(events): void {
      drawHistory(events, true);
    },
    relay(): void {
      isRelay = true;
      historyPanel?.enable();
      setEarliest(earliest);
    },
    command(kind): boolean {
      if (kind === "pause") {
        pauseBtn.click();
        return !pauseBtn.disabled;
      }
      if (kind === "latest") {
        renderer.jumpToLatest();
        return true;
      }
      renderer.flush();
      const headers = [...renderer.content.querySelectorAll<HTMLElement>(".sr-turn")];
      const top = renderer.scroller.getBoundingClientRect().top;
      // The turn whose header is just below (or above) the top of the view.
      const target =
        kind === "next-turn"
          ? headers.find((t) => t.getBoundingClientRect().top > top + 2)
          : headers.filter((t) => t.getBoundingClientRect().top < top - 2).at(-1);
      if (!target) return false;
      renderer.stopFollowing();
      target.scrollIntoView({ block: "start" });
      target.focus({ preventScroll: true });
      return true;
    },
    attachActivity(next, onNotice): void {
      tracker = next;
      scope.register(
        next.subscribe((activity) => {
          paintActivity();
          // A turn's text is complete: markdown that waited for more (a table row, a maybe-heading) is drawn.
          if (activity.kind === "quiet") renderer.settle();
        }),
      );
      paintActivity();
      const notifier = createNotifier(scope.child(), next, {
        serverKey: options.serverKey ?? location.origin,
        onOpen: () => onNotice?.(),
        say,
      });
      copyBtn.after(notifier.button);
    },
    intercept(event: DataEvent): boolean {
      if (!emptyNote.hidden) emptyNote.hidden = true; // per streamed event: write the DOM only once
      if (browser?.intercept(event)) return true;
      turns.push(event, event.at ?? Date.now());
      if (event.seq !== undefined) {
        lastDrawn = event.seq;
        if (earliest === null) setEarliest(event.seq);
      }
      return false;
    },
    link(_state: LinkState): void {
      el.dataset["link"] = _state.kind;
    },
    gapStart(at): void {
      turns.gap(at.getTime());
      gap = renderer.gap(at, null, "reconnecting…");
    },
    gapEnd(at, resumed): void {
      gap?.end(at, resumed ? "resumed: nothing was missed" : undefined);
      gap = null;
    },
    pruned(fromSeq, toSeq): void {
      const count = toSeq - fromSeq + 1;
      renderer.note(
        `${count.toLocaleString("en-US")} event${count === 1 ? "" : "s"} from this gap were already pruned from the relay's history`,
      );
    },
    upstream(state, at): void {
      // The relay's own link to ductor: while it is down, ductor's output is lost for everyone.
      if (state === "disconnected") upstreamGap ??= renderer.gap(at, null, "ductor unreachable from the relay…");
      else if (state === "connected") {
        upstreamGap?.end(at);
        upstreamGap = null;
      } else if (state === "refused") renderer.note(`the relay's token was refused by ductor · ${formatClock(at)}`);
    },
    show(): void {
      el.hidden = false;
      renderer.refresh();
    },
    hide(): void {
      el.hidden = true;
    },
  };
  return view;
}
