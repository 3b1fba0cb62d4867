/**
 * The live-stream renderer: the only code that puts streamed text into the DOM.
 *
 * - Text arrives through `append()` and is buffered; once per animation frame the buffer is written
 *   as one text node (per chunk it lands in). Nothing is rendered per event.
 * - Text lives in block "chunks" of about `chunkChars` characters, split after a newline where possible,
 *   so no single text node grows large and the browser can lay out one small block per frame.
 * - Scrollback is bounded: whole blocks are removed from the top once more than `scrollbackChars`
 *   characters are rendered.
 * - Layout is read at most once per frame (to stick to the bottom), and only while following.
 * - Autoscroll stops when the person scrolls up; a "Jump to latest" button brings it back.
 * - While paused, output is buffered (bounded by the same scrollback) and shown on resume.
 *
 * A little over 300 lines: about 80 of them are the documented public interface, kept beside the code.
 * The parts with a job of their own live beside it: pending-ops, scrollback, text-chunks (pure), pages and
 * follow-scroll (DOM).
 */

import { formatClock } from "../format.js";
import { createFollowScroll } from "./follow-scroll.js";
import { createBlockPages } from "./pages.js";
import { PendingOps, type GapState, type PendingOp, type TurnState } from "./pending-ops.js";
import { Scrollback, type ScrollbackBlock } from "./scrollback.js";
import { nextCut } from "./text-chunks.js";
import { createMarkdownWriter, type MarkdownWriter } from "./markdown/index.js";
import { Transcript } from "./transcript.js";

/** How streamed text is drawn: markdown as formatted blocks, or the characters as they came. */
export type StreamFormat = "markdown" | "plain";

export interface StreamRendererOptions {
  /**
   * "markdown" (default): paragraphs, headings, code blocks with a copy button, lists, quotes, tables, links (http,
   * https and mailto only; images shown as links, never loaded), `<file:…>` tags as chips, built as DOM nodes.
   * "plain": the text as it came, in a monospace box.
   */
  format?: StreamFormat;
  /** Characters of text kept on screen; older blocks are dropped from the top. Default 2,000,000. */
  scrollbackChars?: number;
  /**
   * The most the scrollback may hold while the person reads away from the bottom, or after older output was
   * loaded above (`prepend`). Default: 4 × scrollbackChars. Following the bottom, it is `scrollbackChars`
   * again: dropping from the top is then out of sight, and reading up is not cut short by new output.
   */
  maxScrollbackChars?: number;
  /** Target characters per chunk block. Default: min(8192, scrollbackChars / 8). */
  chunkChars?: number;
  /** Called when autoscroll turns on or off (the person scrolled away, or jumped back). */
  onFollowChange?: (following: boolean) => void;
  /** Label for a tool with an empty name. */
  unnamedTool?: string;
  /** Frame scheduler (default requestAnimationFrame). */
  requestFrame?: (cb: () => void) => number;
  cancelFrame?: (id: number) => void;
}

export interface GapHandle {
  /**
   * Close an open gap marker: "disconnected 12:03:04 → 12:03:09". `outcome` replaces the default wording of
   * what was lost (e.g. "resumed: nothing was missed" after a relay resent everything).
   */
  end(to: Date, outcome?: string): void;
}

/** Older output for `prepend`: text, a tool call, a one-line note, or a turn's header. */
export type EarlierItem =
  | { kind: "text"; text: string }
  | { kind: "tool"; name: string }
  | { kind: "note"; text: string; divider?: boolean }
  | { kind: "turn"; turn: TurnInfo };

/** A turn's header line: "Turn at 12:03:04" · "2 min 10 s" · a tool summary that opens a timeline. */
export interface TurnInfo {
  title: string;
  /** Duration or state ("working…"). */
  meta: string;
  /** "12 tools: Read ×5, Edit ×3, Shell ×4"; empty: no tools (the timeline is not offered). */
  summary: string;
  /** The turn's tool calls with their times (read when the timeline is opened). */
  tools: ReadonlyArray<{ readonly name: string; readonly at: number }>;
}

export interface TurnHandle {
  /** Change what the header says (a turn that goes on: its duration, its tools). */
  update(info: Partial<TurnInfo>): void;
}

export interface PrependResult {
  /** Characters added above. */
  chars: number;
  /** False when only the newest part fitted under `maxScrollbackChars`. */
  complete: boolean;
}

