// The stream view the markdown variants share: the stream renderer's design (text batched per animation frame,
// whole blocks in pages of 16, a 2,000,000-character scrollback trimmed from the top, stuck to the bottom) with a
// markdown writer drawing the text. A tool call ends the text block (`end()`) and adds a tool line, as ductor's
// text deltas end before a tool runs. It is how the renderer would use the writer (see the writer's report).
import { createBlockPages } from "../../../packages/ui-vanilla/src/render/pages";
import { Scrollback, type ScrollbackBlock } from "../../../packages/ui-vanilla/src/render/scrollback";
import type { MarkdownSink, MarkdownWriter } from "../../../packages/ui-vanilla/src/render/markdown/index";
import { type BenchEvent, nextPaint, type Variant } from "./harness";

type Block = ScrollbackBlock<HTMLElement>;

export function markdownView(root: HTMLElement, makeWriter: (sink: MarkdownSink<Block>) => MarkdownWriter): Variant {
  root.classList.add("sr-root");
  const scroller = document.createElement("div");
  scroller.className = "sr-scroll";
  scroller.style.overflowY = "auto";
  scroller.style.height = "760px";
  scroller.style.whiteSpace = "pre-wrap";
  scroller.style.overflowWrap = "anywhere";
  const content = document.createElement("div");
  content.className = "sr-content";
  scroller.appendChild(content);
  root.appendChild(scroller);

  const scrollback = new Scrollback<HTMLElement>(2_000_000);
  const pages = createBlockPages(content);
  const add = (el: HTMLElement, chars: number, isText: boolean): Block => {
    pages.append(el);
    return scrollback.add(el, chars, isText);
  };
  const writer = makeWriter({ addBlock: (el, chars) => add(el, chars, true), grow: (block, chars) => scrollback.grow(block, chars) });

  type Op = { text: string } | { tool: string };
  let ops: Op[] = [];
  let frame = 0;
  let drawn: (() => void) | null = null;
  /** Time spent in the writer's `write` and `end` (script only; style, layout and paint come after). */
  let writerMs = 0;
  const timed = (fn: () => void): void => {
    const t = performance.now();
    fn();
    writerMs += performance.now() - t;
  };

  function render(): void {
    frame = 0;
    let texts: string[] = [];
    const flush = (): void => {
      if (texts.length) timed(() => writer.write(texts.join("")));
      texts = [];
    };
    for (const op of ops) {
      if ("text" in op) {
        texts.push(op.text);
        continue;
      }
      flush();
      timed(() => writer.end());
      const line = document.createElement("div");
      line.className = "sr-tool";
      const chip = document.createElement("span");
      chip.className = "sr-tool-chip";
      chip.textContent = op.tool;
      line.appendChild(chip);
      add(line, op.tool.length + 1, false);
    }
    flush();
    ops = [];
    for (const block of scrollback.trim()) pages.remove(block.payload);
    scroller.scrollTop = scroller.scrollHeight;
    drawn?.();
    drawn = null;
  }

  (globalThis as { __benchCheck?: () => unknown }).__benchCheck = () => ({
    renderedChars: scrollback.chars,
    droppedChars: scrollback.droppedChars,
    blocks: scrollback.size,
    writerMs: Math.round(writerMs),
    tail: (content.textContent ?? "").slice(-200),
  });

  return {
    handle(event: BenchEvent) {
      if (event.type === "text_delta") ops.push({ text: event.data as string });
      else if (event.type === "tool_activity") ops.push({ tool: event.data as string });
      else return;
      frame ||= requestAnimationFrame(render);
    },
    async painted() {
      if (frame) await new Promise<void>((resolve) => (drawn = resolve));
      await nextPaint();
    },
  };
}
