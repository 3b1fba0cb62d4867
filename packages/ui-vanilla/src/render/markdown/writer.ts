/**
 * Streamed markdown → DOM, incrementally: elements and text nodes only (no HTML strings anywhere), links only
 * to http, https and mailto URLs, images never loaded.
 *
 * The block parser (blocks.ts) says what opens and closes; this file builds the elements. Paragraph text goes
 * through the inline scanner (inline.ts) once per `write`: what can no longer change is appended for good,
 * and the unfinished rest (an unclosed `**`, a link still missing its `)`) is drawn as plain text after it,
 * to be replaced on the next write. So `**bold` shows its asterisks until the closer arrives and then turns
 * bold: what is on screen is always what the text so far means, and a `**` that never closes (`2 ** 10`,
 * `**kwargs`) never turns the rest of a paragraph bold.
 *
 * The caller owns where blocks go: every top-level block (paragraph, heading, code block, list, quote,
 * table, rule) is handed to `addBlock` once, when it starts, and `grow` keeps its character count (of
 * markdown, markup included) up to date, so a scrollback can drop whole blocks from the top. A writer never
 * looks at the document outside its blocks: it works as well on a detached fragment.
 */
import { copyText } from "../text.js";
import { type Align, BlockParser, type BlockStart } from "./blocks.js";
import { type InlineNode, scanInline } from "./inline.js";

export interface MarkdownSink<H> {
  /** A new top-level block: append `el` to the output. It counts `chars` characters. Returns its handle. */
  addBlock(el: HTMLElement, chars: number): H;
  /** The top-level block `block` now counts `chars` more characters (called at most once per write). */
  grow(block: H, chars: number): void;
}

export interface MarkdownWriterOptions {
  /**
   * A top-level block holding this many characters continues in a new one (class `md-cont`) at its next
   * line, so scrollback stays granular. Default 8192 (the stream renderer's chunk size).
   */
  maxBlockChars?: number;
}

export interface MarkdownWriter {
  /** More markdown, cut anywhere (mid-word, mid-fence, mid-`**`). */
  write(text: string): void;
  /** The text is complete (e.g. a tool call follows): finish what is open. The next write starts a new text. */
  end(): void;
  /** Forget everything open without touching the DOM (the caller cleared it). */
  reset(): void;
}

/** An open block: its outermost element and the element its content goes in. */
interface Frame {
  start: BlockStart;
  box: HTMLElement;
  el: HTMLElement;
  /** Lists: items opened so far. Code: the id shared by its continuations. Tables: column count. */
  count: number;
  fence: string;
}

let fenceSeq = 0;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.appendChild(document.createTextNode(text));
  return e;
}

function inlineNode(n: InlineNode): Node {
  switch (n.k) {
    case "text":
      return document.createTextNode(n.s);
    case "code":
      return h("code", "", n.s);
    case "file": {
      const chip = h("span", "md-file", n.path);
      chip.title = n.path;
      return chip;
    }
    case "image":
      return n.href ? link(n.href, [{ k: "text", s: n.alt || n.href }], "md-image") : h("span", "md-image", n.alt);
    case "link":
      return link(n.href, n.c);
    default: {
      const e = h(n.k === "del" ? "del" : n.k);
      appendInline(e, n.c);
      return e;
    }
  }
}

function link(href: string, content: InlineNode[], cls?: string): HTMLAnchorElement {
  const a = h("a", cls);
  a.setAttribute("href", href);
  a.setAttribute("rel", "noopener noreferrer nofollow");
  a.setAttribute("target", "_blank");
  appendInline(a, content);
  return a;
}

function appendInline(parent: Node, nodes: InlineNode[], track?: Node[]): void {
  for (const n of nodes) {
    const node = inlineNode(n);
    parent.appendChild(node);
    track?.push(node);
  }
}

function setAlign(cell: HTMLElement, align: Align | undefined): void {
  if (align) cell.style.textAlign = align;
}

