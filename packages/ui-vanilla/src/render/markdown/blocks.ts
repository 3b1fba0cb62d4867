/**
 * Block structure of streamed markdown, line by line. Pure (no DOM): it reports what opens, closes and
 * receives text through `BlockEvents`, and the DOM writer follows.
 *
 * CommonMark's container algorithm, trimmed to what agents write: block quotes, bullet and ordered lists
 * (nested by indentation, lazy continuation lines), paragraphs, ATX headings, fenced code, thematic breaks
 * and GFM tables (a `|` line followed by a delimiter row). Not supported, shown as paragraph text instead:
 * setext headings (`---` under a line is a thematic break), indented code blocks, HTML blocks, link
 * reference definitions.
 *
 * Streaming: a line that has not ended yet is acted on as soon as its block structure can no longer change
 * (`- item` once a character after the marker shows it is not `- - -`; paragraph text at its first
 * character); until then it is held. Only then is its text passed on, and paragraph and code text is
 * passed on as it arrives. A `|` line is held until the next line shows whether it heads a table. Nothing
 * already reported is ever taken back, so writing a text at once or in pieces gives the same events (up to
 * how text is cut into `text` calls, and `preview` and unfinished `row` calls in between).
 *
 * Size: once the top-level block being written counts `maxBlockChars` characters, the next line that goes
 * into it starts a continuation instead (`split`): the writer closes its elements and opens the same ones
 * again, so the scrollback can drop the first part. A single line longer than four times that is cut too.
 */

export type Align = "" | "left" | "center" | "right";

export type BlockStart =
  | { kind: "quote" }
  | { kind: "list"; ordered: boolean; start: number }
  | { kind: "item" }
  | { kind: "para" }
  | { kind: "heading"; level: number }
  | { kind: "code"; lang: string }
  | { kind: "table"; header: string[]; align: Align[] }
  | { kind: "hr" };

export interface BlockEvents {
  /** A block opens inside the innermost open one (at the top level when none is open). */
  open(block: BlockStart): void;
  /** The innermost open block is finished. */
  close(): void;
  /** Paragraph: more markdown (inline markup still to parse), in order. Code: literal text. Heading: its whole text. */
  text(s: string): void;
  /** Heading: its text so far, while its line has not ended (each call replaces the last). */
  preview(s: string): void;
  /** Table: a body row. Unfinished (`done` false) rows are replaced by the next call. */
  row(cells: string[], done: boolean): void;
  /** Close every open block and open the same ones again as a continuation (see the module comment). */
  split(): void;
  /** `n` more characters of markdown are accounted for, by the innermost open block (or the next one to open). */
  chars(n: number): void;
}

export interface BlockParserOptions {
  /** Characters after which a top-level block continues in a new one. Default 8192. */
  maxBlockChars?: number;
}

/** Containers deeper than this (quotes, lists and their items) are not opened: their markers stay text. */
const MAX_DEPTH = 16;
/** A heading's text shown while its line is still arriving is cut here (the whole line shows once it ends). */
const PREVIEW_CHARS = 4096;
/** A paragraph or code line still arriving forgets what it passed on, past this many characters. */
const KEEP_LINE_CHARS = 65_536;

type Container = { kind: "quote" } | { kind: "list"; ordered: boolean; marker: string } | { kind: "item"; indent: number };

type Leaf =
  | { kind: "para" }
  | { kind: "code"; ch: string; len: number; indent: number }
  | { kind: "table"; cols: number }
  /** Open only during their own line. */
  | { kind: "heading" | "hr" };

type Opening =
  | { kind: "quote" }
  | { kind: "list"; ordered: boolean; marker: string; start: number; indent: number }
  | { kind: "item"; indent: number };

type LeafPlan =
  | { t: "blank" }
  | { t: "text"; at: number }
  | { t: "heading"; level: number; at: number }
  | { t: "hr" }
  | { t: "fence"; ch: string; len: number; indent: number; info: string }
  | { t: "code"; at: number }
  | { t: "fenceEnd" }
  | { t: "header"; at: number }
  | { t: "row"; at: number }
  | { t: "delimiter"; align: Align[] }
  | { t: "notTable" };

interface Plan {
  /** Open containers that stay open (the first `keep`). */
  keep: number;
  opens: Opening[];
  leaf: LeafPlan;
  /** Paragraph text continuing a paragraph whose containers did not all match. */
  lazy: boolean;
}

