/**
 * Where streamed text is cut into chunk blocks. Pure (no DOM).
 *
 * Text lives in blocks of about `chunkChars` characters so no text node grows large and the browser lays
 * out one small block per frame. A chunk is cut after a newline where one is near, so lines stay whole:
 * the text that fits is cut at the last newline before the limit; with none, a chunk may run on to the next
 * newline up to twice the limit, and only then is a line cut mid-way.
 */

/**
 * How many characters of `text` go into the current chunk, which already holds `filled` characters, and
 * whether that chunk is then full (the next characters start a new one).
 */
export function nextCut(text: string, filled: number, chunkChars: number): { take: number; closes: boolean } {
  const room = chunkChars - filled;
  if (text.length <= room) return { take: text.length, closes: filled + text.length >= chunkChars };
  const newlineInRoom = room > 0 ? text.lastIndexOf("\n", room - 1) : -1;
  if (newlineInRoom >= 0) return { take: newlineInRoom + 1, closes: true };
  const allowance = Math.max(1, 2 * chunkChars - filled);
  const nextNewline = text.indexOf("\n", Math.max(0, room));
  const take = nextNewline >= 0 && nextNewline < allowance ? nextNewline + 1 : Math.min(text.length, allowance);
  return { take, closes: true };
}
