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
 */

import { formatClock } from "../format.js";

export interface StreamRendererOptions {
  /** Characters of text kept on screen; older blocks are dropped from the top. Default 2,000,000. */
  scrollbackChars?: number;
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
  /** Close an open gap marker: "disconnected 12:03:04 → 12:03:09". */
  end(to: Date): void;
}

export interface StreamRenderer {
  /** The scrolling element. */
  readonly scroller: HTMLElement;
  /** The element holding the rendered blocks (search this for find-in-stream). */
  readonly content: HTMLElement;
  append(text: string): void;
  tool(name: string): void;
  /** A visible gap: output sent between `from` and `to` was not received. Leave `to` out while still disconnected. */
  gap(from: Date, to?: Date | null, reason?: string): GapHandle;
  /** A one-line notice in the stream (e.g. "paused"). */
  note(text: string): void;
  clear(): void;
  pause(): void;
  resume(): void;
  readonly paused: boolean;
  readonly following: boolean;
  jumpToLatest(): void;
  /** Stop autoscroll (e.g. while the person reads a find result). */
  stopFollowing(): void;
  /** Render anything pending now (tests, benchmarks). */
  flush(): void;
  /** Re-apply the scroll position (call after the element was hidden and shown again). */
  refresh(): void;
  /** The streamed text currently on screen (chunks only, without tool lines or markers). */
  text(): string;
  stats(): { renderedChars: number; pendingChars: number; droppedChars: number; blocks: number };
  destroy(): void;
}

type GapState = { from: Date; to: Date | null; reason: string; el: HTMLElement | null };
type Op = { k: "t"; s: string } | { k: "tool"; name: string } | { k: "gap"; gap: GapState } | { k: "note"; text: string };

interface Block {
  el: HTMLElement;
  chars: number;
  text: boolean;
  page: Page;
}

/** A group of consecutive blocks: the scroller lays out a few dozen pages instead of hundreds of blocks. */
interface Page {
  el: HTMLElement;
  blocks: number;
}

/**
 * Blocks per page. Layout walks every child of the container it invalidates; measured in headless Chromium,
 * a frame cost ~1.1 ms more with 250 blocks directly in the scroller than with 25. Pages keep both levels
 * short, and `content-visibility: auto` on a page lets the browser skip pages out of view altogether.
 */
const PAGE_BLOCKS = 16;

const FOLLOW_SLACK_PX = 32;

function el(tag: string, cls: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = cls;
  if (text !== undefined) e.appendChild(document.createTextNode(text));
  return e;
}