/** How the rest of the current line is passed on, once its structure is known. */
type Mode = "para" | "code" | "heading" | "row" | "held" | "hr" | "fenceEnd" | "none";

/** Columns and end of the spaces and tabs at `pos` (a tab counts 4). */
function lead(line: string, pos: number): { cols: number; end: number } {
  let cols = 0;
  let end = pos;
  for (; end < line.length; end++) {
    const c = line[end];
    if (c === " ") cols++;
    else if (c === "\t") cols += 4;
    else break;
  }
  return { cols, end };
}

/** Position after skipping up to `cols` columns of spaces and tabs. */
function skipCols(line: string, pos: number, cols: number): number {
  let p = pos;
  for (let c = 0; c < cols && p < line.length; p++) {
    if (line[p] === " ") c++;
    else if (line[p] === "\t") c += 4;
    else break;
  }
  return p;
}

const isBlankFrom = (line: string, pos: number): boolean => lead(line, pos).end === line.length;

function runOf(line: string, pos: number, ch: string): number {
  let p = pos;
  while (p < line.length && line[p] === ch) p++;
  return p - pos;
}

/** `---`, `***`, `___` (spaces allowed between): true, false, or null while the line could still be one. */
function thematicBreak(line: string, j: number, complete: boolean): boolean | null {
  const ch = line[j];
  let count = 0;
  for (let p = j; p < line.length; p++) {
    const c = line[p];
    if (c === ch) count++;
    else if (c !== " " && c !== "\t") return false;
  }
  return complete ? count >= 3 : null;
}

interface Marker {
  ordered: boolean;
  marker: string;
  start: number;
  /** Marker and the spaces after it, up to where the item's text starts. */
  width: number;
  empty: boolean;
}

/** A list item marker at `j`: the marker, false, or null while the line could still be one. */
function listMarker(line: string, j: number, complete: boolean): Marker | false | null {
  const len = line.length;
  const c = line[j]!;
  let p = j;
  let ordered = false;
  let start = 0;
  let marker = c;
  if (c === "-" || c === "+" || c === "*") p++;
  else if (c >= "0" && c <= "9") {
    while (p < len && p - j <= 9 && line[p]! >= "0" && line[p]! <= "9") p++;
    if (p - j > 9) return false;
    if (p === len) return complete ? false : null;
    marker = line[p]!;
    if (marker !== "." && marker !== ")") return false;
    ordered = true;
    start = Number(line.slice(j, p));
    p++;
  } else return false;
  const empty = { ordered, marker, start, width: p - j + 1, empty: true };
  if (p === len) return complete ? empty : null;
  if (line[p] !== " " && line[p] !== "\t") return false;
  const text = lead(line, p);
  if (text.end === len) return complete ? empty : null;
  return { ordered, marker, start, width: text.cols <= 4 ? text.end - j : p - j + 1, empty: false };
}

/** `# Heading`: level and where its text starts, false, or null while the line could still be one. */
function atxHeading(line: string, j: number, complete: boolean): { level: number; at: number } | false | null {
  const level = runOf(line, j, "#");
  if (level > 6) return false;
  const p = j + level;
  if (p === line.length) return complete ? { level, at: p } : null;
  return line[p] === " " || line[p] === "\t" ? { level, at: p + 1 } : false;
}

/** The text of a finished heading line: without the optional closing `#`s and surrounding spaces. */
function headingText(s: string): string {
  const t = s.trim();
  if (/^#+$/.test(t)) return "";
  return t.replace(/[ \t]+#+$/, "").trim();
}

/** Cells of a table row: split on `|` not escaped, outer pipes dropped, `\|` unescaped. */
function splitCells(row: string): string[] {
  let s = row.trim();
  if (s.startsWith("|")) s = s.slice(1);
  if (s.endsWith("|") && !s.endsWith("\\|")) s = s.slice(0, -1);
  const cells: string[] = [];
  let cell = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\\" && s[i + 1] === "|") {
      cell += "|";
      i++;
    } else if (c === "|") {
      cells.push(cell.trim());
      cell = "";
    } else cell += c;
  }
  cells.push(cell.trim());
  return cells;
}

/** `| --- | :-: | --: |`: the columns' alignment, or null when the line is not a delimiter row. */
function delimiterRow(s: string): Align[] | null {
  if (!s.includes("-")) return null;
  const align: Align[] = [];
  for (const cell of splitCells(s)) {
    const m = /^(:?)-+(:?)$/.exec(cell);
    if (!m) return null;
    align.push(m[1] && m[2] ? "center" : m[2] ? "right" : m[1] ? "left" : "");
  }
  return align;
}

