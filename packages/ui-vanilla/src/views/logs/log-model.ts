/**
 * The loaded part of one log file as parsed runs, without DOM: the file's tail, earlier bytes put before it,
 * appended bytes put after it, old pieces dropped from the top. Each change says which runs went and which
 * came, so the viewer only touches those elements.
 *
 * Pieces keep their exact bytes (`start`/`end`, for the next Range request and the follow overlap check).
 * Where a piece boundary cuts through an entry, the text is stitched so the entry is parsed whole:
 * - bytes put before the shown text are parsed with the first piece's lead (its lines before its first entry,
 *   whose level was unknown), which moves into the new piece;
 * - appended bytes are parsed after the last piece's unfinished last line, which moves into the new piece.
 * A moved part must have a known UTF-8 length; with a U+FFFD (a bad byte, length lost) it stays where it is.
 */
import { parseLog, START_STATE, type LogParseState, type LogRun } from "./log-parse.js";

interface Piece {
  text: string;
  start: number;
  end: number;
  runs: LogRun[];
  leadChars: number;
  leadRuns: number;
  tailChars: number;
  state: LogParseState;
  tailState: LogParseState;
}

export interface LogChange {
  /** Runs no longer shown (remove their elements). */
  removed: LogRun[];
  /** New runs, in order; they go before all other runs (`at: "start"`) or after them (`at: "end"`). */
  added: LogRun[];
  at: "start" | "end";
}

export interface LogModel {
  /** Offset of the first loaded byte, and just past the last one (0 and 0 when nothing is loaded). */
  readonly start: number;
  readonly end: number;
  /** Characters loaded. */
  readonly chars: number;
  /** Replace everything with the text of bytes [start, end). */
  reset(text: string, start: number, end: number): LogChange;
  /** The text of bytes [start, end) with `end` = the loaded start. */
  prepend(text: string, start: number, end: number): LogChange;
  /** The text of bytes [start, end) with `start` = the loaded end. */
  append(text: string, start: number, end: number): LogChange;
  /** Drop whole pieces from the top while more than `maxChars` characters are loaded (one piece always stays). */
  trim(maxChars: number): LogRun[];
  /** The end of the loaded text, at least `chars` characters of it when there are that many. */
  tail(chars: number): string;
  /** All runs, top to bottom. */
  runs(): LogRun[];
}

/** UTF-8 length of `text`, or null when it holds U+FFFD (a replaced bad byte of unknown length). */
export function utf8Length(text: string): number | null {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd) return null;
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/**
 * `from`: the state after the bytes before `start`. `midLine`: `start` may be inside a line (a byte range read
 * without the bytes before it, which are not loaded or not parsed with it).
 */
function makePiece(text: string, start: number, end: number, from: LogParseState, midLine: boolean): Piece {
  return { text, start, end, ...parseLog(text, from, { midLine }) };
}

export function createLogModel(): LogModel {
  let pieces: Piece[] = [];

  const model: LogModel = {
    get start() {
      return pieces[0]?.start ?? 0;
    },
    get end() {
      return pieces[pieces.length - 1]?.end ?? 0;
    },
    get chars() {
      let n = 0;
      for (const p of pieces) n += p.text.length;
      return n;
    },

    reset(text, start, end) {
      const removed = model.runs();
      pieces = [makePiece(text, start, end, START_STATE, start > 0)];
      return { removed, added: pieces[0]!.runs, at: "end" };
    },

    prepend(text, start, end) {
      if (!pieces.length) return model.reset(text, start, end);
      let combined = text;
      let combinedEnd = end;
      const removed: LogRun[] = [];
      // Lines before the first entry of the shown text continue the last entry of the new bytes.
      while (pieces.length) {
        const p = pieces[0]!;
        if (p.leadChars === 0) break;
        const lead = p.text.slice(0, p.leadChars);
        const bytes = utf8Length(lead);
        if (bytes === null) break;
        combined += lead;
        combinedEnd += bytes;
        removed.push(...p.runs.slice(0, p.leadRuns));
        if (p.leadChars === p.text.length) {
          pieces.shift(); // all of it was lead: the next piece may start with more of the same entry
          continue;
        }
        p.text = p.text.slice(p.leadChars);
        p.runs = p.runs.slice(p.leadRuns);
        p.start += bytes;
        p.leadChars = 0;
        p.leadRuns = 0;
        break;
      }
      const piece = makePiece(combined, start, combinedEnd, START_STATE, start > 0);
      pieces.unshift(piece);
      return { removed, added: piece.runs, at: "start" };
    },

    append(text, start, end) {
      if (!pieces.length) return model.reset(text, start, end);
      if (!text && end === model.end) return { removed: [], added: [], at: "end" };
      const last = pieces[pieces.length - 1]!;
      let from = last.state;
      let prefix = "";
      let pieceStart = start;
      // The new bytes continue an unfinished line, unless it is parsed again with them (below).
      let midLine = last.tailChars > 0;
      const removed: LogRun[] = [];
      if (last.tailChars > 0) {
        // The unfinished last line is parsed again with the bytes that follow it.
        const tail = last.text.slice(last.text.length - last.tailChars);
        const bytes = utf8Length(tail);
        if (bytes !== null) {
          // Still in the middle of a line if that line is the first of a piece read from the middle of one.
          midLine = last === pieces[0] && last.tailChars === last.text.length && last.start > 0;
          removed.push(last.runs.pop()!);
          if (last.leadRuns > last.runs.length) {
            last.leadRuns = last.runs.length;
            last.leadChars = last.text.length - last.tailChars;
          }
          last.text = last.text.slice(0, last.text.length - last.tailChars);
          last.end -= bytes;
          last.tailChars = 0;
          last.state = last.tailState;
          from = last.tailState;
          prefix = tail;
          pieceStart = last.end;
          if (!last.text) pieces.pop();
        }
      }
      const piece = makePiece(prefix + text, pieceStart, end, from, midLine);
      pieces.push(piece);
      return { removed, added: piece.runs, at: "end" };
    },

    trim(maxChars) {
      const removed: LogRun[] = [];
      let chars = model.chars;
      while (chars > maxChars && pieces.length > 1) {
        const p = pieces.shift()!;
        chars -= p.text.length;
        removed.push(...p.runs);
      }
      return removed;
    },

    tail(chars) {
      let text = "";
      for (let i = pieces.length - 1; i >= 0 && text.length < chars; i--) text = pieces[i]!.text + text;
      return text;
    },

    runs() {
      const all: LogRun[] = [];
      for (const p of pieces) for (const r of p.runs) all.push(r);
      return all;
    },
  };
  return model;
}
