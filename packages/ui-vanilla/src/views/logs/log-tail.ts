/**
 * Following a growing log file (`tail -f`) over byte ranges, without DOM or sockets: which range to ask for
 * next, and what an answer means. The logs view does the I/O and the drawing.
 *
 * Each poll re-reads a few bytes the viewer already has (`FOLLOW_OVERLAP_BYTES` before the known end):
 * - the range is then satisfiable whenever the file is unchanged, so "nothing new" is a small 206, not a
 *   416 that browsers print as a red console error every poll;
 * - the re-read bytes must equal what the viewer shows. A file rotated (or rewritten) and grown past the old
 *   size between two polls has other bytes there, and is reloaded instead of appended to. Size alone cannot
 *   tell, and ductor's ETag (mtime and size) changes on every append too.
 */

export const FOLLOW_OVERLAP_BYTES = 256;

/** What a follow poll got back: a byte range of the file (as `logs.read` returns it). */
export interface FollowChunk {
  text: string;
  start: number;
  end: number;
  totalSize: number;
}

export type FollowStep =
  /** `text` goes after what is shown (it may be empty: nothing new); the next poll starts from `end`. */
  | { kind: "append"; text: string; end: number; totalSize: number }
  /** The file is not the one shown any more (rotated, truncated or rewritten): reload its tail. */
  | { kind: "rotated"; totalSize: number };

/** The byte range to ask for next, given where the shown text ends. `undefined`: the whole file. */
export function followRange(shownEnd: number): { start: number } | undefined {
  return shownEnd > 0 ? { start: Math.max(0, shownEnd - FOLLOW_OVERLAP_BYTES) } : undefined;
}

/** UTF-8 byte length of one UTF-16 code point starting at `code`. */
function utf8Length(code: number): number {
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code >= 0xd800 && code <= 0xdbff ? 4 : 3;
}

/**
 * The suffix of `shownTail` that spans the last `bytes` bytes, or null when it cannot be told exactly (too
 * little text kept, a character cut in two, or U+FFFD: a replaced bad byte, whose original length is lost).
 */
function suffixOfBytes(shownTail: string, bytes: number): string | null {
  let i = shownTail.length;
  let counted = 0;
  while (counted < bytes && i > 0) {
    let code = shownTail.charCodeAt(i - 1);
    let width = 1;
    if (code >= 0xdc00 && code <= 0xdfff && i > 1) {
      const high = shownTail.charCodeAt(i - 2);
      if (high >= 0xd800 && high <= 0xdbff) {
        code = high;
        width = 2;
      }
    }
    if (code === 0xfffd) return null;
    counted += utf8Length(code);
    i -= width;
  }
  return counted === bytes ? shownTail.slice(i) : null;
}

/**
 * What a follow poll's answer means. `shownTail`: the end of the text on screen (at least
 * `FOLLOW_OVERLAP_BYTES` characters of it when there are that many), `shownEnd`: the byte offset it ends at.
 */
export function followStep(shownTail: string, shownEnd: number, chunk: FollowChunk): FollowStep {
  if (chunk.totalSize < shownEnd || chunk.end < shownEnd) return { kind: "rotated", totalSize: chunk.totalSize };
  if (chunk.start >= shownEnd) {
    // A whole-file read (nothing was shown) or a server that ignored the overlap: take it from where we are.
    const text = chunk.start === shownEnd ? chunk.text : null;
    return text === null
      ? { kind: "rotated", totalSize: chunk.totalSize }
      : { kind: "append", text, end: chunk.end, totalSize: chunk.totalSize };
  }
  const overlap = suffixOfBytes(shownTail, shownEnd - chunk.start);
  if (overlap === null) {
    // The re-read bytes cannot be compared exactly: trust the size, which did not shrink.
    const skip = suffixOfBytes(chunk.text, chunk.end - shownEnd);
    return skip === null
      ? { kind: "rotated", totalSize: chunk.totalSize }
      : { kind: "append", text: skip, end: chunk.end, totalSize: chunk.totalSize };
  }
  if (!chunk.text.startsWith(overlap)) return { kind: "rotated", totalSize: chunk.totalSize };
  return { kind: "append", text: chunk.text.slice(overlap.length), end: chunk.end, totalSize: chunk.totalSize };
}

/** A 416 on a follow poll: the file is now shorter than the range asked for, so it was rotated or truncated. */
export function followRangeRefused(totalSize: number): FollowStep {
  return { kind: "rotated", totalSize };
}
