/**
 * The same `MarkdownWriter` interface over the `streaming-markdown` package (smd), for comparison: smd's
 * parser with a renderer of our own, because its default renderer sets `href` and `src` verbatim
 * (`javascript:` links, images that load). Here links get an `href` only through `safeHref`, images are
 * their alt text, checkboxes and equations are text.
 *
 * What smd cannot do through its renderer interface: say which characters belong to which block (each
 * write is counted to the block open at its end), or continue a long block in a new one (a stream without
 * blank lines is one paragraph, which a scrollback can never drop).
 */
import * as smd from "streaming-markdown";
import { copyText } from "../text.js";
import { safeHref } from "./url.js";
import type { MarkdownSink, MarkdownWriter } from "./index.js";

const TAGS: Partial<Record<number, string>> = {
  [smd.BLOCKQUOTE]: "blockquote",
  [smd.PARAGRAPH]: "p",
  [smd.LINE_BREAK]: "br",
  [smd.RULE]: "hr",
  [smd.HEADING_1]: "h1",
  [smd.HEADING_2]: "h2",
  [smd.HEADING_3]: "h3",
  [smd.HEADING_4]: "h4",
  [smd.HEADING_5]: "h5",
  [smd.HEADING_6]: "h6",
  [smd.ITALIC_AST]: "em",
  [smd.ITALIC_UND]: "em",
  [smd.STRONG_AST]: "strong",
  [smd.STRONG_UND]: "strong",
  [smd.STRIKE]: "del",
  [smd.CODE_INLINE]: "code",
  [smd.LINK]: "a",
  [smd.RAW_URL]: "a",
  [smd.LIST_UNORDERED]: "ul",
  [smd.LIST_ORDERED]: "ol",
  [smd.LIST_ITEM]: "li",
  [smd.TABLE]: "table",
};

export function createSmdWriter<H>(sink: MarkdownSink<H>): MarkdownWriter {
  /** Open elements: content goes into the last. Index 0 stands for the output (top-level blocks go to the sink). */
  let nodes: HTMLElement[] = [];
  /** Per open element: the element that shows a code block's language, when it is one. */
  let langs: Array<HTMLElement | null> = [];
  let top: H | null = null;
  let uncredited = 0;

  function element(type: number): { box: HTMLElement; el: HTMLElement; lang: HTMLElement | null } {
    const parent = nodes[nodes.length - 1];
    if (type === smd.CODE_BLOCK || type === smd.CODE_FENCE) {
      const box = document.createElement("div");
      box.className = "md-code";
      const head = document.createElement("div");
      head.className = "md-code-head";
      const lang = document.createElement("span");
      lang.className = "md-lang";
      const copy = document.createElement("button");
      copy.type = "button";
      copy.className = "md-copy";
      copy.title = "Copy";
      copy.setAttribute("aria-label", "Copy code");
      head.append(lang, copy);
      const pre = document.createElement("pre");
      const code = document.createElement("code");
      pre.appendChild(code);
      box.append(head, pre);
      copy.addEventListener("click", () => void copyText(code.textContent ?? ""));
      return { box, el: code, lang };
    }
    if (type === smd.TABLE_ROW && parent) {
      // The first row is the header.
      let section = parent.lastElementChild as HTMLElement | null;
      if (!section) section = parent.appendChild(document.createElement("thead"));
      else if (section.tagName === "THEAD" && section.childElementCount > 0) section = parent.appendChild(document.createElement("tbody"));
      const tr = document.createElement("tr");
      section.appendChild(tr);
      return { box: tr, el: tr, lang: null };
    }
    if (type === smd.TABLE_CELL) {
      const cell = document.createElement(parent?.parentElement?.tagName === "THEAD" ? "th" : "td");
      return { box: cell, el: cell, lang: null };
    }
    if (type === smd.CHECKBOX) {
      const box = document.createElement("span");
      box.className = "md-check";
      box.textContent = "[ ] ";
      return { box, el: box, lang: null };
    }
    const tag = TAGS[type];
    // Images (shown as their alt text), equations, anything new: a span.
    const el = document.createElement(tag ?? "span");
    if (type === smd.IMAGE) el.className = "md-image";
    return { box: el, el, lang: null };
  }

  const renderer = {
    data: undefined,
    add_token(_data: undefined, type: number): void {
      if (type === smd.DOCUMENT) return;
      const { box, el, lang } = element(type);
      const parent = nodes[nodes.length - 1];
      if (parent) {
        if (type !== smd.TABLE_ROW) parent.appendChild(box);
      } else {
        top = sink.addBlock(box, uncredited);
        uncredited = 0;
      }
      nodes.push(el);
      langs.push(lang);
    },
    end_token(): void {
      nodes.pop();
      langs.pop();
    },
    add_text(_data: undefined, text: string): void {
      nodes[nodes.length - 1]?.appendChild(document.createTextNode(text));
    },
    set_attr(_data: undefined, type: number, value: string): void {
      const el = nodes[nodes.length - 1];
      if (!el) return;
      if (type === smd.HREF && el.tagName === "A") {
        const href = safeHref(value);
        if (href === null) return;
        el.setAttribute("href", href);
        el.setAttribute("rel", "noopener noreferrer nofollow");
        el.setAttribute("target", "_blank");
      } else if (type === smd.LANG) {
        const lang = langs[langs.length - 1];
        if (lang) lang.dataset["lang"] = value.slice(0, 40);
      } else if (type === smd.START && el.tagName === "OL" && /^\d{1,9}$/.test(value)) el.setAttribute("start", value);
      else if (type === smd.CHECKED && el.className === "md-check") el.textContent = "[x] ";
      // SRC (images) is dropped: an image is never loaded.
    },
  };
  let parser = smd.parser(renderer as unknown as smd.Any_Renderer);

  return {
    write(text: string): void {
      if (!text) return;
      smd.parser_write(parser, text);
      if (top !== null && nodes.length) sink.grow(top, text.length);
      else uncredited += text.length;
    },
    end(): void {
      smd.parser_end(parser);
      if (top !== null && uncredited) sink.grow(top, uncredited);
      parser = smd.parser(renderer as unknown as smd.Any_Renderer);
      nodes = [];
      langs = [];
      top = null;
      uncredited = 0;
    },
    reset(): void {
      parser = smd.parser(renderer as unknown as smd.Any_Renderer);
      nodes = [];
      langs = [];
      top = null;
      uncredited = 0;
    },
  };
}