export class BlockParser {
  private readonly max: number;
  private open: Container[] = [];
  private leaf: Leaf | null = null;
  /** A `|` line waiting for the next line to tell whether it heads a table. */
  private held: { text: string; chars: number } | null = null;
  /** Characters accounted for since the current top-level block (or its last continuation) opened. */
  private partChars = 0;
  // The current line: its text so far, whether its structure is decided, what of it was passed on.
  private line = "";
  private mode: Mode | null = null;
  private at = 0;
  private emitted = 0;
  private credited = 0;

  constructor(
    private readonly ev: BlockEvents,
    options: BlockParserOptions = {},
  ) {
    this.max = Math.max(64, options.maxBlockChars ?? 8192);
  }

  write(text: string): void {
    let i = 0;
    while (i <= text.length) {
      const nl = text.indexOf("\n", i);
      if (nl < 0) {
        if (i < text.length) {
          this.line += text.slice(i);
          this.step(false, false);
        }
        return;
      }
      this.line += text.slice(i, nl);
      this.step(true, true);
      i = nl + 1;
    }
  }

  /** The text is complete: finish the last line and close everything. The parser is then ready for a new text. */
  end(): void {
    if (this.line.length > 0 || this.mode !== null) this.step(true, false);
    if (this.held) this.flushHeld();
    this.closeLeaf();
    while (this.open.length) this.closeContainer();
    this.partChars = 0;
  }

  private step(complete: boolean, newline: boolean): void {
    const line = this.line;
    while (this.mode === null) {
      const plan = this.analyze(line, complete);
      if (!plan) return; // not decided yet: wait for more of the line
      if (plan.leaf.t === "notTable") this.flushHeld();
      else this.apply(plan, line);
    }
    this.emit(line, complete);
    if (!complete) {
      if (this.mode !== "held") this.credit(line.length - this.credited);
      if ((this.mode === "para" || this.mode === "code") && this.emitted > KEEP_LINE_CHARS) {
        // All of it was passed on and accounted for: keep indices, not the text (a line may be megabytes long).
        this.line = "";
        this.at = Math.max(0, this.at - this.emitted);
        this.credited -= this.emitted;
        this.emitted = 0;
      }
      return;
    }
    const mode = this.mode;
    if (mode === "held") this.held!.chars = line.length + (newline ? 1 : 0);
    else {
      if (mode === "code" && newline) this.ev.text("\n");
      this.credit(line.length + (newline ? 1 : 0) - this.credited);
      if (mode === "heading" || mode === "hr" || mode === "fenceEnd") this.closeLeaf();
    }
    this.line = "";
    this.mode = null;
    this.at = this.emitted = this.credited = 0;
  }

  /** Account for `n` characters: of the current line, or (`ofLine` false) of the held line before it. */
  private credit(n: number, ofLine = true): void {
    if (n <= 0) return;
    if (ofLine) this.credited += n;
    this.partChars += n;
    this.ev.chars(n);
  }

  /** Pass on the current line's text from where it was left, by mode. */
  private emit(line: string, complete: boolean): void {
    const mode = this.mode;
    if (mode === "para" || mode === "code") {
      let from = Math.max(this.emitted, this.at);
      // A very long line: cut it where the block reaches four times the limit.
      for (;;) {
        // Where this part reaches four times the limit (not between the halves of a surrogate pair).
        let cutAt = Math.max(from, 4 * this.max - this.partChars + this.credited);
        if (cutAt >= line.length) break;
        const c = line.charCodeAt(cutAt - 1);
        if (c >= 0xd800 && c <= 0xdbff) cutAt++;
        if (cutAt > from) this.ev.text(line.slice(from, cutAt));
        this.credit(cutAt - this.credited);
        this.split();
        from = cutAt;
      }
      if (from < line.length) this.ev.text(line.slice(from));
      this.emitted = line.length;
    } else if (mode === "heading") {
      const text = line.slice(this.at);
      if (complete) this.ev.text(headingText(text));
      else this.ev.preview(text.slice(0, PREVIEW_CHARS));
    } else if (mode === "row") {
      const cells = splitCells(line.slice(this.at));
      if (complete || line.length - this.at <= PREVIEW_CHARS) this.ev.row(cells, complete);
    }
  }

  private split(): void {
    this.ev.split();
    this.partChars = 0;
  }

