/**
 * The last line of a ductor's output, for its fleet card. The stream arrives in small text deltas that split lines
 * anywhere, so a short tail is kept and the last line with something in it is read from that. Bounded: a card
 * that streams for days holds at most TAIL_CHARS characters.
 */

/** Enough for a long last line and the newline before it. */
const TAIL_CHARS = 4_096;
/** What a card shows at most; CSS ellipsis takes care of the width. */
const LINE_CHARS = 300;

// C0 controls and DEL (terminal escapes' ESC among them): shown as nothing rather than as boxes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

export class LastLine {
  #tail = "";

  /** Adds streamed text (a `text_delta`'s data). */
  push(text: string): void {
    if (!text) return;
    const next = this.#tail + text;
    this.#tail = next.length > TAIL_CHARS ? next.slice(-TAIL_CHARS) : next;
  }

  /** The last line that is not blank, trimmed and cut to LINE_CHARS; "" before any text. */
  get line(): string {
    const lines = this.#tail.split("\n");
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = (lines[i] ?? "").replace(CONTROLS, "").trim();
      if (line) return line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS - 1)}…` : line;
    }
    return "";
  }
}
