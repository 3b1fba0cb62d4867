/**
 * The activity line at the bottom of a terminal: one row, redrawn in place with `\r` + erase-line, cleared
 * before any output and drawn again after it. Pure string building; tail.ts writes the strings.
 */
import { SGR } from "./format.js";
import { sanitizeLine } from "./sanitize.js";

/** Back to column 0 and erase the row: what clears the activity line before anything else is printed. */
export const CLEAR_LINE = "\r\x1b[2K";

/** Columns a code point takes in a terminal, roughly: 0 for combining marks, 2 for wide East Asian and emoji. */
function charWidth(cp: number): number {
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || cp === 0xfe0f) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    cp >= 0x20000
  )
    return 2;
  return 1;
}

/** `text` cut to at most `columns` terminal columns (with `…` when cut). */
export function fitColumns(text: string, columns: number): string {
  let used = 0;
  let out = "";
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    const w = charWidth(ch.codePointAt(0) ?? 0);
    // Keep one column for the ellipsis unless this is the last character and it fits.
    if (used + w > columns || (used + w === columns && i < chars.length - 1)) return `${out}…`;
    used += w;
    out += ch;
  }
  return out;
}

/**
 * The activity line: the tracker's label, sanitised (it holds tool names and status labels from the stream),
 * dim, cut to the terminal's width less one column so it never wraps (a wrapped row could not be erased with one
 * erase-line). No newline: the cursor stays at its end until the next CLEAR_LINE.
 */
export function activityLine(label: string, columns: number | undefined, color: boolean): string {
  const text = fitColumns(`▸ ${sanitizeLine(label)}`, Math.max(10, (columns || 80) - 1));
  return color ? `${SGR.dim}${text}${SGR.reset}` : text;
}
