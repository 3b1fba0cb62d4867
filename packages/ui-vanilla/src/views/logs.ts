import { RangeNotSatisfiableError } from "@ductor/dashboard-client";
import { describeError, isAbort, isAuthError } from "../app/describe.js";
import { createPoller } from "../app/poller.js";
import type { AppContext, LogChunkData, LogFileData, View } from "../app/types.js";
import { h } from "../dom.js";
import { formatBytes, formatRelative } from "../format.js";
import { createFinder } from "../render/find.js";
import { createFindBar } from "./find-bar.js";
import { FOLLOW_OVERLAP_BYTES, followRange, followRangeRefused, followStep, type FollowStep } from "./log-tail.js";

export const TAIL_BYTES = 65_536;
export const FOLLOW_INTERVAL_MS = 2_000;
const LIST_INTERVAL_MS = 10_000;
/** Loaded text kept in the viewer; older pieces are dropped from the top while following. */
const MAX_LOADED_CHARS = 4_000_000;

interface Piece {
  node: Text;
  start: number;
  end: number;
}

export function createLogsView(ctx: AppContext): View {
  const listError = h("p", { class: "banner banner-error", role: "alert", hidden: true });
  const listBody = h("ul", { class: "file-list", "aria-label": "Log files" });
  const listEmpty = h("p", { class: "empty", hidden: true }, "No log files: ductor's logs folder is empty or missing.");
  const updated = h("span", { class: "updated muted" }, "loading…");

  const title = h("h2", { class: "viewer-title", id: "dd-h-logfile" }, "No file open");
  const range = h("span", { class: "muted range" });
  const earlierBtn = h("button", { type: "button", class: "btn", disabled: true }, "Load earlier");
  const followBtn = h("button", { type: "button", class: "btn", "aria-pressed": "false", disabled: true, title: "Poll for appended lines every 2 s" }, "Follow");
  const viewerError = h("p", { class: "banner banner-error", role: "alert", hidden: true });
  const viewerNote = h("p", { class: "banner banner-info", role: "status", hidden: true });
  const pre = h("pre", { class: "log-text", tabindex: 0, "aria-labelledby": "dd-h-logfile" });
  const finder = createFinder(pre, { name: "dd-log-find", scroller: pre });
  const findBar = createFindBar({ placeholder: "Find in loaded text", label: "Find in log", finder });
  const placeholder = h("p", { class: "empty" }, "Pick a file to see its last 64 KiB.");

  const viewer = h(
    "section",
    { class: "viewer", "aria-labelledby": "dd-h-logfile" },
    h("div", { class: "viewer-head" }, title, range),
    h(
      "div",
      { class: "toolbar", role: "toolbar", "aria-label": "Log controls" },
      h("div", { class: "toolbar-group" }, earlierBtn, followBtn),
      findBar.el,
    ),
    viewerError,
    viewerNote,
    placeholder,
    pre,
  );
  pre.hidden = true;

  const el = h(
    "section",
    { class: "view view-logs", "aria-labelledby": "dd-h-logs", hidden: true },
    h("header", { class: "view-header" }, h("h1", { id: "dd-h-logs", tabindex: -1 }, "Logs"), updated),
    h("div", { class: "logs-layout" }, h("nav", { class: "files", "aria-label": "Log files" }, listError, listBody, listEmpty), viewer),
  );


  let files: LogFileData[] = [];
  let lastListOk = 0;
  let open: string | null = null;
  let gen = 0;
  let ac: AbortController | null = null;
  let pieces: Piece[] = [];
  let loadedStart = 0;
  let loadedEnd = 0;
  let totalSize = 0;
  let following = false;
  let followTimer: ReturnType<typeof setTimeout> | undefined;
  let followBusy = false;
  let visible = false;

  const showError = (text: string): void => {
    viewerError.textContent = text;
    viewerError.hidden = !text;
  };
  const note = (text: string): void => {
    viewerNote.textContent = text;
    viewerNote.hidden = !text;
  };
  const updateRange = (): void => {
    range.textContent = open
      ? `showing bytes ${formatBytes(loadedStart)}–${formatBytes(loadedEnd)} of ${formatBytes(totalSize)}${loadedStart === 0 ? " (from the start)" : ""}`
      : "";
    earlierBtn.disabled = !open || loadedStart === 0;
  };

  let listSignature = "";
  const renderList = (now: number): void => {
    const signature = `${open ?? ""}\u0002${files.map((f) => `${f.name}\u0001${f.size}\u0001${formatRelative(f.mtime, now)}`).join("\u0002")}`;
    if (signature === listSignature) return;
    listSignature = signature;
    // Keep keyboard focus on the same file across a refresh.
    const focused = listBody.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset["name"] : undefined;
    let refocus: HTMLElement | null = null;
    const frag = document.createDocumentFragment();
    for (const f of files) {
      const btn = h(
        "button",
        { type: "button", class: "file", "aria-current": f.name === open ? "true" : undefined },
        h("span", { class: "file-name" }, f.name),
        h("span", { class: "file-meta muted" }, `${formatBytes(f.size)} · ${formatRelative(f.mtime, now)}`),
      );
      btn.dataset["name"] = f.name;
      if (focused === f.name) refocus = btn;
      btn.addEventListener("click", () => void openFile(f.name));
      frag.appendChild(h("li", null, btn));
    }
    listBody.replaceChildren(frag);
    (refocus as HTMLElement | null)?.focus();
    listEmpty.hidden = files.length !== 0;
  };

  const listPoller = createPoller(LIST_INTERVAL_MS, async (signal) => {
    try {
      files = await ctx.client.logs.list({ signal });
      lastListOk = Date.now();
      listError.hidden = true;
      renderList(lastListOk);
      updated.textContent = "updated just now";
    } catch (err) {
      if (signal.aborted || isAbort(err)) return;
      if (isAuthError(err)) return ctx.refuse("The server refused the token (401 on /dashboard/logs).");
      listError.textContent = `Couldn't list the log files: ${describeError(err)}`;
      listError.hidden = false;
    }
  });

  const stickToBottom = (): boolean => pre.scrollHeight - pre.scrollTop - pre.clientHeight < 32;

  const setText = (chunk: LogChunkData): void => {
    pieces = [{ node: document.createTextNode(chunk.text), start: chunk.start, end: chunk.end }];
    pre.replaceChildren(pieces[0]!.node);
    loadedStart = chunk.start;
    loadedEnd = chunk.end;
    totalSize = chunk.totalSize;
    pre.hidden = false;
    placeholder.hidden = true;
    updateRange();
    pre.scrollTop = pre.scrollHeight;
  };

  async function openFile(name: string, reason = ""): Promise<void> {
    const my = ++gen;
    ac?.abort();
    ac = new AbortController();
    const signal = ac.signal;
    open = name;
    title.textContent = name;
    renderList(Date.now());
    showError("");
    note(reason);
    findBar.reset();
    range.textContent = "loading the last 64 KiB…";
    followBtn.disabled = false;
    try {
      const chunk = await ctx.client.logs.read(name, { tail: TAIL_BYTES, signal });
      if (my !== gen) return; // a newer click won
      setText(chunk);
      findBar.rerun(); // the query typed for the last file applies to this one
    } catch (err) {
      if (my !== gen || isAbort(err)) return;
      if (isAuthError(err)) return ctx.refuse("The server refused the token (401 on a log file).");
      pieces = [];
      pre.replaceChildren();
      pre.hidden = true;
      placeholder.hidden = true;
      range.textContent = "";
      showError(`Couldn't open ${name}: ${describeError(err)}`);
    }
  }

  async function loadEarlier(): Promise<void> {
    if (!open || loadedStart === 0) return;
    const my = gen;
    const start = Math.max(0, loadedStart - TAIL_BYTES);
    earlierBtn.disabled = true;
    try {
      const chunk = await ctx.client.logs.read(open, { range: { start, end: loadedStart }, signal: ac?.signal });
      if (my !== gen) return;
      const before = pre.scrollHeight;
      const node = document.createTextNode(chunk.text);
      pre.insertBefore(node, pre.firstChild);
      pieces.unshift({ node, start: chunk.start, end: chunk.end });
      loadedStart = chunk.start;
      totalSize = Math.max(totalSize, chunk.totalSize);
      pre.scrollTop += pre.scrollHeight - before; // keep the lines the person was reading in place
      showError("");
    } catch (err) {
      if (my !== gen || isAbort(err)) return;
      if (isAuthError(err)) return ctx.refuse("The server refused the token (401 on a log file).");
      showError(`Couldn't load earlier bytes: ${describeError(err)}`);
    } finally {
      if (my === gen) updateRange();
    }
  }

  /** The end of the loaded text, at least `chars` characters of it when there are that many. */
  function loadedTail(chars: number): string {
    let tail = "";
    for (let i = pieces.length - 1; i >= 0 && tail.length < chars; i--) tail = pieces[i]!.node.data + tail;
    return tail;
  }

  async function pollFollow(): Promise<void> {
    followTimer = undefined;
    if (!following || !open || followBusy || !visible || document.visibilityState === "hidden") return schedFollow();
    const my = gen;
    const name = open;
    followBusy = true;
    try {
      const stick = stickToBottom();
      const range = followRange(loadedEnd);
      let step: FollowStep;
      try {
        const chunk = await ctx.client.logs.read(name, range ? { range, signal: ac?.signal } : { signal: ac?.signal });
        step = followStep(loadedTail(FOLLOW_OVERLAP_BYTES), loadedEnd, chunk);
      } catch (err) {
        // The file is now shorter than the bytes re-read for the overlap.
        if (err instanceof RangeNotSatisfiableError) step = followRangeRefused(err.totalSize);
        else throw err;
      }
      if (my !== gen) return;
      if (step.kind === "rotated") {
        followBusy = false;
        await openFile(name, `${name} was rotated or truncated (now ${formatBytes(step.totalSize)}); showing its new tail.`);
        return schedFollow();
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
      showError("");
      updateRange();
    } catch (err) {
      if (my !== gen || isAbort(err)) return;
      if (isAuthError(err)) return ctx.refuse("The server refused the token (401 on a log file).");
      showError(`Follow: ${describeError(err)} Retrying.`);
    } finally {
      followBusy = false;
    }
    schedFollow();
  }

  function schedFollow(): void {
    if (followTimer !== undefined) clearTimeout(followTimer);
    followTimer = following ? setTimeout(() => void pollFollow(), FOLLOW_INTERVAL_MS) : undefined;
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

  earlierBtn.addEventListener("click", () => void loadEarlier());
  followBtn.addEventListener("click", () => {
    following = !following;
    followBtn.setAttribute("aria-pressed", String(following));
    followBtn.textContent = following ? "Following" : "Follow";
    if (following) {
      pre.scrollTop = pre.scrollHeight;
      void pollFollow();
    } else schedFollow();
  });

  return {
    el,
    show(): void {
      el.hidden = false;
      visible = true;
      listPoller.start();
      if (following) schedFollow();
    },
    hide(): void {
      el.hidden = true;
      visible = false;
      listPoller.stop();
    },
    tick(now: number): void {
      if (el.hidden || !lastListOk) return;
      const s = Math.floor((now - lastListOk) / 1000);
      updated.textContent = s < 1 ? "updated just now" : `updated ${s} s ago`;
    },
    destroy(): void {
      gen++;
      ac?.abort();
      following = false;
      if (followTimer !== undefined) clearTimeout(followTimer);
      findBar.destroy();
      listPoller.destroy();
      el.remove();
    },
  };
}