export function createStreamRenderer(container: HTMLElement, options: StreamRendererOptions = {}): StreamRenderer {
  const scrollbackChars = Math.max(1, options.scrollbackChars ?? 2_000_000);
  const chunkChars = Math.max(64, options.chunkChars ?? Math.min(8192, Math.max(256, Math.floor(scrollbackChars / 8))));
  const raf = options.requestFrame ?? ((cb: () => void) => requestAnimationFrame(cb));
  const caf = options.cancelFrame ?? ((id: number) => cancelAnimationFrame(id));
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

  let pending: Op[] = [];
  let pendingChars = 0;
  let blocks: Block[] = [];
  let head = 0; // index of the first live block in `blocks`
  let renderedChars = 0;
  let droppedChars = 0;
  let current: Block | null = null;
  let lastPage: Page | null = null;
  let frame = 0;
  let settleFrame = 0;
  let paused = false;
  let following = true;
  let destroyed = false;

  function setFollowing(v: boolean): void {
    if (v === following) return;
    following = v;
    jump.hidden = v;
    options.onFollowChange?.(v);
  }

  // Where stick() last put the view. Output growing below it (or pages taking their real size once in view)
  // moves the bottom away without the person scrolling: only a move up from here means "stop following".
  let stuckAt = 0;
  const onScroll = (): void => {
    if (scroller.clientHeight === 0) return;
    const distance = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight;
    if (distance <= FOLLOW_SLACK_PX) setFollowing(true);
    else if (following && scroller.scrollTop >= stuckAt - 1) stickUntilSettled();
    else setFollowing(false);
  };
  scroller.addEventListener("scroll", onScroll, { passive: true });
  const onJump = (): void => api.jumpToLatest();
  jump.addEventListener("click", onJump);

  function schedule(): void {
    if (frame || paused || destroyed) return;
    frame = raf(onFrame);
  }

  function onFrame(): void {
    frame = 0;
    render();
    if (following) stick();
  }

  /**
   * Stick to the bottom now and again on the next frames until the height stops changing: pages that were out
   * of view when output arrived keep a stale size (content-visibility) until the jump brings them into view.
   */
  function stickUntilSettled(framesLeft = 6): void {
    if (settleFrame) caf(settleFrame);
    stick();
    const height = scroller.scrollHeight;
    settleFrame = raf(() => {
      settleFrame = 0;
      if (destroyed || !following) return;
      if (scroller.scrollHeight !== height || scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight > 1) {
        if (framesLeft > 1) stickUntilSettled(framesLeft - 1);
        else stick();
      }
    });
  }

  function stick(): void {
    // One layout read per frame at most, and only while following.
    scroller.scrollTop = scroller.scrollHeight;
    stuckAt = scroller.scrollTop;
  }

  function compactPending(): void {
    const out: Op[] = [];
    let texts: string[] = [];
    for (const op of pending) {
      if (op.k === "t") texts.push(op.s);
      else {
        if (texts.length) out.push({ k: "t", s: texts.join("") });
        texts = [];
        out.push(op);
      }
    }
    if (texts.length) out.push({ k: "t", s: texts.join("") });
    pending = out;
  }

  function boundPending(): void {
    // Keep at most `scrollbackChars` of buffered text (paused or background tab).
    let excess = pendingChars - scrollbackChars;
    while (excess > 0 && pending.length) {
      const first = pending[0]!;
      if (first.k !== "t") {
        pending.shift();
        continue;
      }
      if (first.s.length <= excess) {
        pending.shift();
        excess -= first.s.length;
        pendingChars -= first.s.length;
        droppedChars += first.s.length;
      } else {
        first.s = first.s.slice(excess);
        pendingChars -= excess;
        droppedChars += excess;
        excess = 0;
      }
    }
  }

  function push(op: Op): void {
    if (destroyed) return;
    pending.push(op);
    if (op.k === "t") pendingChars += op.s.length;
    if (pending.length > 4096) compactPending();
    if (pendingChars > scrollbackChars) boundPending();
    schedule();
  }

  /**
   * Full pages skip style, layout and paint while out of view (`content-visibility: auto`), but only once
   * their real height is known: a page skipped before it was ever laid out counts as a placeholder height,
   * and a jump to the bottom computed from placeholders lands tens of thousands of pixels short (its real
   * size shows up two frames later, after the jump). So a page stays rendered until a ResizeObserver has seen
   * it full and laid out (not while the view is hidden), and then skips with that height as its size.
   */
  const sizeWatcher =
    typeof ResizeObserver === "function"
      ? new ResizeObserver((entries) => {
          for (const entry of entries) {
            const height = entry.borderBoxSize[0]?.blockSize ?? entry.contentRect.height;
            if (height <= 0) continue; // hidden: not laid out yet
            const page = entry.target as HTMLElement;
            sizeWatcher?.unobserve(page);
            page.style.setProperty("contain-intrinsic-size", `auto ${Math.ceil(height)}px`);
            page.style.setProperty("content-visibility", "auto");
          }
        })
      : null;

  function pageForNextBlock(): Page {
    if (!lastPage || lastPage.blocks >= PAGE_BLOCKS) {
      // The page filled before this one will not change size again: let it skip once it has been measured.
      if (lastPage) sizeWatcher?.observe(lastPage.el);
      lastPage = { el: el("div", "sr-page"), blocks: 0 };
      content.appendChild(lastPage.el);
    }
    return lastPage;
  }

  function addBlock(el: HTMLElement, chars: number, text: boolean): Block {
    const page = pageForNextBlock();
    const b: Block = { el, chars, text, page };
    page.el.appendChild(el);
    page.blocks++;
    blocks.push(b);
    renderedChars += chars;
    return b;
  }

  function newChunk(): Block {
    return addBlock(el("div", "sr-chunk"), 0, true);
  }

  function writeText(s: string): void {
    while (s.length) {
      if (!current) current = newChunk();
      const room = chunkChars - current.chars;
      let cut: number;
      if (s.length <= room) cut = s.length;
      else {
        const nl = room > 0 ? s.lastIndexOf("\n", room - 1) : -1;
        if (nl >= 0) cut = nl + 1;
        else {
          const allowance = Math.max(1, 2 * chunkChars - current.chars);
          const nl2 = s.indexOf("\n", Math.max(0, room));
          cut = nl2 >= 0 && nl2 < allowance ? nl2 + 1 : Math.min(s.length, allowance);
        }
      }
      const piece = cut === s.length ? s : s.slice(0, cut);
      current.el.appendChild(document.createTextNode(piece));
      current.chars += piece.length;
      renderedChars += piece.length;
      if (cut < s.length || current.chars >= chunkChars) current = null;
      s = cut === s.length ? "" : s.slice(cut);
    }
  }

  function gapText(g: GapState): string {
    const to = g.to ? formatClock(g.to) : g.reason || "…";
    return `disconnected ${formatClock(g.from)} → ${to}`;
  }

  function render(): void {
    if (!pending.length) return;
    const ops = pending;
    pending = [];
    pendingChars = 0;
    let texts: string[] = [];
    const flushTexts = (): void => {
      if (texts.length) writeText(texts.length === 1 ? texts[0]! : texts.join(""));
      texts = [];
    };
    for (const op of ops) {
      if (op.k === "t") {
        texts.push(op.s);
        continue;
      }
      flushTexts();
      current = null;
      if (op.k === "tool") {
        const label = op.name === "" ? unnamed : op.name;
        const chip = el("span", "sr-tool-chip", label);
        const last = blocks.length > head ? blocks[blocks.length - 1]! : null;
        if (last && last.el.className === "sr-tool") {
          // Consecutive tool calls share one line of chips.
          last.el.appendChild(chip);
          last.chars += label.length + 1;
          renderedChars += label.length + 1;
        } else {
          const line = el("div", "sr-tool");
          line.appendChild(chip);
          addBlock(line, label.length + 1, false);
        }
      } else if (op.k === "gap") {
        const line = el("div", "sr-gap", gapText(op.gap));
        line.setAttribute("role", "note");
        op.gap.el = line;
        addBlock(line, 40, false);
      } else {
        addBlock(el("div", "sr-note", op.text), op.text.length + 1, false);
      }
    }
    flushTexts();
    trim();
  }

  function trim(): void {
    while (renderedChars > scrollbackChars && blocks.length - head > 1) {
      const b = blocks[head]!;
      blocks[head] = undefined as unknown as Block;
      head++;
      if (b === current) current = null;
      b.el.remove();
      if (--b.page.blocks === 0 && b.page !== lastPage) {
        sizeWatcher?.unobserve(b.page.el);
        b.page.el.remove();
      }
      renderedChars -= b.chars;
      if (b.text) droppedChars += b.chars;
    }
    if (head > 1024 && head * 2 > blocks.length) {
      blocks = blocks.slice(head);
      head = 0;
    }
    if (droppedChars > 0) {
      trimmed.hidden = false;
      trimmed.textContent = `Older output was dropped: the view keeps the last ${scrollbackChars.toLocaleString("en-US")} characters.`;
    }
  }

  const api: StreamRenderer = {
    scroller,
    content,
    append(text: string): void {
      if (typeof text !== "string" || text.length === 0) return;
      push({ k: "t", s: text });
    },
    tool(name: string): void {
      push({ k: "tool", name: typeof name === "string" ? name : String(name) });
    },
    gap(from: Date, to: Date | null = null, reason = "reconnecting…"): GapHandle {
      const g: GapState = { from, to, reason, el: null };
      push({ k: "gap", gap: g });
      return {
        end(t: Date): void {
          g.to = t;
          if (g.el) g.el.textContent = gapText(g);
        },
      };
    },
    note(text: string): void {
      push({ k: "note", text });
    },
    clear(): void {
      pending = [];
      pendingChars = 0;
      sizeWatcher?.disconnect();
      content.replaceChildren();
      blocks = [];
      lastPage = null;
      head = 0;
      renderedChars = 0;
      droppedChars = 0;
      current = null;
      trimmed.hidden = true;
      setFollowing(true);
    },
    pause(): void {
      paused = true;
      if (frame) caf(frame);
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
      return following;
    },
    jumpToLatest(): void {
      setFollowing(true);
      stickUntilSettled();
    },
    stopFollowing(): void {
      setFollowing(false);
    },
    flush(): void {
      if (frame) caf(frame);
      frame = 0;
      render();
      if (following) stick();
    },
    refresh(): void {
      if (following) stickUntilSettled();
    },
    text(): string {
      let out = "";
      for (let i = head; i < blocks.length; i++) {
        const b = blocks[i]!;
        if (b.text) out += b.el.textContent ?? "";
      }
      return out;
    },
    stats() {
      return { renderedChars, pendingChars, droppedChars, blocks: blocks.length - head };
    },
    destroy(): void {
      destroyed = true;
      if (frame) caf(frame);
      if (settleFrame) caf(settleFrame);
      frame = 0;
      settleFrame = 0;
      sizeWatcher?.disconnect();
      scroller.removeEventListener("scroll", onScroll);
      jump.removeEventListener("click", onJump);
      scroller.remove();
      jump.remove();
      container.classList.remove("sr-root");
      pending = [];
      blocks = [];
    },
  };
  return api;
}
