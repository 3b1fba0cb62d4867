/**
 * Markdown source as a person reads it, in one line of plain text: for places that show a line of the agent's
 * output where no markdown is drawn (a fleet card's last line, a search hit's snippet). Headings, quotes, bullets,
 * emphasis and inline code's backticks go; links read as their text, `<file:/p>` as the path; a table row reads as
 * its cells. Pure; the result is text for textContent, never markup.
 */

/** One markdown line as a person reads it, or "" when it has nothing to read (a rule, a table's separator). */
export function readLine(source: string): string {
  let line = source.replace(/\t/g, " ").trim();
  if (!line) return "";
  // Thematic breaks and setext underlines: ---, ***, ___, ===.
  if (/^([-*_=])(\s*\1){2,}$/.test(line) || /^=+$/.test(line)) return "";
  if (line.startsWith("|")) return readTableRow(line);
  line = line.replace(/^(>\s?)+/, "");
  line = line.replace(/^#{1,6}(\s+|$)/, "").replace(/\s+#+$/, "");
  line = line.replace(/^[-*+]\s+(\[[ xX]\]\s+)?/, "");
  return readInline(line).trim();
}

/** `| 300 | pkg-300-lorem | 1.11.0 |` → `300 · pkg-300-lorem · 1.11.0`; a separator row (`|---|:-:|`) is "". */
function readTableRow(line: string): string {
  const cells = line
    .replace(/^\|/, "")
    .replace(/(?<!\\)\|\s*$/, "")
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
  if (cells.every((cell) => /^:?-*:?$/.test(cell))) return "";
  return cells
    .map((cell) => readInline(cell.replace(/\\\|/g, "|")).trim())
    .filter((cell) => cell !== "")
    .join(" · ");
}

/**
 * Inline markdown as text: code spans keep what is in them (their backticks go), backslash escapes are the
 * character, links are their text, `<file:/p>` is `/p`, `<https://x>` is the address, and emphasis markers go.
 * Code spans and escapes are set aside first (as control characters, which never reach here) so nothing in them
 * is read as a marker.
 */
function readInline(text: string): string {
  const kept: string[] = [];
  const keep = (value: string): string => `\u0001${kept.push(value) - 1}\u0002`;
  let out = text
    .replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, (_m, _ticks: string, code: string) =>
      keep(code.length > 2 && code.startsWith(" ") && code.endsWith(" ") ? code.slice(1, -1) : code),
    )
    .replace(/\\([!-/:-@[-`{-~])/g, (_m, ch: string) => keep(ch));
  out = out
    .replace(/<file:([^>\s]+)>/g, (_m, path: string) => keep(path))
    .replace(/<((?:https?|mailto):[^>\s]+)>/g, (_m, url: string) => keep(url))
    .replace(/!?\[([^\]]*)\]\([^)\s]*(?:\s+"[^"]*")?\)/g, "$1")
    .replace(/!?\[([^\]]+)\]\[[^\]]*\]/g, "$1")
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, "$2")
    .replace(/~~(?=\S)(.+?)(?<=\S)~~/g, "$1")
    .replace(/(^|[^\p{L}\p{N}*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\p{L}\p{N}*])/gu, "$1$2")
    .replace(/(^|[^\p{L}\p{N}_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\p{L}\p{N}_])/gu, "$1$2")
    // An emphasis still open (its closing marker has not arrived yet) reads without its opener.
    .replace(/(^|\s)(\*\*|__|~~)(?=\S)/g, "$1");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the placeholders above are control characters
  return out.replace(/\u0001(\d+)\u0002/g, (_m, i: string) => kept[Number(i)] ?? "");
}

/** A search snippet (a window of text that may span lines and cut markup anywhere) as one line of plain text. */
export function plainSnippet(snippet: string): string {
  return (
    snippet
      // A link the snippet's window cut inside its address (`[docs](https://x.exa…`) reads as its text too.
      .replace(/\[([^\]]*)\]\([^)\s]*…$/, "$1…")
      .split("\n")
      .map(readLine)
      .filter((line) => line !== "")
      .join(" ")
  );
}
