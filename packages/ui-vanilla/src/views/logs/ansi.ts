/**
 * ANSI escape sequences in log text → styled text spans, without DOM. Only SGR (`ESC [ … m`: colours,
 * bold, dim, italic, underline, inverse, strike-through, reset) changes the style; every other escape
 * sequence (cursor moves, erase, OSC 8 hyperlinks and other OSC/DCS strings, charset selection) is dropped
 * with its parameters, and a broken one (cut off, or interrupted by a character that cannot belong to it)
 * is dropped up to that character. The text of the spans is the input with the escapes removed, nothing
 * else: no link, markup or colour value ever comes from the text itself.
 *
 * Colours are either a palette index 0–15 (the theme's 16 colours, so the page can keep them readable in
 * light and dark) or `#rrggbb` (256-colour indexes 16–255 and 24-bit colours), built here from validated
 * integers.
 */

/** 0–15: one of the theme's 16 ANSI colours. `#rrggbb`: an exact colour. */
type AnsiColor = number | string;

export interface AnsiStyle {
  readonly fg: AnsiColor | null;
  readonly bg: AnsiColor | null;
  readonly bold: boolean;
  readonly dim: boolean;
  readonly italic: boolean;
  readonly underline: boolean;
  readonly inverse: boolean;
  readonly strike: boolean;
}

/** A piece of text in one style; `style: null` is the default (no escape in effect). */
export interface AnsiSpan {
  readonly text: string;
  readonly style: AnsiStyle | null;
}

const ESC = "\x1b";
const PLAIN: AnsiStyle = { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false, inverse: false, strike: false };

type MutableStyle = { -readonly [K in keyof AnsiStyle]: AnsiStyle[K] };

/** `#rrggbb` of 0–255 components. */
function hex(r: number, g: number, b: number): string {
  return `#${((1 << 24) | (r << 16) | (g << 8) | b).toString(16).slice(1)}`;
}

const CUBE = [0, 95, 135, 175, 215, 255];

/** The xterm 256-colour palette: 0–15 stay theme colours, 16–231 the 6×6×6 cube, 232–255 the greys. */
function paletteColor(index: number): AnsiColor {
  if (index < 16) return index;
  if (index < 232) {
    const i = index - 16;
    return hex(CUBE[Math.floor(i / 36)]!, CUBE[Math.floor(i / 6) % 6]!, CUBE[i % 6]!);
  }
  const level = 8 + (index - 232) * 10;
  return hex(level, level, level);
}

/** A decimal SGR parameter; empty is 0 (`ESC[m` resets). NaN for anything else. */
function param(text: string | undefined): number {
  if (text === undefined || text === "") return 0;
  return /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
}

const byte = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 255;

/**
 * An extended colour (`38`/`48`/`58`) from its arguments (`5;n` or `2;r;g;b`, or the `:` forms with an
 * optional colour-space id `2::r:g:b`). `null`: not a valid colour (e.g. a component of 999), so none is set.
 */
function extendedColor(args: readonly string[], colon: boolean): AnsiColor | null {
  const mode = param(args[0]);
  if (mode === 5) {
    const n = args[1] === undefined ? Number.NaN : param(args[1]);
    return byte(n) ? paletteColor(n) : null;
  }
  if (mode === 2) {
    // `38:2:<colour space>:r:g:b` (ITU T.416) when the colon form has all six fields.
    const rgb = colon && args.length >= 5 ? args.slice(2, 5) : args.slice(1, 4);
    const [r, g, b] = rgb.map(param) as [number, number, number];
    return rgb.length === 3 && byte(r) && byte(g) && byte(b) ? hex(r, g, b) : null;
  }
  return null;
}

/**
 * How many `;`-separated arguments an extended colour takes after its code. An unknown mode has no known
 * length, so it takes the rest of the sequence (none of it can be read safely).
 */
function extendedArgCount(mode: string | undefined): number {
  const m = param(mode);
  return m === 5 ? 2 : m === 2 ? 4 : Number.POSITIVE_INFINITY;
}

function sameStyle(a: AnsiStyle | null, b: AnsiStyle | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return (
    a.fg === b.fg &&
    a.bg === b.bg &&
    a.bold === b.bold &&
    a.dim === b.dim &&
    a.italic === b.italic &&
    a.underline === b.underline &&
    a.inverse === b.inverse &&
    a.strike === b.strike
  );
}