export interface StreamRenderer {
  /** The scrolling element. */
  readonly scroller: HTMLElement;
  /** The element holding the rendered blocks (search this for find-in-stream). */
  readonly content: HTMLElement;
  append(text: string): void;
  /** Text drawn highlighted (the search hit a view was opened at); `revealHighlight()` scrolls to it. */
  highlight(text: string): void;
  /** Scroll the first highlighted text into the middle of the view and stop following; false without one. */
  revealHighlight(): boolean;
  tool(name: string): void;
  /**
   * Older output (oldest first) above everything on screen, drawn now, keeping the view where it was. The
   * scrollback grows to hold it, up to `maxScrollbackChars`.
   */
  prepend(items: readonly EarlierItem[]): PrependResult;
  /** A visible gap: output sent between `from` and `to` was not received. Leave `to` out while still disconnected. */
  gap(from: Date, to?: Date | null, reason?: string): GapHandle;
  /** A turn's header line, before the turn's output; the handle keeps it current. */
  turn(info: TurnInfo): TurnHandle;
  /** A one-line notice in the stream (e.g. "paused"); a "divider" stands out (e.g. "new since you last looked"). */
  note(text: string, kind?: "note" | "divider"): void;
  clear(): void;
  pause(): void;
  resume(): void;
  readonly paused: boolean;
  readonly following: boolean;
  jumpToLatest(): void;
  /** The words on the floating jump button (a history range has an end, not a "latest"). */
  setJumpLabel(text: string): void;
  /** Stop autoscroll (e.g. while the person reads a find result). */
  stopFollowing(): void;
  /** How text is drawn now. */
  readonly format: StreamFormat;
  /** Draw everything on screen again in `format` (the view's Raw toggle), keeping the reading position. */
  setFormat(format: StreamFormat): void;
  /**
   * The text so far is complete (the agent went quiet): markdown that waited for more (a table row, a line
   * that may become a heading or a list) is drawn as what it is now.
   */
  settle(): void;
  /** Render anything pending now (tests, benchmarks). */
  flush(): void;
  /** Re-apply the scroll position (call after the element was hidden and shown again). */
  refresh(): void;
  /** The streamed text on screen as it arrived (the agent's markdown source), without tool lines or markers. */
  text(): string;
  stats(): { renderedChars: number; pendingChars: number; droppedChars: number; blocks: number };
  destroy(): void;
}

/** The element a block is drawn as, and the chunk being filled (text blocks only). */
type Block = ScrollbackBlock<HTMLElement>;

function el(tag: string, cls: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = cls;
  if (text !== undefined) e.appendChild(document.createTextNode(text));
  return e;
}

/** What a gap marker counts for in the scrollback (about its line's length). */
const GAP_CHARS = 40;

function toOp(item: EarlierItem): PendingOp {
  if (item.kind === "note") return { kind: "note", text: item.text, divider: item.divider === true };
  if (item.kind === "turn") return { kind: "turn", turn: { ...item.turn, el: null } };
  return item;
}

/** What a turn's header counts for in the scrollback (about its line's length). */
const TURN_CHARS = 60;

/** A turn's timeline shows at most this many calls (the latest); a turn left running for a day has thousands. */
const TIMELINE_MAX = 500;

/** The timeline of a turn's tools: a time and a name per call, as text. */
function fillTimeline(list: HTMLOListElement, tools: TurnState["tools"]): void {
  const hidden = Math.max(0, tools.length - TIMELINE_MAX);
  list.start = hidden + 1;
  list.replaceChildren(
    ...tools.slice(hidden).map((tool) => {
      const item = el("li", "sr-turn-call");
      item.append(el("time", "sr-turn-time", formatClock(new Date(tool.at))), document.createTextNode(` ${tool.name || "(unnamed tool)"}`));
      return item;
    }),
  );
}

/** A turn's header element; its parts are found again by class when the handle updates it. */
function turnElement(turn: TurnState): HTMLElement {
  const block = el("div", "sr-turn");
  block.setAttribute("role", "heading");
  block.setAttribute("aria-level", "2");
  block.tabIndex = -1; // "j"/"k" move focus from turn to turn
  const details = document.createElement("details");
  details.className = "sr-turn-tools";
  details.hidden = turn.summary === "";
  const list = document.createElement("ol");
  list.className = "sr-turn-timeline";
  details.append(el("summary", "sr-turn-summary", turn.summary), list);
  // The timeline is built when opened (most are never opened), and kept current while open.
  details.addEventListener("toggle", () => {
    if (details.open) fillTimeline(list, turn.tools);
  });
  block.append(el("span", "sr-turn-title", turn.title), el("span", "sr-turn-meta", turn.meta), details);
  return block;
}

