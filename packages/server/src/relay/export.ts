/**
 * History as a file: `jsonl` is the mock server's recording format (a header line, then `{"t", "event"}` lines),
 * so `ductor-mock serve --recording exported.jsonl` replays the range; `md` is a transcript for people. Pure
 * encoders, fed one event at a time by the REST handler (which pages through the store and streams the result).
 */
import type { HistoryEvent } from "../history/store.js";

export interface ExportRange {
  /** The first and last seq asked for. */
  from: number;
  to: number;
  /** When the export was made (ms since the epoch). */
  exportedAt: number;
}

/** A REST snapshot to put in a recording (body already parsed), so the mock answers that path like ductor did. */
export interface ExportSnapshot {
  path: string;
  at: number;
  body: unknown;
}

export interface ExportEncoder {
  /** The first line(s); `first` is the first event in the range, if any. */
  head(first: HistoryEvent | undefined): string;
  /** One event ("" when this format leaves it out). */
  event(event: HistoryEvent): string;
  /** Events `from..to` that were pruned and cannot be exported. */
  gap(from: number, to: number): string;
  tail(): string;
}

/**
 * Recording lines. `t` is ms since the first exported event's arrival, never decreasing (a clock stepped back
 * does not make a recording the mock refuses). `upstream` rows are the relay's, not ductor's frames: they stay
 * out of the recording (a replay would send them to clients as frames ductor never sends); the header names
 * the seq range so the gap is not hidden. `snapshots` (sorted by `at`) are merged in by time; those from before
 * the first event come at t = 0, so the replaying mock starts with the REST state of that moment.
 */
export function jsonlEncoder(range: ExportRange, snapshots: readonly ExportSnapshot[] = []): ExportEncoder {
  let t0 = 0;
  let lastT = 0;
  let next = 0;
  const line = (t: number, entry: object): string => {
    lastT = Math.max(lastT, t);
    return `${JSON.stringify({ t: lastT, ...entry })}\n`;
  };
  /** The snapshots due by `at` (all that are left, with Infinity). */
  const due = (at: number): string => {
    let out = "";
    for (; next < snapshots.length && snapshots[next]!.at <= at; next++) {
      const s = snapshots[next]!;
      out += line(s.at - t0, { snapshot: { path: s.path, status: 200, body: s.body } });
    }
    return out;
  };
  return {
    head(first) {
      t0 = first?.at ?? range.exportedAt;
      const header = JSON.stringify({
        ductorRecording: 1,
        recordedAt: new Date(t0).toISOString(),
        source: "ductor-dashboard relay",
        relay: { from_seq: range.from, to_seq: range.to, exportedAt: new Date(range.exportedAt).toISOString() },
      });
      return `${header}\n${due(t0)}`;
    },
    event(event) {
      const before = due(event.at);
      if (event.type === "upstream") return before;
      return before + line(event.at - t0, { event: { type: event.type, data: event.data } });
    },
    gap: () => "",
    tail: () => due(Number.POSITIVE_INFINITY),
  };
}

const UPSTREAM_NOTES: Readonly<Record<string, string>> = {
  connected: "connected to ductor",
  disconnected: "disconnected from ductor (what it sent until the next connect was not received)",
  refused: "ductor refused the token; recording stopped",
};

const iso = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");

/**
 * A transcript: text deltas exactly as the agent wrote them, each tool as a list line, statuses and the relay's
 * link changes as quoted notes (each on a line of its own). Plain text: nothing is escaped or interpreted.
 *
 * Blocks of different kinds are kept apart by a blank line: in Markdown, a line of text right after `> note` or
 * `- tool` would continue the quote or the list item (lazy continuation), and the agent's prose would be drawn
 * inside a quote. Consecutive tools stay one list; each note is a quote of its own.
 */
export function markdownEncoder(range: ExportRange): ExportEncoder {
  let atLineStart = true;
  /** What was written last: text, a list of tools, a note; "start" right after the head. */
  let last: "start" | "text" | "list" | "quote" = "start";
  const block = (kind: "list" | "quote", text: string): string => {
    const lineBreak = atLineStart ? "" : "\n";
    const blankLine = last === "start" || (kind === "list" && last === "list") ? "" : "\n";
    atLineStart = true;
    last = kind;
    return `${lineBreak}${blankLine}${text}\n`;
  };
  return {
    head(first) {
      const when = first ? ` from ${iso(first.at)}` : "";
      return `# ductor agent history\n\nEvents ${range.from}–${range.to}${when}, exported ${iso(range.exportedAt)} (UTC).\n\n---\n\n`;
    },
    event(event) {
      const data = event.data ?? "";
      switch (event.type) {
        case "text_delta": {
          if (data === "") return "";
          // Text after a note or a list starts a paragraph of its own.
          const blankLine = last === "list" || last === "quote" ? "\n" : "";
          last = "text";
          atLineStart = data.endsWith("\n");
          return blankLine + data;
        }
        case "tool_activity":
          return block("list", `- tool: ${data === "" ? "(unnamed)" : oneLine(data)}`);
        case "system_status":
          return event.data === null ? "" : block("quote", `> status: ${oneLine(data)}`);
        case "upstream":
          return block("quote", `> [${iso(event.at)}] ${UPSTREAM_NOTES[data] ?? oneLine(data)}`);
        default:
          return block("quote", `> ${oneLine(event.type)}: ${oneLine(data)}`);
      }
    },
    gap(from, to) {
      return block("quote", `> events ${from}–${to} are no longer kept (pruned by retention)`);
    },
    tail() {
      return atLineStart ? "" : "\n";
    },
  };
}

/** Notes and list lines stay one line each, whatever the data holds. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ");
}