/**
 * SGR sequences applied to the default style, by parameters: logs repeat a few (`ESC[32m`, `ESC[0m`), and the
 * same style object for the same colours lets neighbouring spans be joined by identity. Bounded.
 */
const fromPlain = new Map<string, AnsiStyle | null>();

/** The style after an SGR sequence with parameters `params` (digits, `;` and `:` only). */
function applySgr(style: AnsiStyle | null, params: string): AnsiStyle | null {
  if (params === "" || params === "0") return null;
  if (style !== null) return sgr(style, params);
  let next = fromPlain.get(params);
  if (next === undefined) {
    next = sgr(null, params);
    if (fromPlain.size >= 256) fromPlain.clear();
    fromPlain.set(params, next);
  }
  return next;
}

function sgr(style: AnsiStyle | null, params: string): AnsiStyle | null {
  const s: MutableStyle = { ...(style ?? PLAIN) };
  const parts = params.split(";");
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k]!;
    if (part.includes(":")) {
      // Sub-parameters: `38:5:n`, `38:2::r:g:b`, `4:3` (curly underline) and the like.
      const sub = part.split(":");
      const code = param(sub[0]);
      if (code === 38 || code === 48) {
        const color = extendedColor(sub.slice(1), true);
        if (color !== null) s[code === 38 ? "fg" : "bg"] = color;
      } else if (code === 4) s.underline = param(sub[1]) !== 0;
      continue;
    }
    const code = param(part);
    if (code === 38 || code === 48 || code === 58) {
      const n = extendedArgCount(parts[k + 1]);
      const args = parts.slice(k + 1, k + 1 + n);
      k += n;
      if (code === 58) continue; // underline colour: not shown
      const color = extendedColor(args, false);
      if (color !== null) s[code === 38 ? "fg" : "bg"] = color;
      continue;
    }
    if (code === 0) Object.assign(s, PLAIN);
    else if (code === 1) s.bold = true;
    else if (code === 2) s.dim = true;
    else if (code === 3) s.italic = true;
    else if (code === 4 || code === 21) s.underline = true;
    else if (code === 7) s.inverse = true;
    else if (code === 9) s.strike = true;
    else if (code === 22) s.bold = s.dim = false;
    else if (code === 23) s.italic = false;
    else if (code === 24) s.underline = false;
    else if (code === 27) s.inverse = false;
    else if (code === 29) s.strike = false;
    else if (code >= 30 && code <= 37) s.fg = code - 30;
    else if (code === 39) s.fg = null;
    else if (code >= 40 && code <= 47) s.bg = code - 40;
    else if (code === 49) s.bg = null;
    else if (code >= 90 && code <= 97) s.fg = code - 90 + 8;
    else if (code >= 100 && code <= 107) s.bg = code - 100 + 8;
    // Anything else (blink, conceal, fonts, overline, unknown or NaN) changes nothing.
  }
  return sameStyle(s, PLAIN) ? null : s;
}

const inRange = (c: number, lo: number, hi: number): boolean => c >= lo && c <= hi;

/**
 * The escape sequence starting at `text[at]` (an ESC): where it ends, and the SGR parameters when it is a
 * well-formed SGR sequence (`null` otherwise: the sequence is dropped without effect).
 */