function paintTurn(turn: TurnState): void {
  const block = turn.el;
  if (!block) return;
  const set = (cls: string, text: string): void => {
    const part = block.querySelector(`.${cls}`);
    if (part && part.textContent !== text) part.textContent = text;
  };
  set("sr-turn-title", turn.title);
  set("sr-turn-meta", turn.meta);
  set("sr-turn-summary", turn.summary);
  const details = block.querySelector("details");
  if (details) {
    details.hidden = turn.summary === "";
    if (details.open) fillTimeline(details.querySelector("ol")!, turn.tools);
  }
}

export function createStreamRenderer(container: HTMLElement, options: StreamRendererOptions = {}): StreamRenderer {
  const scrollbackChars = Math.max(1, options.scrollbackChars ?? 2_000_000);
  const maxScrollbackChars = Math.max(scrollbackChars, options.maxScrollbackChars ?? 4 * scrollbackChars);
  const chunkChars = Math.max(64, options.chunkChars ?? Math.min(8192, Math.max(256, Math.floor(scrollbackChars / 8))));
  const requestFrame = options.requestFrame ?? ((cb: () => void) => requestAnimationFrame(cb));
  const cancelFrame = options.cancelFrame ?? ((id: number) => cancelAnimationFrame(id));
  const unnamed = options.unnamedTool ?? "(unnamed tool)";

  container.classList.add("sr-root");
  const scroller = el("div", "sr-scroll");
  scroller.setAttribute("role", "log");
  scroller.setAttribute("aria-live", "off");
  scroller.setAttribute("tabindex", "0");
  scroller.setAttribute("aria-label", "Live agent output");
  // Essential styles through the CSSOM (allowed under a strict CSP) so the renderer works without the stylesheet.
  scroller.style.overflowY = "auto";
  scroller.style.whiteSpace = "pre-wrap";
  scroller.style.overflowWrap = "anywhere";
  const trimmed = el("div", "sr-trimmed");
  trimmed.hidden = true;
  const content = el("div", "sr-content");
  scroller.append(trimmed, content);
  const jump = el("button", "sr-jump", "Jump to latest ↓");
  jump.setAttribute("type", "button");
  jump.hidden = true;
  container.append(scroller, jump);

  const pending = new PendingOps(scrollbackChars);
  const scrollback = new Scrollback<HTMLElement>(scrollbackChars);
  const pages = createBlockPages(content);
  const follow = createFollowScroll(scroller, {
    requestFrame,
    cancelFrame,
    onChange(following) {
      jump.hidden = following;
      options.onFollowChange?.(following);
    },
  });
  const onJump = (): void => follow.jump();
  jump.addEventListener("click", onJump);

  let frame = 0;
  let paused = false;
  let destroyed = false;

  function schedule(): void {
    if (frame || paused || destroyed) return;
    frame = requestFrame(onFrame);
  }

  function onFrame(): void {
    frame = 0;
    render();
    follow.afterRender();
  }

  function push(op: PendingOp): void {
    if (destroyed) return;
    pending.push(op);
    schedule();
  }

  /** Where blocks go as they are drawn: the end of the scrollback (live), or a list to put above it (earlier). */
  interface BlockSink {
    add(element: HTMLElement, chars: number, isText: boolean): Block;
    grow(block: Block, chars: number): void;
    last(): Block | undefined;
  }
  const liveSink: BlockSink = {
    add(element, chars, isText) {
      pages.append(element);
      return scrollback.add(element, chars, isText);
    },
    grow: (block, chars) => scrollback.grow(block, chars),
    last: () => scrollback.last,
  };

  /**
   * Where text goes as it is drawn: the plain chunk being filled (null when the next text starts a new one),
   * and the markdown writer. The live state lasts across frames; a prepend draws with a state of its own.
   */
  interface DrawState {
    chunk: Block | null;
    md: MarkdownWriter | null;
  }
  /** True while a highlighted hit is written as markdown: its blocks are marked. */
  let highlighting = false;
  const markdownFor = (sink: BlockSink): MarkdownWriter =>
    createMarkdownWriter<Block>(
      {
        addBlock(element, chars) {
          element.classList.add("sr-md");
          if (highlighting) element.classList.add("sr-hit");
          return sink.add(element, chars, true);
        },
        grow: (block, chars) => sink.grow(block, chars),
      },
      { maxBlockChars: chunkChars },
    );

  /** Draws operations as blocks into `sink`. */
  function draw(ops: readonly PendingOp[], sink: BlockSink, state: DrawState): void {
    const writeText = (text: string, mark: boolean): void => {
      if (format === "markdown") {
        state.md ??= markdownFor(sink);
        if (!mark) {
          state.md.write(text);
          return;
        }
        // A highlighted hit: formatted like the rest, in blocks of its own that are marked.
        state.md.end();
        highlighting = true;
        try {
          state.md.write(text);
          state.md.end();
        } finally {
          highlighting = false;
        }
        return;
      }
      while (text.length) {
        state.chunk ??= sink.add(el("div", "sr-chunk"), 0, true);
        const { take, closes } = nextCut(text, state.chunk.chars, chunkChars);
        const piece = take === text.length ? text : text.slice(0, take);
        state.chunk.payload.appendChild(mark ? el("mark", "sr-hit", piece) : document.createTextNode(piece));
        sink.grow(state.chunk, piece.length);
        if (closes) state.chunk = null;
        text = take === text.length ? "" : text.slice(take);
      }
    };
    // Text of consecutive events is written in one go: one text node per chunk per frame.
    let texts: string[] = [];
    const flushTexts = (): void => {
      if (texts.length) writeText(texts.length === 1 ? texts[0]! : texts.join(""), false);
      texts = [];
    };
    for (const op of ops) {
      if (op.kind === "text") {
        if (!op.mark) {
          texts.push(op.text);
          continue;
        }
        flushTexts();
        writeText(op.text, true);
        state.chunk = null;
        continue;
      }
      flushTexts();
      state.chunk = null; // text after a marker starts on a fresh block
      state.md?.end();
      if (op.kind === "tool") writeTool(op.name, sink);
      else if (op.kind === "turn") {
        op.turn.el = turnElement(op.turn);
        sink.add(op.turn.el, TURN_CHARS, false);
      } else if (op.kind === "gap") {
        const line = el("div", "sr-gap", gapText(op.gap));
        line.setAttribute("role", "note");
        op.gap.el = line;
        sink.add(line, GAP_CHARS, false);
      } else sink.add(el("div", op.divider ? "sr-note sr-divider" : "sr-note", op.text), op.text.length + 1, false);
    }
    flushTexts();
  }

  function writeTool(name: string, sink: BlockSink): void {
    const label = name === "" ? unnamed : name;
    const chip = el("span", "sr-tool-chip", label);
    const last = sink.last();
    if (last && last.payload.className === "sr-tool") {
      // Consecutive tool calls share one line of chips.
      last.payload.appendChild(chip);
      sink.grow(last, label.length + 1);
    } else {
      const line = el("div", "sr-tool");
      line.appendChild(chip);
      sink.add(line, label.length + 1, false);
    }
  }

  function gapText(gap: GapState): string {
    const to = gap.to ? formatClock(gap.to) : gap.reason || "…";
    return `disconnected ${formatClock(gap.from)} → ${to}${gap.outcome ? ` · ${gap.outcome}` : ""}`;
  }

  let format: StreamFormat = options.format ?? "markdown";
  // Prose reads better in the UI's sans-serif; code and raw text stay monospace (styles.css).
  scroller.classList.toggle("sr-format-markdown", format === "markdown");
  const live: DrawState = { chunk: null, md: null };
  const transcript = new Transcript();

  function render(): void {
    if (!pending.length) return;
    const ops = pending.take();
    for (const op of ops) transcript.add(op);
    draw(ops, liveSink, live);
    trim();
  }

  /** Empty the screen (not the transcript). */
  function wipe(): void {
    scrollback.clear();
    pages.clear();
    live.chunk = null;
    live.md?.reset();
    live.md = null;
  }

  /**
   * Older output above what is on screen, keeping the view where it was, up to `maxScrollbackChars` in all:
   * past that, only the newest part of `items` that fits is drawn.
   */
  function prepend(items: readonly EarlierItem[]): PrependResult {
    const ops = items.map(toOp);
    render();
    const room = maxScrollbackChars - scrollback.chars;
    if (room <= 0 || ops.length === 0) return { chars: 0, complete: ops.length === 0 };
    // Keep the newest events that fit (counting text; markers are small).
    let chars = 0;
    let first = ops.length;
    while (first > 0) {
      const op = ops[first - 1]!;
      const size = op.kind === "text" ? op.text.length : 1;
      if (chars + size > room) break;
      chars += size;
      first--;
    }
    const blocks: Block[] = [];
    const collect: BlockSink = {
      add(element, size, isText) {
        const block: Block = { payload: element, chars: size, isText };
        blocks.push(block);
        return block;
      },
      grow(block, size) {
        block.chars += size;
      },
      last: () => blocks.at(-1),
    };
    const earlier = ops.slice(first);
    const state: DrawState = { chunk: null, md: null };
    draw(earlier, collect, state);
    state.md?.end();
    transcript.addFront(earlier);
    const height = scroller.scrollHeight;
    const top = scroller.scrollTop;
    pages.prepend(blocks.map((b) => b.payload));
    scrollback.prepend(blocks);
    const added = blocks.reduce((sum, b) => sum + b.chars, 0);
    // Keep what the person was reading in place: the new blocks push it down by their height.
    scroller.scrollTop = top + (scroller.scrollHeight - height);
    return { chars: added, complete: first === 0 };
  }

  function trim(): void {
    // Reading up the scrollback: keep up to the larger bound so what is being read is not cut away.
    let droppedText = 0;
    for (const block of scrollback.trim(follow.following ? scrollbackChars : maxScrollbackChars)) {
      if (block === live.chunk) live.chunk = null;
      if (block.isText) droppedText += block.chars;
      pages.remove(block.payload);
    }
    transcript.dropFront(droppedText);
    const dropped = droppedChars();
    if (dropped > 0) {
      trimmed.hidden = false;
      trimmed.textContent = `Older output was dropped: the view keeps the last ${scrollbackChars.toLocaleString("en-US")} characters.`;
    }
  }

  const droppedChars = (): number => pending.droppedChars + scrollback.droppedChars;

  return {
    scroller,
    content,
    append(text: string): void {
      if (typeof text !== "string" || text.length === 0) return;
      push({ kind: "text", text });
    },
    highlight(text: string): void {
      if (typeof text === "string" && text.length > 0) push({ kind: "text", text, mark: true });
    },
    revealHighlight(): boolean {
      render();
      const hit = content.querySelector(".sr-hit");
      if (!hit) return false;
      follow.stop();
      hit.scrollIntoView({ block: "center" });
      return true;
    },
    prepend,
    tool(name: string): void {
      push({ kind: "tool", name: typeof name === "string" ? name : String(name) });
    },
    gap(from: Date, to: Date | null = null, reason = "reconnecting…"): GapHandle {
      const gap: GapState = { from, to, reason, el: null };
      push({ kind: "gap", gap });
      return {
        end(at: Date, outcome?: string): void {
          gap.to = at;
          if (outcome !== undefined) gap.outcome = outcome;
          if (gap.el) gap.el.textContent = gapText(gap);
        },
      };
    },
    turn(info: TurnInfo): TurnHandle {
      const turn: TurnState = { ...info, el: null };
      push({ kind: "turn", turn });
      return {
        update(change: Partial<TurnInfo>): void {
          Object.assign(turn, change);
          paintTurn(turn);
        },
      };
    },
    note(text: string, kind: "note" | "divider" = "note"): void {
      push({ kind: "note", text, divider: kind === "divider" });
    },
    clear(): void {
      pending.clear();
      wipe();
      transcript.clear();
      trimmed.hidden = true;
      follow.reset();
    },
    pause(): void {
      paused = true;
      if (frame) cancelFrame(frame);
      frame = 0;
    },
    resume(): void {
      paused = false;
      schedule();
    },
    get paused() {
      return paused;
    },
    get following() {
      return follow.following;
    },
    jumpToLatest(): void {
      follow.jump();
    },
    stopFollowing(): void {
      follow.stop();
    },
    setJumpLabel(text: string): void {
      jump.textContent = text;
    },
    flush(): void {
      if (frame) cancelFrame(frame);
      frame = 0;
      render();
      follow.afterRender();
    },
    refresh(): void {
      follow.refresh();
    },
    text(): string {
      render();
      return transcript.text();
    },
    get format() {
      return format;
    },
    setFormat(next: StreamFormat): void {
      if (next === format) return;
      render();
      const top = scroller.scrollTop;
      const height = scroller.scrollHeight;
      const wasFollowing = follow.following;
      format = next;
      scroller.classList.toggle("sr-format-markdown", format === "markdown");
      wipe();
      draw(transcript.ops(), liveSink, live);
      trim();
      // The same place in a differently tall text: the same fraction of it.
      if (wasFollowing) follow.jump();
      else if (height > 0) scroller.scrollTop = (top / height) * scroller.scrollHeight;
    },
    settle(): void {
      render();
      live.md?.end();
      follow.afterRender();
    },
    stats() {
      return { renderedChars: scrollback.chars, pendingChars: pending.chars, droppedChars: droppedChars(), blocks: scrollback.size };
    },
    destroy(): void {
      destroyed = true;
      if (frame) cancelFrame(frame);
      frame = 0;
      follow.destroy();
      pages.destroy();
      jump.removeEventListener("click", onJump);
      scroller.remove();
      jump.remove();
      container.classList.remove("sr-root");
      pending.clear();
      scrollback.clear();
    },
  };
}