function codeBlock(lang: string, id: string, continued: boolean): { box: HTMLElement; code: HTMLElement } {
  const box = h("div", continued ? "md-code md-cont" : "md-code");
  box.dataset["mdFence"] = id;
  if (!continued) {
    // The language and the button's caption are drawn by the stylesheet (`content: attr(data-lang)`), so that
    // the block's text (find-in-stream, copy of a selection, textContent) is only the code.
    const head = h("div", "md-code-head");
    if (lang) {
      const label = h("span", "md-lang");
      label.dataset["lang"] = lang;
      head.appendChild(label);
    }
    const copy = h("button", "md-copy");
    copy.type = "button";
    copy.title = "Copy";
    copy.setAttribute("aria-label", lang ? `Copy ${lang} code` : "Copy code");
    copy.addEventListener("click", () => {
      // Every part of this block still on screen (a long block continues in further blocks).
      const root = box.getRootNode() as ParentNode;
      const parts = root === (box as ParentNode) ? [] : Array.from(root.querySelectorAll(`[data-md-fence="${id}"] code`));
      const text = (parts.length ? parts : [code]).map((c) => c.textContent ?? "").join("");
      void copyText(text.endsWith("\n") ? text.slice(0, -1) : text).then((ok) => {
        copy.dataset["state"] = ok ? "copied" : "failed";
        setTimeout(() => delete copy.dataset["state"], 1500);
      });
    });
    head.appendChild(copy);
    box.appendChild(head);
  }
  const pre = h("pre");
  const code = h("code");
  pre.appendChild(code);
  box.appendChild(pre);
  return { box, code };
}

