/**
 * Inline markdown (inside a paragraph, heading or table cell) → a small tree. Pure (no DOM).
 *
 * Emphasis follows CommonMark's delimiter-run rules (flanking, `_` not inside words, the rule of 3), plus
 * `~~strike~~`, code spans, links, autolinks, bare http(s) URLs and ductor's `<file:/abs/path>` tags.
 * Everything else, raw HTML included, is text. Link targets go through `safeHref`: a disallowed target makes
 * the whole construct plain text.
 *
 * Streaming: every construct must close within `LOOKAHEAD` characters of where it opens (past that, its
 * opener is literal text). So how a piece of text parses never depends on text further than that away, and
 * `scanInline(src, prev, false)` can tell which leading part of `src` is final whatever follows: `stable`.
 * The caller renders that part for good and scans the rest again when more text arrives. Writing a text at
 * once or in any number of pieces gives the same result.
 */
import { safeHref } from "./url.js";

/** How far (in characters) a closer, a link's `)` or an autolink's `>` may be from where its construct opens. */
export const LOOKAHEAD = 2000;

export type InlineNode =
  | { k: "text"; s: string }
  | { k: "em" | "strong" | "del"; c: InlineNode[] }
  | { k: "code"; s: string }
  /** `href` has passed `safeHref`. */
  | { k: "link"; href: string; c: InlineNode[] }
  | { k: "file"; path: string }
  /** Never loaded: shown as its alt text, a link to the image when `href` is allowed. */
  | { k: "image"; alt: string; href: string | null };

export interface InlineScan {
  nodes: InlineNode[];
  /** `nodes` render `src[0, stable)`, and nothing written after `src` can change them. `src.length` when final. */
  stable: number;
}

/** An open delimiter run (`*`, `_`, `~~`) and what follows it so far. */
interface Frame {
  ch: string;
  /** Characters of the run not used by a closer yet. */
  n: number;
  /** Length of the whole run (for the rule of 3). */
  orig: number;
  both: boolean;
  pos: number;
  kids: InlineNode[];
}

const UNRESOLVED = 0;
type Unresolved = typeof UNRESOLVED;

