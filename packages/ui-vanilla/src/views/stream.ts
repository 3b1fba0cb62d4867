import type { LinkState, LiveSink } from "../app/live.js";
import type { Scope } from "../app/scope.js";
import type { AppContext, View } from "../app/types.js";
import { h } from "../dom.js";
import { createFinder } from "../render/find.js";
import { createFindBar } from "./find-bar.js";
import { createHistoryPanel } from "./history-panel.js";
import { createStreamRenderer, type GapHandle, type StreamRenderer } from "../render/stream-renderer.js";
import { copyText } from "../render/text.js";
import { formatClock } from "../format.js";
import type { HistoryEvent } from "@ductor/dashboard-client";
import { loadLastSeen, saveLastSeen } from "../app/storage.js";

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
}

/** Statuses that come and go many times a turn: shown in the header, not as lines in the output. */
const TRANSIENT_STATUS = new Set(["thinking"]);

export function createStreamView(scope: Scope, options: StreamViewOptions = {}): StreamView {
  const output = h("div", { class: "stream-output" });
  const renderer = createStreamRenderer(output, { scrollbackChars: options.scrollbackChars ?? 2_000_000 });

  const statusDot = h("span", { class: "agent-status", hidden: true, role: "status" });
  const tools = h("span", { class: "tool-count muted" }, "no tools yet");
  const feedback = h("span", { class: "feedback muted", role: "status" });
  const pauseBtn = h(
    "button",
    { type: "button", class: "btn", "aria-pressed": "false", title: "Stop rendering; output is buffered and shown on resume" },
    "Pause",
  );
  const clearBtn = h("button", { type: "button", class: "btn" }, "Clear");
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

  const historyPanel = options.ctx ? createHistoryPanel(options.ctx, scope.child()) : null;

  const toolbar = h(
    "div",
    { class: "toolbar", role: "toolbar", "aria-label": "Stream controls" },
    h("div", { class: "toolbar-group" }, pauseBtn, clearBtn, copyBtn, historyPanel?.toggle, feedback),
    findBar.el,
  );
  const el = h(
    "section",
    { class: "view view-stream", "aria-labelledby": "dd-h-stream", hidden: true },
    h("header", { class: "view-header" }, h("h1", { id: "dd-h-stream", tabindex: -1 }, "Live stream"), statusDot, tools),
    toolbar,
    historyPanel?.el,
    output,
  );

  let toolCount = 0;
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
  const say = (text: string): void => {
    feedback.textContent = text;
    cancelFeedback?.();
    cancelFeedback = scope.timeout(() => (feedback.textContent = ""), 3_000);
  };
  scope.register(() => {
    findBar.destroy();
    renderer.destroy();
    el.remove();
  });

  pauseBtn.addEventListener("click", () => {
    if (renderer.paused) {
      renderer.resume();
      pauseBtn.textContent = "Pause";
      pauseBtn.setAttribute("aria-pressed", "false");
      el.classList.remove("is-paused");
    } else {
      renderer.pause();
      pauseBtn.textContent = "Resume";
      pauseBtn.setAttribute("aria-pressed", "true");
      el.classList.add("is-paused");
    }
  });
  clearBtn.addEventListener("click", () => {
    renderer.clear();
    findBar.reset();
    toolCount = 0;
    tools.textContent = "no tools yet";
  });
  copyBtn.addEventListener("click", () => {
    renderer.flush();
    const text = renderer.text();
    copyText(text).then(
      (ok) => say(ok ? `Copied ${text.length.toLocaleString("en-US")} characters` : "Copy failed: the browser refused"),
      () => say("Copy failed: the browser refused"),
    );
  });

  const view: StreamView = {
    el,
    renderer,
    text: (data) => renderer.append(data),
    tool(name): void {
      renderer.tool(name);
      toolCount++;
      tools.textContent = `${toolCount} tool call${toolCount === 1 ? "" : "s"}`;
    },
    status(label): void {
      statusDot.hidden = label === null || label === "";
      statusDot.textContent = label ?? "";
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
      const since = options.serverKey ? loadLastSeen(options.serverKey) : null;
      const newCount = since === null ? 0 : events.filter((e) => e.seq > since).length;
      let divided = since === null || newCount === 0 || newCount === events.length;
      for (const event of events) {
        if (!divided && event.seq > (since ?? 0)) {
          renderer.note(`new since you last looked · ${newCount.toLocaleString("en-US")} event${newCount === 1 ? "" : "s"}`, "divider");
          divided = true;
        }
        const at = new Date(event.at);
        if (event.type === "text_delta" && event.data) renderer.append(event.data);
        else if (event.type === "tool_activity") view.tool(event.data ?? "");
        else if (event.type === "system_status" && event.data && !TRANSIENT_STATUS.has(event.data))
          renderer.note(`${event.data} · ${formatClock(at)}`);
        else if (event.type === "upstream")
          renderer.note(
            `ductor ${event.data === "connected" ? "connected to" : event.data === "refused" ? "refused the token of" : "disconnected from"} the relay · ${formatClock(at)}`,
          );
        lastSeen = event.seq;
      }
    },
    relay(): void {
      historyPanel?.enable();
    },
    link(_state: LinkState): void {
      el.dataset["link"] = _state.kind;
    },
    gapStart(at): void {
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
