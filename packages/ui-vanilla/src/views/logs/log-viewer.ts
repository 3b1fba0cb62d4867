/**
 * The logs view's viewer: one open file's last 64 KiB, "Load earlier", follow (`tail -f`, see log-tail.ts),
 * a level filter and find. Each opened file gets its own scope: opening another cancels the first one's
 * requests and timers, so a late answer for an older click can never land on the newer file.
 *
 * The text is parsed into runs of entries (log-parse.ts, kept across pieces by log-model.ts) drawn one element
 * per run (log-render.ts). Runs the level filter leaves out are not in the document at all, so find searches
 * what is shown.
 */
import { RangeNotSatisfiableError } from "@ductor/dashboard-client";
import { elementBanner, reportFailure } from "../../app/failure.js";
import type { Scope } from "../../app/scope.js";
import type { AppContext, LogChunkData } from "../../app/types.js";
import { h } from "../../dom.js";
import { formatBytes } from "../../format.js";
import { createFinder } from "../../render/find.js";
import { createFindBar } from "../find-bar.js";
import { createLogModel, type LogChange } from "./log-model.js";
import { isLevelFilter, LEVEL_FILTERS, levelShown, type LevelFilter, type LogRun } from "./log-parse.js";
import { renderRun } from "./log-render.js";
import { FOLLOW_OVERLAP_BYTES, followRange, followRangeRefused, followStep, type FollowStep } from "./log-tail.js";

const TAIL_BYTES = 65_536;
const FOLLOW_INTERVAL_MS = 2_000;
/** Loaded text kept in the viewer; older pieces are dropped from the top while following. */
const MAX_LOADED_CHARS = 4_000_000;

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
  const levelSelect = h(
    "select",
    { class: "log-level", "aria-label": "Levels to show", title: "Hide entries below a level (with their tracebacks)" },
    LEVEL_FILTERS.map((f) => h("option", { value: f.value }, f.label)),
  );
  const shownEl = h("span", { class: "muted log-shown", hidden: true });
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
      h("div", { class: "toolbar-group" }, earlierBtn, followBtn, levelSelect, shownEl),
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
  let model = createLogModel();
  /** The element of each run drawn so far (made when a run is first shown). */
  const elements = new Map<LogRun, HTMLElement>();
  let filter: LevelFilter = "all";
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
    const { start, end } = model;
    range.textContent = name
      ? `showing bytes ${formatBytes(start)}–${formatBytes(end)} of ${formatBytes(totalSize)}${start === 0 ? " (from the start)" : ""}`
      : "";
    earlierBtn.disabled = !name || start === 0;
    updateShown();
  };
  const nearBottom = (): boolean => pre.scrollHeight - pre.scrollTop - pre.clientHeight < 32;
  const failed = (err: unknown, doing: string): void => void reportFailure(ctx, err, { endpoint: "a log file", doing, banner: error });

  const shown = (run: LogRun): boolean => levelShown(run.level, filter);
  function elementOf(run: LogRun): HTMLElement {
    let el = elements.get(run);
    if (!el) {
      el = renderRun(run);
      elements.set(run, el);
    }
    return el;
  }
  function removeRuns(runs: readonly LogRun[]): void {
    for (const run of runs) {
      elements.get(run)?.remove();
      elements.delete(run);
    }
  }
  /** The elements of the shown runs among `runs`, in order. */
  function shownFragment(runs: readonly LogRun[]): DocumentFragment {
    const frag = document.createDocumentFragment();
    for (const run of runs) if (shown(run)) frag.appendChild(elementOf(run));
    return frag;
  }
  /** Draw a change of the model: drop the elements of removed runs, put the shown new ones in place. */
  function draw(change: LogChange): void {
    removeRuns(change.removed);
    const frag = shownFragment(change.added);
    if (change.at === "start") pre.insertBefore(frag, pre.firstChild);
    else pre.appendChild(frag);
  }
  /** Draw every shown run again (the filter changed, or the text was replaced). */
  function redraw(): void {
    pre.replaceChildren(shownFragment(model.runs()));
    updateShown();
  }
  function updateShown(): void {
    shownEl.hidden = filter === "all" || !name;
    if (shownEl.hidden) return;
    let total = 0;
    let visible = 0;
    for (const run of model.runs()) {
      total += run.entries;
      if (shown(run)) visible += run.entries;
    }
    shownEl.textContent = `${visible} of ${total} entr${total === 1 ? "y" : "ies"}`;
  }

  function setText(chunk: LogChunkData): void {
    model = createLogModel();
    elements.clear();
    model.reset(chunk.text, chunk.start, chunk.end);
    redraw();
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
      model = createLogModel();
      elements.clear();
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
    const loadedStart = model.start;
    if (!name || !mine || loadedStart === 0) return;
    const start = Math.max(0, loadedStart - TAIL_BYTES);
    earlierBtn.disabled = true;
    try {
      const chunk = await ctx.client.logs.read(name, { range: { start, end: loadedStart }, signal: mine.signal });
      if (mine.disposed) return;
      if (chunk.end !== model.start) return; // the top moved meanwhile (trimmed while following): ask again
      const before = pre.scrollHeight;
      draw(model.prepend(chunk.text, chunk.start, chunk.end));
      totalSize = Math.max(totalSize, chunk.totalSize);
      pre.scrollTop += pre.scrollHeight - before; // keep the lines the person was reading in place
      error.ok();
    } catch (err) {
      if (!mine.disposed) failed(err, "load earlier bytes");
    } finally {
      if (!mine.disposed) updateRange();
    }
  }

  async function pollFollow(): Promise<void> {
    cancelFollowTimer = null;
    const mine = fileScope;
    if (!following || !name || !mine || followBusy || !visible || document.visibilityState === "hidden") return scheduleFollow();
    const file = name;
    followBusy = true;
    try {
      const stick = nearBottom();
      const loadedEnd = model.end;
      const next = followRange(loadedEnd);
      let step: FollowStep;
      try {
        const chunk = await ctx.client.logs.read(file, next ? { range: next, signal: mine.signal } : { signal: mine.signal });
        step = followStep(model.tail(FOLLOW_OVERLAP_BYTES), loadedEnd, chunk);
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
        draw(model.append(step.text, loadedEnd, step.end));
        removeRuns(model.trim(MAX_LOADED_CHARS));
        if (stick) pre.scrollTop = pre.scrollHeight;
      }
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

  earlierBtn.addEventListener("click", () => void loadEarlier(), { signal: scope.signal });
  levelSelect.addEventListener(
    "change",
    () => {
      if (!isLevelFilter(levelSelect.value)) return;
      const stick = nearBottom();
      filter = levelSelect.value;
      redraw();
      if (stick) pre.scrollTop = pre.scrollHeight;
      findBar.rerun(); // find searches what is shown
    },
    { signal: scope.signal },
  );
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