export function createMarkdownWriter<H>(sink: MarkdownSink<H>, options: MarkdownWriterOptions = {}): MarkdownWriter {
  const stack: Frame[] = [];
  /** The current (or last) top-level block, and characters to add to it at the end of this write. */
  let top: { handle: H } | null = null;
  let grow = 0;
  /** Characters seen while no block was open (blank lines): they count for the next block. */
  let uncredited = 0;

  // The open paragraph's markdown not yet drawn for good, the character before it, the nodes drawn for it.
  let para: HTMLElement | null = null;
  let buf = "";
  let prev = "";
  let tentative: Node[] = [];
  // The open code block's text not appended yet (appended once per write, as one text node).
  let code: HTMLElement | null = null;
  let codeBuf = "";
  // A heading's preview, a table's unfinished row.
  let preview: Node[] = [];
  let previewRow: HTMLElement | null = null;

  const flushGrow = (): void => {
    if (grow && top) sink.grow(top.handle, grow);
    grow = 0;
  };

  function drawCode(): void {
    if (code && codeBuf) code.appendChild(document.createTextNode(codeBuf));
    codeBuf = "";
  }

  function drawPara(final: boolean): void {
    if (!para) return;
    for (const n of tentative) para.removeChild(n);
    tentative = [];
    if (!buf) return;
    const r = scanInline(buf, prev, final);
    appendInline(para, r.nodes);
    if (r.stable > 0) {
      prev = buf[r.stable - 1]!;
      buf = buf.slice(r.stable);
    }
    if (buf) appendInline(para, scanInline(buf, prev, true).nodes, tentative);
  }

  function clearPreview(el: HTMLElement): void {
    for (const n of preview) el.removeChild(n);
    preview = [];
  }

  function place(box: HTMLElement): void {
    const parent = stack[stack.length - 1];
    if (parent) {
      parent.el.appendChild(box);
      return;
    }
    flushGrow();
    top = { handle: sink.addBlock(box, uncredited) };
    uncredited = 0;
  }

  function openFrame(start: BlockStart, continued: boolean, from?: Frame): void {
    const cont = continued ? "md-cont" : "";
    let box: HTMLElement;
    let el: HTMLElement;
    let count = 0;
    let fence = "";
    switch (start.kind) {
      case "quote":
        box = el = h("blockquote", cont);
        break;
      case "list": {
        box = el = h(start.ordered ? "ol" : "ul", cont);
        // A continued list numbers on from where the part before it was.
        count = from ? from.count : 0;
        if (start.ordered && start.start + count !== 1) box.setAttribute("start", String(start.start + count));
        break;
      }
      case "item": {
        box = el = h("li", cont);
        const list = stack[stack.length - 1];
        if (list) list.count++;
        break;
      }
      case "para":
        box = el = h("p", cont);
        para = el;
        buf = "";
        if (!continued) prev = "";
        tentative = [];
        break;
      case "heading":
        box = el = h(`h${Math.min(6, Math.max(1, start.level))}` as "h1");
        break;
      case "code": {
        fence = from ? from.fence : `md${++fenceSeq}`;
        const block = codeBlock(start.lang, fence, continued);
        box = block.box;
        el = code = block.code;
        codeBuf = "";
        break;
      }
      case "table": {
        box = h("table", cont);
        count = start.header.length;
        if (!continued) {
          const head = h("thead");
          const tr = h("tr");
          start.header.forEach((cell, i) => {
            const th = h("th");
            setAlign(th, start.align[i]);
            appendInline(th, scanInline(cell, "", true).nodes);
            tr.appendChild(th);
          });
          head.appendChild(tr);
          box.appendChild(head);
        }
        el = h("tbody");
        box.appendChild(el);
        break;
      }
      case "hr":
        box = el = h("hr");
        break;
    }
    place(box);
    stack.push({ start, box, el, count, fence });
  }

  function closeFrame(): Frame {
    const f = stack.pop()!;
    if (f.start.kind === "para") {
      drawPara(true);
      para = null;
    } else if (f.start.kind === "code") {
      drawCode();
      code = null;
    } else if (f.start.kind === "heading") clearPreview(f.el);
    else if (f.start.kind === "table") previewRow = null;
    return f;
  }

  const parser = (options: MarkdownWriterOptions): BlockParser =>
    new BlockParser(
      {
        open(block) {
          openFrame(block, false);
        },
        close() {
          closeFrame();
        },
        text(s) {
          const f = stack[stack.length - 1];
          if (!f) return;
          if (f.start.kind === "para") buf += s;
          else if (f.start.kind === "code") codeBuf += s;
          else if (f.start.kind === "heading") {
            clearPreview(f.el);
            appendInline(f.el, scanInline(s, "", true).nodes);
          }
        },
        preview(s) {
          const f = stack[stack.length - 1];
          if (f?.start.kind !== "heading") return;
          clearPreview(f.el);
          appendInline(f.el, scanInline(s, "", true).nodes, preview);
        },
        row(cells, done) {
          const f = stack[stack.length - 1];
          if (f?.start.kind !== "table") return;
          const align = f.start.align;
          previewRow?.remove();
          previewRow = null;
          const tr = h("tr");
          for (let i = 0; i < f.count; i++) {
            const td = h("td");
            setAlign(td, align[i]);
            appendInline(td, scanInline(cells[i] ?? "", "", true).nodes);
            tr.appendChild(td);
          }
          f.el.appendChild(tr);
          if (!done) previewRow = tr;
        },
        split() {
          const chain: Frame[] = [];
          while (stack.length) chain.unshift(closeFrame());
          for (let i = 0; i < chain.length; i++) {
            const f = chain[i]!;
            // An ordered list continued mid-item numbers that item again (its marker is hidden by md-cont).
            const from = f.start.kind === "list" ? { ...f, count: f.count - (chain[i + 1] ? 1 : 0) } : f;
            openFrame(f.start, true, from);
          }
        },
        chars(n) {
          if (stack.length) grow += n;
          else uncredited += n;
        },
      },
      options,
    );
  let blocks = parser(options);

  function forget(): void {
    stack.length = 0;
    para = code = null;
    buf = prev = codeBuf = "";
    tentative = [];
    preview = [];
    previewRow = null;
    top = null;
    grow = uncredited = 0;
  }

  return {
    write(text: string): void {
      if (!text) return;
      blocks.write(text);
      drawPara(false);
      drawCode();
      flushGrow();
    },
    end(): void {
      blocks.end();
      grow += uncredited;
      uncredited = 0;
      flushGrow();
      forget();
    },
    reset(): void {
      blocks = parser(options);
      forget();
    },
  };
}
