// The history the reload benchmark puts in the relay: a session of ductor-like output, about 2,000,000 characters of
// text deltas with tool calls and status changes between them. Deterministic, and imported both by the Node side
// (to write the recording the mock replays into the relay) and by the baseline page (to draw the same events with
// no network), so both see the same text.
//
// Shape: ductor batches the agent's text; the bundled recordings average 240 (coding-session) and 630
// (long-output) characters per text_delta. Here deltas run 40–1,100 characters (about 340 on average), a
// tool_activity follows every third delta, and each turn starts with "thinking" and ends with a cleared status.

const WORDS = (
  "the agent reads the failing test then edits parser.ts and runs the suite again until green; " +
  "it checks the stack trace, opens src/relay/history.ts, adds a guard for an empty page and re-runs vitest"
).split(" ");
const TOOLS = ["Read", "Edit", "Shell", "Grep", "Glob", "TodoWrite", "WebFetch"];
const SIZES = [40, 120, 260, 480, 1100, 180, 60, 700, 330, 150];

/** The last text of the history: the page knows the history is painted when the stream ends with it. */
export const HISTORY_SENTINEL = "@@ end of the benchmark history @@\n";

/** Text of about `size` characters: lines of ~60–110 characters made of WORDS, starting at word `seed`. */
function textOf(size, seed) {
  let out = "";
  let line = 0;
  let w = seed;
  while (out.length < size) {
    const word = WORDS[w % WORDS.length];
    w += 3;
    out += word;
    line += word.length + 1;
    if (line > 60 + (w % 50)) {
      out += "\n";
      line = 0;
    } else out += " ";
  }
  return out.slice(0, size);
}

/**
 * The events (`{ type, data }`, oldest first), with at least `textChars` characters of text_delta data in all;
 * the last event is a text_delta ending with HISTORY_SENTINEL.
 */
export function historyEvents(textChars = 2_050_000) {
  const events = [];
  let chars = 0;
  for (let i = 0; chars < textChars; i++) {
    if (i % 24 === 0) events.push({ type: "system_status", data: "thinking" });
    const data = textOf(SIZES[i % SIZES.length], i);
    events.push({ type: "text_delta", data });
    chars += data.length;
    if (i % 3 === 2) events.push({ type: "tool_activity", data: TOOLS[i % TOOLS.length] });
    if (i % 24 === 23) events.push({ type: "system_status", data: null });
  }
  events.push({ type: "text_delta", data: `\n${HISTORY_SENTINEL}` });
  return events;
}

/**
 * What the dashboard asks the relay for on open (packages/ui-vanilla/src/app/backfill.ts): pages of `pageEvents`
 * back from `head` until `maxChars` of text or the oldest event. `seqs` are the stored events' seqs, ascending.
 * Returns the `before` of each request and the seq of the first event drawn.
 */
export function backfillPlan(events, head, { maxChars = 2_000_000, pageEvents = 1_000, maxPages = 20 } = {}) {
  const bySeq = (seq) => events[seq - (head - events.length + 1)];
  const oldest = head - events.length + 1;
  const befores = [];
  let chars = 0;
  let before = head + 1;
  let first = before;
  for (let i = 0; i < maxPages && chars < maxChars && before > 1; i++) {
    befores.push(before);
    const from = Math.max(oldest, before - pageEvents);
    if (from >= before) break;
    for (let seq = from; seq < before; seq++) {
      const e = bySeq(seq);
      if (e.type === "text_delta" && e.data) chars += e.data.length;
    }
    first = from;
    if (from <= oldest) break;
    before = from;
  }
  return { befores, firstSeq: first, chars };
}
