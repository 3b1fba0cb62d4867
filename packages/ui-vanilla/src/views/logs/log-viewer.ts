/**
 * The logs view's viewer: one open file's last 64 KiB, "Load earlier", follow (`tail -f`, see log-tail.ts)
 * and find. Each opened file gets its own scope: opening another cancels the first one's requests and timers,
 * so a late answer for an older click can never land on the newer file.
 */
import { RangeNotSatisfiableError } from "@ductor/dashboard-client";
import { elementBanner, reportFailure } from "../../app/failure.js";
import type { Scope } from "../../app/scope.js";
import type { AppContext, LogChunkData } from "../../app/types.js";
import { h } from "../../dom.js";
import { formatBytes } from "../../format.js";
import { createFinder } from "../../render/find.js";
import { createFindBar } from "../find-bar.js";
import { FOLLOW_OVERLAP_BYTES, followRange, followRangeRefused, followStep, type FollowStep } from "./log-tail.js";

const TAIL_BYTES = 65_536;
const FOLLOW_INTERVAL_MS = 2_000;
/** Loaded text kept in the viewer; older pieces are dropped from the top while following. */
const MAX_LOADED_CHARS = 4_000_000;

interface Piece {
  node: Text;
  start: number;
  end: number;
}

export interface LogViewer {
  readonly el: HTMLElement;
  open(name: string, reason?: string): void;
  /** The view is on screen (follow polls only then). */
  setVisible(visible: boolean): void;
}

