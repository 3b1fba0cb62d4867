/**
 * The last line of a ductor's output, for its fleet card: the last line of prose as a person reads it, not the
 * agent's markdown source. Fence lines (```), code inside fences, blank lines, rules and table separators are
 * skipped; markdown markers are taken off (headings, quotes, bullets, emphasis, inline code's backticks, links →
 * their text, `<file:/path>` → the path); a table row reads as its cells ("300 · pkg-300 · 1.11.0").
 *
 * The stream arrives in small text deltas that split lines anywhere, and an agent's separate messages arrive
 * back to back with a tool call or a status between them: `boundary()` marks that, so the next message starts a
 * line of its own (as the stream view starts a fresh block) instead of being glued to the last sentence. Text is
 * never joined across a line break.
 *
 * Bounded and incremental: complete lines are read as they arrive (the fence state and the last prose line are
 * all that is kept of them), and the line still arriving keeps at most PARTIAL_CHARS characters. Pure.
 */

import { readLine } from "../render/plain-text.js";

/** Enough of a line still arriving for its markers and LINE_CHARS of text. */
const PARTIAL_CHARS = 4_096;
/** What a card shows at most; CSS ellipsis takes care of the width. */
const LINE_CHARS = 300;

// C0 controls and DEL (terminal escapes' ESC among them) but tab and newline: shown as nothing rather than as boxes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** An open code fence: its character and length (a closing fence has the same character, at least as many). */
interface Fence {
  char: "`" | "~";
  length: number;
}

const FENCE = /^(`{3,}|~{3,})(.*)$/;

export class LastLine {
  /** The line still arriving (no newline yet). */
  #partial = "";
  /** The partial line grew past PARTIAL_CHARS: the rest of it is dropped. */
  #cut = false;
  #fence: Fence | null = null;
  /** The last complete line of prose, as shown. */
  #prose = "";
  /** `line` until the next push or boundary: a card reads it on every repaint (each second), and a long line costs. */
  #line: string | null = null;

  /** Adds streamed text (a `text_delta`'s data). */
  push(text: string): void {
    if (!text) return;
    this.#line = null;
    const parts = text.replace(CONTROLS, "").split("\n");
    for (let i = 0; i < parts.length; i++) {
      if (i > 0) this.#endLine();
      this.#append(parts[i] ?? "");
    }
  }

  /**
   * Something other than text came between two pieces of text (a tool call, a status, a lost link): what follows
   * is another message, on a line of its own, and a fence left open by the last one is closed.
   */
  boundary(): void {
    this.#line = null;
    if (this.#partial || this.#cut) this.#endLine();
    this.#fence = null;
  }

  /** The last line of prose, cut to LINE_CHARS; "" before any. */
  get line(): string {
    if (this.#line === null) {
      const partial = this.#fence === null ? readPartial(this.#partial) : "";
      this.#line = clip(partial || this.#prose);
    }
    return this.#line;
  }

  #append(text: string): void {
    if (this.#cut || !text) return;
    const room = PARTIAL_CHARS - this.#partial.length;
    if (text.length > room) {
      this.#partial += text.slice(0, room);
      this.#cut = true;
    } else this.#partial += text;
  }

  #endLine(): void {
    const raw = this.#partial;
    this.#partial = "";
    this.#cut = false;
    const trimmed = raw.trim();
    const fence = FENCE.exec(trimmed);
    if (this.#fence) {
      // Inside a fence only its closing line counts: code is not prose.
      if (fence && fence[1]![0] === this.#fence.char && fence[1]!.length >= this.#fence.length && !fence[2]!.trim()) this.#fence = null;
      return;
    }
    if (fence && !(fence[1]![0] === "`" && fence[2]!.includes("`"))) {
      this.#fence = { char: fence[1]![0] as "`" | "~", length: fence[1]!.length };
      return;
    }
    const line = readLine(trimmed);
    if (line) this.#prose = line;
  }
}

/** The line still arriving, once it can be read: not the start of a fence (a few backticks or tildes so far). */
function readPartial(partial: string): string {
  const trimmed = partial.trim();
  if (/^(`{3,}|~{3,})/.test(trimmed) || /^(`+|~+)$/.test(trimmed)) return "";
  return readLine(trimmed);
}

function clip(line: string): string {
  return line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS - 1)}…` : line;
}
