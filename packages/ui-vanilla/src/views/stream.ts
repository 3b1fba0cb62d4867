import type { LinkState, LiveSink } from "../app/live.js";
import type { View } from "../app/types.js";
import { h } from "../dom.js";
import { createFinder } from "../render/find.js";
import { createStreamRenderer, type GapHandle, type StreamRenderer } from "../render/stream-renderer.js";
import { copyText } from "../render/text.js";

export interface StreamViewOptions {
  scrollbackChars?: number;
}

export interface StreamView extends View, LiveSink {
  readonly renderer: StreamRenderer;
}

export function createStreamView(options: StreamViewOptions = {}): StreamView {
  const output = h("div", { class: "stream-output" });
  const renderer = createStreamRenderer(output, { scrollbackChars: options.scrollbackChars ?? 2_000_000 });

  const statusDot = h("span", { class: "agent-status", hidden: true, role: "status" });
  const tools = h("span", { class: "tool-count muted" }, "no tools yet");
  const feedback = h("span", { class: "feedback muted", role: "status" });
  const pauseBtn = h("button", { type: "button", class: "btn", "aria-pressed": "false", title: "Stop rendering; output is buffered and shown on resume" }, "Pause");
  const clearBtn = h("button", { type: "button", class: "btn" }, "Clear");
  const copyBtn = h("button", { type: "button", class: "btn" }, "Copy");
  const findInput = h("input", { type: "search", class: "find-input", placeholder: "Find in stream", "aria-label": "Find in stream", spellcheck: "false" });
  const prevBtn = h("button", { type: "button", class: "btn btn-icon", "aria-label": "Previous match", title: "Previous match (Shift+Enter)" }, "↑");
  const nextBtn = h("button", { type: "button", class: "btn btn-icon", "aria-label": "Next match", title: "Next match (Enter)" }, "↓");
  const findCount = h("span", { class: "find-count muted", "aria-live": "polite" });

  const toolbar = h(
    "div",
    { class: "toolbar", role: "toolbar", "aria-label": "Stream controls" },
    h("div", { class: "toolbar-group" }, pauseBtn, clearBtn, copyBtn, feedback),
    h("div", { class: "toolbar-group find" }, findInput, prevBtn, nextBtn, findCount),
  );
  const el = h(
    "section",
    { class: "view view-stream", "aria-labelledby": "dd-h-stream", hidden: true },
    h("header", { class: "view-header" }, h("h1", { id: "dd-h-stream", tabindex: -1 }, "Live stream"), statusDot, tools),
    toolbar,
    output,
  );

  const finder = createFinder(renderer.content, {
    name: "dd-stream-find",
    scroller: renderer.scroller,
    onNavigate: () => {
      // Reading a match: stop autoscroll so new output does not pull the view away.
      renderer.stopFollowing();
    },
  });

  let toolCount = 0;
  let gap: GapHandle | null = null;
  let feedbackTimer: ReturnType<typeof setTimeout> | undefined;
  const say = (text: string): void => {
    feedback.textContent = text;
    if (feedbackTimer !== undefined) clearTimeout(feedbackTimer);
    feedbackTimer = setTimeout(() => (feedback.textContent = ""), 3_000);
  };
  const showFind = (s: { count: number; index: number; capped: boolean }): void => {
    findCount.textContent = findInput.value ? (s.count ? `${s.index + 1} of ${s.count}${s.capped ? "+" : ""}` : "no matches") : "";
  };

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
    finder.clear();
    showFind(finder.state);
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
  let findTimer: ReturnType<typeof setTimeout> | undefined;
  findInput.addEventListener("input", () => {
    if (findTimer !== undefined) clearTimeout(findTimer);
    findTimer = setTimeout(() => {
      renderer.flush();
      showFind(findInput.value ? finder.search(findInput.value) : (finder.clear(), finder.state));
    }, 150);
  });
  findInput.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      ev.preventDefault();
      renderer.flush();
      showFind(ev.shiftKey ? finder.prev() : finder.next());
    } else if (ev.key === "Escape") {
      findInput.value = "";
      finder.clear();
      showFind(finder.state);
    }
  });
  prevBtn.addEventListener("click", () => showFind(finder.prev()));
  nextBtn.addEventListener("click", () => showFind(finder.next()));

  return {
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
    },
    link(_state: LinkState): void {
      el.dataset["link"] = _state.kind;
    },
    gapStart(at): void {
      gap = renderer.gap(at, null, "reconnecting…");
    },
    gapEnd(at): void {
      gap?.end(at);
      gap = null;
    },
    show(): void {
      el.hidden = false;
      renderer.refresh();
    },
    hide(): void {
      el.hidden = true;
    },
    destroy(): void {
      if (feedbackTimer !== undefined) clearTimeout(feedbackTimer);
      if (findTimer !== undefined) clearTimeout(findTimer);
      finder.clear();
      renderer.destroy();
      el.remove();
    },
  };
}
