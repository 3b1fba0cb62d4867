/**
 * Agent text is hostile input for a terminal: a text chunk, a tool name or a status label can carry escape
 * sequences that clear the screen (`ESC[2J`), move the cursor to overwrite what was printed (`\r`, `ESC[A`),
 * write the clipboard (OSC 52), plant a link whose target differs from its text (OSC 8), retitle the window, or
 * ring the bell. Everything here is pure; the tail passes every string from the stream through it before it
 * reaches stdout, so the only escape sequences the tail ever writes are its own.
 *
 * The rules (sanitizeText):
 * 1. A complete CSI sequence (ESC `[` or the C1 CSI U+009B, parameters, intermediates, a final byte) is dropped.
 *    These are colours and cursor or erase commands: tool output is full of them (`ESC[31m`, `ESC[0K`) and they
 *    carry no text worth reading.
 * 2. `\r\n` becomes `\n`, and a lone `\r` becomes `\n`: a carriage return cannot return over printed text
 *    (a progress bar shows its steps one per line).
 * 3. Every other C0 control but `\t` and `\n`, DEL and every C1 control (U+0080–U+009F) is made visible: C0 as
 *    its Unicode control picture (ESC `␛`, BEL `␇`, BS `␈`, …), DEL as `␡`, C1 as the text `<9B>`. String
 *    sequences (OSC, DCS, APC, PM, SOS) are therefore printed inert with their payload in plain sight:
 *    `␛]52;c;…␇`, `␛]8;;javascript:…␛\`.
 * 4. Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which can make a terminal that
 *    renders bidi text show characters in another order than they are (Trojan Source), are shown as `<U+202E>`.
 * `\n` and `\t` are kept. Everything else (Unicode text, emoji, RTL letters, combining marks) is unchanged.
 */

/** A whole CSI sequence: ESC [ or U+009B, parameter bytes, intermediate bytes, one final byte. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CSI = /(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]/g;
/** What rule 3 and 4 make visible (\t and \n are not in it; \r is gone after rule 2). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
/** Cheap test for the common case: nothing to do. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const ANY_UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code); // ␀…␟ (␛ for ESC)
  if (code === 0x7f) return "\u2421"; // ␡
  const hex = code.toString(16).toUpperCase();
  return code <= 0x9f ? `<${hex}>` : `<U+${hex}>`;
}

/** Multi-line text (a text chunk): safe to write to a terminal, `\n` and `\t` kept. See the rules above. */
export function sanitizeText(text: string): string {
  if (!ANY_UNSAFE.test(text)) return text;
  return text.replace(CSI, "").replace(/\r\n?/g, "\n").replace(UNSAFE, visible);
}

/**
 * One line (a tool name, a status label, a server's error message): sanitizeText, and `\n`/`\t` shown as `␊`/`␉`
 * so it cannot start a line of its own, cut to `max` characters with `…`.
 */
export function sanitizeLine(text: string, max = 200): string {
  let line = sanitizeText(text).replace(/\n/g, "\u240a").replace(/\t/g, "\u2409");
  if (line.length > max) {
    let end = max - 1;
    if (/[\ud800-\udbff]/.test(line.charAt(end - 1))) end -= 1; // never half a surrogate pair
    line = `${line.slice(0, end)}…`;
  }
  return line;
}

/** What jsonLine escapes beyond JSON.stringify (which escapes C0 but writes DEL, C1 and U+2028/9 raw). */
const JSON_UNSAFE = /[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * One JSON line: `JSON.stringify`, with DEL, C1 controls, U+2028/U+2029 and bidi controls written as `\uXXXX`
 * escapes, so the line holds no raw control character even when a pipe ends in a terminal. `JSON.parse` of it
 * gives back exactly the value: nothing is lost, only spelled differently.
 */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}\n`;
}