function readEscape(text: string, at: number): { end: number; sgr: string | null } {
  const len = text.length;
  const kind = text.charCodeAt(at + 1);
  if (Number.isNaN(kind)) return { end: len, sgr: null }; // a lone ESC at the end
  if (kind === 0x5b) {
    // CSI: parameter bytes 0x30–0x3F, intermediate bytes 0x20–0x2F, one final byte 0x40–0x7E. As in the DEC
    // parser, a malformed one (parameters after intermediates, a `-`) is ignored whole, up to its final byte.
    let j = at + 2;
    while (j < len && inRange(text.charCodeAt(j), 0x20, 0x3f)) j++;
    const final = text.charCodeAt(j);
    if (!inRange(final, 0x40, 0x7e)) return { end: j, sgr: null }; // cut off: drop what was read, keep the rest
    const params = text.slice(at + 2, j);
    return { end: j + 1, sgr: final === 0x6d && /^[\d;:]*$/.test(params) ? params : null };
  }
  if (kind === 0x5d || kind === 0x50 || kind === 0x58 || kind === 0x5e || kind === 0x5f) {
    // OSC (hyperlinks, titles), DCS, SOS, PM, APC: a string ended by BEL or ST (ESC \ or U+009C). One left
    // open ends at the line break, which stays: a stray ESC ] must not swallow the rest of the log.
    for (let j = at + 2; j < len; j++) {
      const c = text.charCodeAt(j);
      if (c === 0x07 || c === 0x9c) return { end: j + 1, sgr: null };
      if (c === 0x1b) return { end: text.charCodeAt(j + 1) === 0x5c ? j + 2 : j, sgr: null };
      if (c === 0x0a) return { end: j, sgr: null };
    }
    return { end: len, sgr: null };
  }
  // Other escapes: ESC, intermediate bytes 0x20–0x2F, a final byte 0x30–0x7E (e.g. `ESC ( B`, `ESC 7`).
  let j = at + 1;
  while (j < len && inRange(text.charCodeAt(j), 0x20, 0x2f)) j++;
  return { end: inRange(text.charCodeAt(j), 0x30, 0x7e) ? j + 1 : j, sgr: null };
}

/**
 * Split `text` into styled spans, starting in `style` (the style in effect before it). Returns the spans
 * (no empty ones; neighbours always differ in style) and the style in effect after the text.
 */
export function parseAnsi(text: string, style: AnsiStyle | null = null): { spans: AnsiSpan[]; style: AnsiStyle | null } {
  const spans: AnsiSpan[] = [];
  let esc = text.indexOf(ESC);
  if (esc < 0) return { spans: text ? [{ text, style }] : [], style };
  let pending = "";
  let from = 0;
  while (esc >= 0) {
    pending += text.slice(from, esc);
    const { end, sgr } = readEscape(text, esc);
    if (sgr !== null) {
      const next = applySgr(style, sgr);
      if (!sameStyle(next, style)) {
        if (pending) spans.push({ text: pending, style });
        pending = "";
        style = next;
      }
    }
    from = end;
    esc = text.indexOf(ESC, from);
  }
  pending += text.slice(from);
  if (pending) spans.push({ text: pending, style });
  return { spans, style };
}

/** `text` without its escape sequences. */
export function stripAnsi(text: string): string {
  if (!text.includes(ESC)) return text;
  let out = "";
  let from = 0;
  for (let esc = text.indexOf(ESC); esc >= 0; esc = text.indexOf(ESC, from)) {
    out += text.slice(from, esc);
    from = readEscape(text, esc).end;
  }
  return out + text.slice(from);
}

/** How a style is shown: class names (theme colours, bold, …) and exact colours for `style.color` / `style.backgroundColor`. */
export interface AnsiCss {
  readonly className: string;
  readonly color: string | null;
  readonly background: string | null;
}

/**
 * The classes and exact colours for a style. Palette colours 0–15 become `ansi-fg-N` / `ansi-bg-N` (theme
 * variables); exact colours come back as `#rrggbb`. Inverse swaps the two; a default colour swapped in is
 * `ansi-inv-fg` (text in the background colour) or `ansi-inv-bg` (background in the text colour).
 */
export function ansiCss(style: AnsiStyle): AnsiCss {
  const classes: string[] = [];
  let color: string | null = null;
  let background: string | null = null;
  const fg = style.inverse ? style.bg : style.fg;
  const bg = style.inverse ? style.fg : style.bg;
  if (typeof fg === "number") classes.push(`ansi-fg-${fg}`);
  else if (fg !== null) color = fg;
  else if (style.inverse) classes.push("ansi-inv-fg");
  if (typeof bg === "number") classes.push(`ansi-bg-${bg}`);
  else if (bg !== null) background = bg;
  else if (style.inverse) classes.push("ansi-inv-bg");
  if (style.bold) classes.push("ansi-bold");
  if (style.dim) classes.push("ansi-dim");
  if (style.italic) classes.push("ansi-italic");
  if (style.underline) classes.push("ansi-underline");
  if (style.strike) classes.push("ansi-strike");
  return { className: classes.join(" "), color, background };
}