  private analyze(line: string, complete: boolean): Plan | null {
    const open = this.open;
    const n = open.length;
    let pos = 0;
    let k = 0;
    // 1. Which open containers this line continues.
    while (k < n) {
      const c = open[k]!;
      const { cols, end } = lead(line, pos);
      if (c.kind === "quote") {
        if (cols <= 3 && line[end] === ">") {
          pos = end + 1;
          if (line[pos] === " " || line[pos] === "\t") pos++;
          k++;
          continue;
        }
        if (!complete && end === line.length && cols <= 3) return null;
        break;
      }
      // A list: its open item (always next on the stack) continues on a blank line or an indented one.
      const item = open[k + 1] as { kind: "item"; indent: number };
      if (end === line.length) {
        if (!complete) return null;
        k += 2;
        continue;
      }
      if (cols >= item.indent) {
        pos = skipCols(line, pos, item.indent);
        k += 2;
        continue;
      }
      break;
    }
    const all = k === n;
    const leaf = this.leaf;

    // 2. Inside fenced code: a line of code, or the closing fence.
    if (all && leaf?.kind === "code") {
      const { cols, end } = lead(line, pos);
      if (cols <= 3) {
        if (end === line.length && !complete) return null;
        const run = runOf(line, end, leaf.ch);
        if (run >= leaf.len && isBlankFrom(line, end + run))
          return complete ? { keep: n, opens: [], leaf: { t: "fenceEnd" }, lazy: false } : null;
        if (!complete && end + run === line.length) return null;
      }
      return { keep: n, opens: [], leaf: { t: "code", at: skipCols(line, pos, leaf.indent) }, lazy: false };
    }

    // 3. After a `|` line: is this its delimiter row?
    if (this.held) {
      if (all) {
        const rest = line.slice(pos);
        if (!complete && /^[ \t|:-]*$/.test(rest)) return null;
        const align = complete ? delimiterRow(rest) : null;
        if (align && align.length === splitCells(this.held.text).length)
          return { keep: n, opens: [], leaf: { t: "delimiter", align }, lazy: false };
      }
      return { keep: n, opens: [], leaf: { t: "notTable" }, lazy: false };
    }

    // 4. New blocks, from the outside in.
    const opens: Opening[] = [];
    let depth = k;
    let keep = k;
    const unmatchedList = !all && open[k]?.kind === "list" ? (open[k] as { ordered: boolean; marker: string }) : null;
    const paraOpen = leaf?.kind === "para";
    const finish = (lp: LeafPlan): Plan => {
      const lazy = lp.t === "text" && !all && opens.length === 0 && paraOpen;
      return { keep: lazy ? n : keep, opens, leaf: lp, lazy };
    };
    for (;;) {
      const { cols, end: j } = lead(line, pos);
      if (j === line.length) return complete ? finish({ t: "blank" }) : null;
      if (cols >= 4) return finish({ t: "text", at: j });
      const ch = line[j]!;
      if (ch === ">" && depth < MAX_DEPTH) {
        opens.push({ kind: "quote" });
        depth++;
        pos = j + 1;
        if (line[pos] === " " || line[pos] === "\t") pos++;
        continue;
      }
      if (ch === "-" || ch === "*" || ch === "_") {
        const hr = thematicBreak(line, j, complete);
        if (hr === null) return null;
        if (hr) return finish({ t: "hr" });
      }
      const m = listMarker(line, j, complete);
      if (m === null) return null;
      if (m && depth + 2 <= MAX_DEPTH) {
        const sibling =
          opens.length === 0 && unmatchedList !== null && unmatchedList.ordered === m.ordered && unmatchedList.marker === m.marker;
        // A new list may interrupt a paragraph only with a non-empty item (numbered from 1).
        const interrupts = paraOpen && opens.length === 0 && !sibling;
        if (!(interrupts && (m.empty || (m.ordered && m.start !== 1)))) {
          const indent = lead(line, pos).cols + m.width;
          if (sibling) {
            keep = k + 1;
            opens.push({ kind: "item", indent });
          } else opens.push({ kind: "list", ordered: m.ordered, marker: m.marker, start: m.start, indent });
          depth += 2;
          pos = Math.min(line.length, j + m.width);
          continue;
        }
      }
      if (ch === "#") {
        const h = atxHeading(line, j, complete);
        if (h === null) return null;
        if (h) return finish({ t: "heading", level: h.level, at: h.at });
      }
      if (ch === "`" || ch === "~") {
        const run = runOf(line, j, ch);
        if (run >= 3) {
          if (!complete) return null;
          const info = line.slice(j + run).trim();
          if (!(ch === "`" && info.includes("`"))) return finish({ t: "fence", ch, len: run, indent: cols, info });
        } else if (!complete && j + run === line.length) return null;
      }
      if (ch === "|") {
        if (all && opens.length === 0 && leaf?.kind === "table") return finish({ t: "row", at: j });
        // Lazy paragraph text stays text; otherwise wait for the next line.
        if (!(paraOpen && opens.length === 0 && !all)) return complete ? finish({ t: "header", at: j }) : null;
      }
      return finish({ t: "text", at: j });
    }
  }