const SPECIAL = /[\\`*_~[!<:]/g;
const ASCII_PUNCT = /[!-/:-@[-`{-~]/;
const PUNCT = /[\p{P}\p{S}]/u;
const SPACE = /\s/;
const isSpace = (c: string): boolean => c === "" || SPACE.test(c);
const isPunct = (c: string): boolean => c !== "" && PUNCT.test(c);
/** Where a bare URL may start: the start, whitespace, or one of `(*_~`. */
const urlBoundary = (c: string): boolean => isSpace(c) || c === "(" || c === "*" || c === "_" || c === "~";
/** A word at the end that may still grow into `http://` or `https://`. */
const URL_PREFIX_TAIL = /(h|ht|htt|https?|https?:|https?:\/)$/i;

function runLength(src: string, i: number, ch: string): number {
  let j = i;
  while (j < src.length && src[j] === ch) j++;
  return j - i;
}

/** The start of a run of exactly `n` backticks in [from, limit): -1 if none, UNRESOLVED-ish -2 if one may still grow. */
function backtickCloser(src: string, from: number, n: number, limit: number, final: boolean): number {
  let p = src.indexOf("`", from);
  while (p >= 0 && p < limit) {
    const q = p + runLength(src, p, "`");
    if (q === src.length && !final) return -2;
    if (q - p === n) return p;
    p = src.indexOf("`", q);
  }
  return -1;
}

function codeContent(raw: string): string {
  const s = raw.replace(/\r?\n/g, " ");
  return s.length >= 2 && s[0] === " " && s[s.length - 1] === " " && s.trim() !== "" ? s.slice(1, -1) : s;
}

const unescapeMd = (s: string): string => s.replace(/\\([!-/:-@[-`{-~])/g, "$1");

interface LinkMatch {
  /** End of the link text (the `]`). */
  textEnd: number;
  dest: string;
  /** After the `)`. */
  end: number;
}

/**
 * `[text](dest "title")` with `from` just after the `[`: null when it is not one, UNRESOLVED when the text
 * ends before that is known.
 */
function matchLink(src: string, from: number, final: boolean): LinkMatch | null | Unresolved {
  const len = src.length;
  const limit = from + LOOKAHEAD;
  /** Past the window: not a link. At the end of what arrived so far: not known yet. */
  const stop = (p: number): null | Unresolved | false => (p >= limit ? null : p >= len ? (final ? null : UNRESOLVED) : false);
  let depth = 1;
  let p = from;
  for (;;) {
    const s = stop(p);
    if (s !== false) return s;
    const c = src[p];
    if (c === "\\") {
      p += 2;
      continue;
    }
    if (c === "`") {
      const n = runLength(src, p, "`");
      if (p + n >= len && !final) return p + n >= limit ? null : UNRESOLVED;
      const close = backtickCloser(src, p + n, n, limit, final);
      if (close === -2) return UNRESOLVED;
      if (close >= 0) p = close + n;
      else if (!final && len < limit) return UNRESOLVED;
      else p += n;
      continue;
    }
    if (c === "[") depth++;
    else if (c === "]" && --depth === 0) break;
    p++;
  }
  const textEnd = p++;
  const skip = (q: number): number => {
    let newlines = 0;
    while (q < len && (src[q] === " " || src[q] === "\t" || (src[q] === "\n" && ++newlines === 1))) q++;
    return q;
  };
  let s = stop(p);
  if (s !== false) return s;
  if (src[p] !== "(") return null;
  p = skip(p + 1);
  s = stop(p);
  if (s !== false) return s;
  let dest: string;
  if (src[p] === "<") {
    const start = p + 1;
    for (p = start; ; p++) {
      s = stop(p);
      if (s !== false) return s;
      const c = src[p];
      if (c === "\\") p++;
      else if (c === ">") break;
      else if (c === "<" || c === "\n") return null;
    }
    dest = unescapeMd(src.slice(start, p));
    p++;
  } else {
    const start = p;
    let parens = 0;
    for (;;) {
      s = stop(p);
      if (s !== false) return s;
      const c = src.charCodeAt(p);
      if (c === 92 && p + 1 < len && ASCII_PUNCT.test(src[p + 1]!)) p += 2;
      else if (c <= 32 || c === 127) break;
      else if (c === 40) {
        parens++;
        p++;
      } else if (c === 41) {
        if (parens === 0) break;
        parens--;
        p++;
      } else p++;
    }
    dest = unescapeMd(src.slice(start, p));
  }
  const beforeTitle = p;
  p = skip(p);
  s = stop(p);
  if (s !== false) return s;
  const open = src[p];
  if (p > beforeTitle && (open === '"' || open === "'" || open === "(")) {
    const close = open === "(" ? ")" : open;
    for (p++; ; p++) {
      s = stop(p);
      if (s !== false) return s;
      if (src[p] === "\\") p++;
      else if (src[p] === close) break;
    }
    p = skip(p + 1);
    s = stop(p);
    if (s !== false) return s;
  }
  if (src[p] !== ")") return null;
  return { textEnd, dest, end: p + 1 };
}

type Angle = { end: number; file: string } | { end: number; href: string };

/** `<scheme:…>` with `from` just after the `<`: a file tag, an allowed autolink, or null (then it is text). */
function matchAngle(src: string, from: number, final: boolean): Angle | null | Unresolved {
  const len = src.length;
  const limit = from + LOOKAHEAD;
  let p = from;
  while (p < len && p - from <= 32 && /[A-Za-z0-9+.-]/.test(src[p]!)) p++;
  if (p >= len) return final || p - from > 32 ? null : UNRESOLVED;
  if (src[p] !== ":" || p - from < 2 || !/[A-Za-z]/.test(src[from]!)) return null;
  const file = src.slice(from, p).toLowerCase() === "file";
  const start = p + 1;
  for (p = start; ; p++) {
    if (p >= limit) return null;
    if (p >= len) return final ? null : UNRESOLVED;
    const c = src.charCodeAt(p);
    if (c === 62) break;
    // A file path may hold spaces; a URL may not. Neither holds a newline, a control character or `<`.
    if (c === 60 || c < 32 || c === 127 || (!file && c === 32)) return null;
  }
  if (file) return p > start ? { end: p + 1, file: src.slice(start, p) } : null;
  const href = safeHref(src.slice(from, p));
  return href === null ? null : { end: p + 1, href };
}

/** A bare URL's end: up to whitespace or `<`, without trailing punctuation or an unbalanced `)`. */
function bareUrlEnd(src: string, start: number, end: number): number {
  let e = end;
  for (;;) {
    const c = src[e - 1]!;
    if ("?!.,:*_~'\";".includes(c)) e--;
    else if (c === ")") {
      const url = src.slice(start, e);
      if ((url.match(/\(/g)?.length ?? 0) < (url.match(/\)/g)?.length ?? 0)) e--;
      else break;
    } else break;
  }
  return e;
}

/**
 * Parses `src` (the text after the character `prev`, "" at the start of a block). With `final`, `src` is
 * all there is; without, more may follow, and only `src[0, stable)` is returned (see the module comment).
 * `noLinks`: inside a link's text (no nested links; images show as text).
 */
export function scanInline(src: string, prev: string, final: boolean, noLinks = false): InlineScan {
  const len = src.length;
  const root: Frame = { ch: "", n: 0, orig: 0, both: false, pos: -1, kids: [] };
  const stack: Frame[] = [root];
  let textFrom = 0;
  let cut = len;
  const top = (): Frame => stack[stack.length - 1]!;
  const pushText = (s: string, into = top().kids): void => {
    if (!s) return;
    const last = into[into.length - 1];
    if (last?.k === "text") into[into.length - 1] = { k: "text", s: last.s + s };
    else into.push({ k: "text", s });
  };
  const pushAll = (nodes: InlineNode[]): void => {
    for (const node of nodes) node.k === "text" ? pushText(node.s) : top().kids.push(node);
  };
  const flush = (to: number): void => {
    if (to > textFrom) pushText(src.slice(textFrom, to));
    textFrom = Math.max(textFrom, to);
  };
  /** A finished construct over src[from, to). */
  const push = (node: InlineNode, from: number, to: number): void => {
    flush(from);
    top().kids.push(node);
    textFrom = to;
  };
  /** An open run that will never close: its characters are text. */
  const dissolve = (): void => {
    const f = stack.pop()!;
    pushText(f.ch.repeat(f.n));
    pushAll(f.kids);
  };
  const delimiter = (ch: string, n: number, pos: number, canOpen: boolean, canClose: boolean): void => {
    let left = n;
    const both = canOpen && canClose;
    while (canClose && left > 0) {
      let found = -1;
      for (let k = stack.length - 1; k >= 1; k--) {
        const f = stack[k]!;
        if (pos - f.pos > LOOKAHEAD) break;
        if (f.ch !== ch) continue;
        if (ch === "~" ? f.orig === 2 && n === 2 : !((f.both || both) && (f.orig + n) % 3 === 0 && (f.orig % 3 !== 0 || n % 3 !== 0))) {
          found = k;
          break;
        }
      }
      if (found < 0) break;
      while (stack.length - 1 > found) dissolve();
      const f = top();
      const use = ch === "~" ? 2 : left >= 2 && f.n >= 2 ? 2 : 1;
      const node: InlineNode = { k: ch === "~" ? "del" : use === 2 ? "strong" : "em", c: f.kids };
      f.n -= use;
      left -= use;
      if (f.n === 0) {
        stack.pop();
        top().kids.push(node);
      } else f.kids = [node];
    }
    if (left === 0) return;
    if (canOpen) stack.push({ ch, n: left, orig: n, both, pos: pos + n - left, kids: [] });
    else pushText(ch.repeat(left));
  };

  let i = 0;
  scan: while (i < len) {
    SPECIAL.lastIndex = i;
    const m = SPECIAL.exec(src);
    if (!m) break;
    i = m.index;
    const c = src[i]!;
    switch (c) {
      case "\\": {
        if (i + 1 >= len) {
          if (!final) {
            cut = i;
            break scan;
          }
          i++;
          break;
        }
        const d = src[i + 1]!;
        if (d === "\n" || ASCII_PUNCT.test(d)) {
          // The backslash goes; the character after it is text (a newline stays a newline: pre-wrap shows it).
          flush(i);
          textFrom = i + 1;
          i += 2;
        } else i++;
        break;
      }
      case "`": {
        const n = runLength(src, i, "`");
        if (i + n >= len && !final) {
          cut = i;
          break scan;
        }
        const limit = i + LOOKAHEAD;
        const close = backtickCloser(src, i + n, n, limit, final);
        if (close >= 0) {
          push({ k: "code", s: codeContent(src.slice(i + n, close)) }, i, close + n);
          i = close + n;
        } else if (close === -2 || (!final && len < limit)) {
          cut = i;
          break scan;
        } else i += n;
        break;
      }
      case "*":
      case "_":
      case "~": {
        const n = runLength(src, i, c);
        if (i + n >= len && !final) {
          cut = i;
          break scan;
        }
        flush(i);
        textFrom = i + n;
        const before = i > 0 ? src[i - 1]! : prev;
        const after = i + n < len ? src[i + n]! : "";
        const left = !isSpace(after) && (!isPunct(after) || isSpace(before) || isPunct(before));
        const right = !isSpace(before) && (!isPunct(before) || isSpace(after) || isPunct(after));
        if (c === "~" && n !== 2) pushText(c.repeat(n));
        else if (c === "_") delimiter(c, n, i, left && (!right || isPunct(before)), right && (!left || isPunct(after)));
        else delimiter(c, n, i, left, right);
        i += n;
        break;
      }
      case "!":
      case "[": {
        const image = c === "!";
        if (image && i + 1 >= len) {
          if (!final) {
            cut = i;
            break scan;
          }
          i++;
          break;
        }
        if ((image && src[i + 1] !== "[") || (!image && noLinks)) {
          i++;
          break;
        }
        const open = image ? i + 2 : i + 1;
        const r = matchLink(src, open, final);
        if (r === UNRESOLVED) {
          cut = i;
          break scan;
        }
        const href = r ? safeHref(r.dest) : null;
        if (r && href !== null) {
          if (image) push({ k: "image", alt: unescapeMd(src.slice(open, r.textEnd)), href: noLinks ? null : href }, i, r.end);
          else push({ k: "link", href, c: scanInline(src.slice(open, r.textEnd), "[", true, true).nodes }, i, r.end);
          i = r.end;
        } else i++;
        break;
      }
      case "<": {
        const r = matchAngle(src, i + 1, final);
        if (r === UNRESOLVED) {
          cut = i;
          break scan;
        }
        if (r && "file" in r) {
          push({ k: "file", path: r.file }, i, r.end);
          i = r.end;
        } else if (r && !noLinks) {
          push({ k: "link", href: r.href, c: [{ k: "text", s: src.slice(i + 1, r.end - 1) }] }, i, r.end);
          i = r.end;
        } else i++;
        break;
      }
      case ":": {
        // A bare URL: `http://` or `https://` after a boundary, up to whitespace.
        const start = src[i - 1] === "s" || src[i - 1] === "S" ? i - 5 : i - 4;
        if (noLinks || start < textFrom || !/^https?$/i.test(src.slice(start, i)) || !urlBoundary(start > 0 ? src[start - 1]! : prev)) {
          i++;
          break;
        }
        if (i + 3 > len) {
          if (!final && "//".startsWith(src.slice(i + 1))) {
            cut = start;
            break scan;
          }
          i++;
          break;
        }
        if (src[i + 1] !== "/" || src[i + 2] !== "/") {
          i++;
          break;
        }
        let e = i + 3;
        while (e < len && e - start < LOOKAHEAD && !isSpace(src[e]!) && src[e] !== "<") e++;
        if (e - start >= LOOKAHEAD) {
          i = e;
          break;
        }
        if (e >= len && !final) {
          cut = start;
          break scan;
        }
        e = bareUrlEnd(src, start, e);
        const href = e > i + 3 ? safeHref(src.slice(start, e)) : null;
        if (href === null) {
          i++;
          break;
        }
        push({ k: "link", href, c: [{ k: "text", s: src.slice(start, e) }] }, start, e);
        i = e;
        break;
      }
    }
  }

  if (!final && cut === len && !noLinks) {
    // Text ending in `htt…` may still become a URL.
    const m = URL_PREFIX_TAIL.exec(src.slice(Math.max(textFrom, len - 7)));
    if (m) {
      const start = len - m[0].length;
      if (start >= textFrom && urlBoundary(start > 0 ? src[start - 1]! : prev)) cut = start;
    }
  }
  flush(cut);

  if (final) {
    while (stack.length > 1) dissolve();
    return { nodes: root.kids, stable: len };
  }
  // Runs that a closer arriving later could still close: from the first of them on, nothing is final.
  let pending = 1;
  while (pending < stack.length && cut - stack[pending]!.pos > LOOKAHEAD) pending++;
  const open = stack.splice(pending);
  while (stack.length > 1) dissolve();
  return { nodes: root.kids, stable: open.length ? open[0]!.pos : cut };
}