export function createLogViewer(ctx: AppContext, scope: Scope, onOpened: (name: string) => void): LogViewer {
  const title = h("h2", { class: "viewer-title", id: "dd-h-logfile" }, "No file open");
  const range = h("span", { class: "muted range" });
  const earlierBtn = h("button", { type: "button", class: "btn", disabled: true }, "Load earlier");
  const followBtn = h(
    "button",
    { type: "button", class: "btn", "aria-pressed": "false", disabled: true, title: "Poll for appended lines every 2 s" },
    "Follow",
  );
  const errorEl = h("p", { class: "banner banner-error", role: "alert", hidden: true });
  const error = elementBanner(errorEl);
  const noteEl = h("p", { class: "banner banner-info", role: "status", hidden: true });
  const pre = h("pre", { class: "log-text", tabindex: 0, "aria-labelledby": "dd-h-logfile" });
  const finder = createFinder(pre, { name: "dd-log-find", scroller: pre });
  const findBar = createFindBar({ placeholder: "Find in loaded text", label: "Find in log", finder });
  scope.register(() => findBar.destroy());
  const placeholder = h("p", { class: "empty" }, "Pick a file to see its last 64 KiB.");
  pre.hidden = true;

  const el = h(
    "section",
    { class: "viewer", "aria-labelledby": "dd-h-logfile" },
    h("div", { class: "viewer-head" }, title, range),
    h(
      "div",
      { class: "toolbar", role: "toolbar", "aria-label": "Log controls" },
      h("div", { class: "toolbar-group" }, earlierBtn, followBtn),
      findBar.el,
    ),
    errorEl,
    noteEl,
    placeholder,
    pre,
  );

  let name: string | null = null;
  /** The open file's lifetime: its requests and follow timer end when another file is opened. */
  let fileScope: Scope | null = null;
  let pieces: Piece[] = [];
  let loadedStart = 0;
  let loadedEnd = 0;
  let totalSize = 0;
  let following = false;
  let followBusy = false;
  let cancelFollowTimer: (() => void) | null = null;
  let visible = false;

  const note = (text: string): void => {
    noteEl.textContent = text;
    noteEl.hidden = !text;
  };
  const updateRange = (): void => {
    range.textContent = name
      ? `showing bytes ${formatBytes(loadedStart)}–${formatBytes(loadedEnd)} of ${formatBytes(totalSize)}${loadedStart === 0 ? " (from the start)" : ""}`
      : "";
    earlierBtn.disabled = !name || loadedStart === 0;
  };
  const nearBottom = (): boolean => pre.scrollHeight - pre.scrollTop - pre.clientHeight < 32;
  const failed = (err: unknown, doing: string): void => void reportFailure(ctx, err, { endpoint: "a log file", doing, banner: error });

  function setText(chunk: LogChunkData): void {
    pieces = [{ node: document.createTextNode(chunk.text), start: chunk.start, end: chunk.end }];
    pre.replaceChildren(pieces[0]!.node);
    loadedStart = chunk.start;
    loadedEnd = chunk.end;
    totalSize = chunk.totalSize;
    pre.hidden = false;
    placeholder.hidden = true;
    updateRange();
    pre.scrollTop = pre.scrollHeight;
  }

  async function open(file: string, reason = ""): Promise<void> {
    fileScope?.dispose();
    const mine = scope.child();
    fileScope = mine;
    cancelFollowTimer = null;
    followBusy = false;
    name = file;
    title.textContent = file;
    onOpened(file);
    error.ok();
    note(reason);
    findBar.reset();
    range.textContent = "loading the last 64 KiB…";
    followBtn.disabled = false;
    try {
      const chunk = await ctx.client.logs.read(file, { tail: TAIL_BYTES, signal: mine.signal });
      if (mine.disposed) return; // a newer click won
      setText(chunk);
      findBar.rerun(); // the query typed for the last file applies to this one
    } catch (err) {
      if (mine.disposed) return;
      pieces = [];
      pre.replaceChildren();
      pre.hidden = true;
      placeholder.hidden = true;
      range.textContent = "";
      failed(err, `open ${file}`);
    }
    scheduleFollow();
  }

  async function loadEarlier(): Promise<void> {
    const mine = fileScope;
    if (!name || !mine || loadedStart === 0) return;
    const start = Math.max(0, loadedStart - TAIL_BYTES);
    earlierBtn.disabled = true;
    try {
      const chunk = await ctx.client.logs.read(name, { range: { start, end: loadedStart }, signal: mine.signal });
      if (mine.disposed) return;
      const before = pre.scrollHeight;
      const node = document.createTextNode(chunk.text);
      pre.insertBefore(node, pre.firstChild);
      pieces.unshift({ node, start: chunk.start, end: chunk.end });
      loadedStart = chunk.start;
      totalSize = Math.max(totalSize, chunk.totalSize);
      pre.scrollTop += pre.scrollHeight - before; // keep the lines the person was reading in place
      error.ok();
    } catch (err) {
      if (!mine.disposed) failed(err, "load earlier bytes");
    } finally {
      if (!mine.disposed) updateRange();
    }
  }

  /** The end of the loaded text, at least `chars` characters of it when there are that many. */
  function loadedTail(chars: number): string {
    let tail = "";
    for (let i = pieces.length - 1; i >= 0 && tail.length < chars; i--) tail = pieces[i]!.node.data + tail;
    return tail;
  }

  async function pollFollow(): Promise<void> {
    cancelFollowTimer = null;
    const mine = fileScope;
    if (!following || !name || !mine || followBusy || !visible || document.visibilityState === "hidden") return scheduleFollow();
    const file = name;
    followBusy = true;
    try {
      const stick = nearBottom();
      const next = followRange(loadedEnd);
      let step: FollowStep;
      try {
        const chunk = await ctx.client.logs.read(file, next ? { range: next, signal: mine.signal } : { signal: mine.signal });
        step = followStep(loadedTail(FOLLOW_OVERLAP_BYTES), loadedEnd, chunk);
      } catch (err) {
        // The file is now shorter than the bytes re-read for the overlap.
        if (err instanceof RangeNotSatisfiableError) step = followRangeRefused(err.totalSize);
        else throw err;
      }
      if (mine.disposed) return;
      if (step.kind === "rotated") {
        void open(file, `${file} was rotated or truncated (now ${formatBytes(step.totalSize)}); showing its new tail.`);
        return;
      }
      if (step.text) {
        const node = document.createTextNode(step.text);
        pre.appendChild(node);
        pieces.push({ node, start: loadedEnd, end: step.end });
        trimLoaded();
        if (stick) pre.scrollTop = pre.scrollHeight;
      }
      loadedEnd = step.end;
      totalSize = step.totalSize;
      error.ok();
      updateRange();
    } catch (err) {
      if (mine.disposed) return;
      failed(err, "read new lines (retrying every 2 s)");
    } finally {
      if (fileScope === mine) followBusy = false;
    }
    scheduleFollow();
  }

  function scheduleFollow(): void {
    cancelFollowTimer?.();
    cancelFollowTimer = following && fileScope ? fileScope.timeout(() => void pollFollow(), FOLLOW_INTERVAL_MS) : null;
  }

  function trimLoaded(): void {
    let chars = 0;
    for (const p of pieces) chars += p.node.data.length;
    while (chars > MAX_LOADED_CHARS && pieces.length > 1) {
      const p = pieces.shift()!;
      chars -= p.node.data.length;
      p.node.remove();
      loadedStart = pieces[0]!.start;
    }
  }

  earlierBtn.addEventListener("click", () => void loadEarlier(), { signal: scope.signal });
  followBtn.addEventListener(
    "click",
    () => {
      following = !following;
      followBtn.setAttribute("aria-pressed", String(following));
      followBtn.textContent = following ? "Following" : "Follow";
      if (following) {
        pre.scrollTop = pre.scrollHeight;
        void pollFollow();
      } else scheduleFollow();
    },
    { signal: scope.signal },
  );

  return {
    el,
    open: (file, reason) => void open(file, reason),
    setVisible(value: boolean): void {
      visible = value;
      if (visible && following) scheduleFollow();
    },
  };
}