  private apply(plan: Plan, line: string): void {
    const lp = plan.leaf;
    const leaf = this.leaf;
    const sameLevel = plan.opens.length === 0 && (plan.lazy || plan.keep === this.open.length);
    const continues =
      (lp.t === "text" && leaf?.kind === "para" && sameLevel) ||
      lp.t === "code" ||
      lp.t === "row" ||
      lp.t === "fenceEnd" ||
      lp.t === "delimiter" ||
      (lp.t === "header" && leaf?.kind === "para" && sameLevel);
    if (!continues) this.closeLeaf();
    while (this.open.length > plan.keep) this.closeContainer();
    // The line goes into the top-level block open now: past the limit, into a continuation of it.
    const adds = lp.t !== "blank" && lp.t !== "fenceEnd" && lp.t !== "header" && lp.t !== "delimiter";
    if (adds && this.partChars >= this.max && (this.open.length > 0 || (continues && this.leaf))) this.split();
    for (const o of plan.opens) {
      if (o.kind === "quote") {
        this.openBlock({ kind: "quote" });
        this.open.push({ kind: "quote" });
        continue;
      }
      if (o.kind === "list") {
        this.openBlock({ kind: "list", ordered: o.ordered, start: o.start });
        this.open.push({ kind: "list", ordered: o.ordered, marker: o.marker });
      }
      this.openBlock({ kind: "item" });
      this.open.push({ kind: "item", indent: o.indent });
    }
    this.mode = "none";
    switch (lp.t) {
      case "blank":
        break;
      case "text":
        if (continues) this.ev.text("\n");
        else this.openLeaf({ kind: "para" }, { kind: "para" });
        this.mode = "para";
        this.at = lp.at;
        break;
      case "heading":
        this.openLeaf({ kind: "heading", level: lp.level }, { kind: "heading" });
        this.mode = "heading";
        this.at = lp.at;
        break;
      case "hr":
        this.openLeaf({ kind: "hr" }, { kind: "hr" });
        this.mode = "hr";
        break;
      case "fence":
        this.openLeaf(
          { kind: "code", lang: lp.info.split(/\s/)[0]!.slice(0, 40) },
          { kind: "code", ch: lp.ch, len: lp.len, indent: lp.indent },
        );
        break;
      case "code":
        this.mode = "code";
        this.at = lp.at;
        break;
      case "fenceEnd":
        this.mode = "fenceEnd";
        break;
      case "header":
        this.held = { text: line.slice(lp.at), chars: 0 };
        this.mode = "held";
        break;
      case "delimiter": {
        const held = this.held!;
        this.held = null;
        this.closeLeaf();
        const header = splitCells(held.text);
        this.openLeaf({ kind: "table", header, align: lp.align }, { kind: "table", cols: header.length });
        this.credit(held.chars, false);
        break;
      }
      case "row":
        this.mode = "row";
        this.at = lp.at;
        break;
    }
  }

  /** The held `|` line was not a table header: it is paragraph text after all. */
  private flushHeld(): void {
    const held = this.held!;
    this.held = null;
    if (this.leaf?.kind === "para") this.ev.text("\n");
    else {
      this.closeLeaf();
      this.openLeaf({ kind: "para" }, { kind: "para" });
    }
    this.ev.text(held.text);
    this.credit(held.chars, false);
  }

  private openBlock(block: BlockStart): void {
    if (this.open.length === 0 && !this.leaf) this.partChars = 0;
    this.ev.open(block);
  }

  private openLeaf(block: BlockStart, leaf: Leaf): void {
    this.openBlock(block);
    this.leaf = leaf;
  }

  private closeLeaf(): void {
    if (!this.leaf) return;
    this.leaf = null;
    this.ev.close();
  }

  private closeContainer(): void {
    this.closeLeaf();
    this.open.pop();
    this.ev.close();
  }
}
