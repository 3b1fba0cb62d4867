import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stripAnsi } from "../src/views/logs/ansi.js";
import { createLogModel, utf8Length, type LogModel } from "../src/views/logs/log-model.js";
import { parseLog, runText, type LogRun } from "../src/views/logs/log-parse.js";

const E = "\x1b";
const bytes = (s: string): number => new TextEncoder().encode(s).length;

/** Each character of the shown text with the level it is drawn in. */
function drawn(runs: readonly LogRun[]): string {
  return runs.map((r) => [...runText(r)].map((c) => `${r.level ?? "-"}:${c}`).join("\n")).join("\n");
}

/** The text's bytes [from, to) as characters (`text` is split at character indexes, so bytes follow). */
function piece(text: string, from: number, to: number): [string, number, number] {
  return [text.slice(from, to), bytes(text.slice(0, from)), bytes(text.slice(0, to))];
}

const LOG = [
  "2026-04-21 12:00:00 [INFO] a:b.py:1: started ✓\n",
  "2026-04-21 12:00:01 [ERROR] a:b.py:2: [main:api] failed\n",
  "Traceback (most recent call last):\n",
  '  File "x.py", line 1, in f — ünïcödé 🎉\n',
  `RuntimeError: ${E}[31mboom${E}[0m\n`,
  "2026-04-21 12:00:02 [DEBUG] a:b.py:3: detail\n",
  "2026-04-21 12:00:03 [WARNING] a:b.py:4: slow\n",
].join("");

describe("log model", () => {
  it("a tail that starts inside a traceback: its lines have no level until the bytes before them come", () => {
    const m = createLogModel();
    const cut = LOG.indexOf("  File");
    m.reset(...piece(LOG, cut, LOG.length));
    expect(m.runs()[0]!.level).toBeNull();
    const change = m.prepend(...piece(LOG, 0, cut));
    expect(change.at).toBe("start");
    expect(change.removed.map(runText)).toEqual([`  File "x.py", line 1, in f — ünïcödé 🎉\nRuntimeError: boom\n`]);
    expect(drawn(m.runs())).toBe(drawn(parseLog(LOG).runs));
    expect([m.start, m.end]).toEqual([0, bytes(LOG)]);
  });

  it("an unfinished line is parsed again with the bytes that complete it", () => {
    const m = createLogModel();
    const text = "2026-04-21 12:00:00 [INFO] a:b.py:1: x\n2026-04-21 12:00:01 [ERR";
    m.reset(text, 0, bytes(text));
    expect(m.runs().map((r) => r.level)).toEqual(["INFO", "INFO"]);
    const change = m.append("OR] a:b.py:2: boom\nTraceback (most recent call last):\n", bytes(text), bytes(text) + 52);
    expect(change.removed.map(runText)).toEqual(["2026-04-21 12:00:01 [ERR"]);
    expect(change.added.map((r) => [r.level, runText(r)])).toEqual([
      ["ERROR", "2026-04-21 12:00:01 [ERROR] a:b.py:2: boom\nTraceback (most recent call last):\n"],
    ]);
    // Appended traceback lines continue the entry above.
    m.append('  File "x.py"\n', m.end, m.end + 14);
    expect(m.runs().map((r) => r.level)).toEqual(["INFO", "ERROR", "ERROR"]);
  });

  it("an unfinished line with a replaced bad byte stays (its length is unknown); the next bytes follow it", () => {
    const m = createLogModel();
    m.reset("2026-04-21 12:00:00 [ERROR] a:b.py:1: bad \uFFFD", 0, 42);
    const change = m.append(" byte\nnext\n", 42, 53);
    expect(change.removed).toEqual([]);
    expect(m.runs().map((r) => [r.level, runText(r)])).toEqual([
      ["ERROR", "2026-04-21 12:00:00 [ERROR] a:b.py:1: bad \uFFFD"],
      ["ERROR", " byte\nnext\n"],
    ]);
    expect(m.end).toBe(53);
  });

  it("trim drops whole pieces from the top and keeps the tail for the follow overlap", () => {
    const m = createLogModel();
    const line = "2026-04-21 12:00:00 [INFO] a:b.py:1: line\n";
    m.reset(line, 0, line.length);
    for (let i = 1; i <= 5; i++) m.append(line, i * line.length, (i + 1) * line.length);
    const removed = m.trim(line.length * 3);
    expect(removed).toHaveLength(3);
    expect([m.start, m.end, m.chars]).toEqual([3 * line.length, 6 * line.length, 3 * line.length]);
    expect(m.tail(10)).toBe(line);
    expect(m.tail(line.length + 1)).toBe(line + line);
  });

  it("utf8Length counts like the file's bytes, and gives up on U+FFFD", () => {
    expect(utf8Length("aé✓🎉")).toBe(bytes("aé✓🎉"));
    expect(utf8Length("a\uFFFD")).toBeNull();
  });
});

describe("log model properties", () => {
  const level = fc.constantFrom("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL");
  const words = fc.string({
    unit: fc.constantFrom(
      "a",
      "b",
      " ",
      ":",
      "[",
      "]",
      "é",
      "🎉",
      `${E}[31m`,
      `${E}[0m`,
      `${E}]8;;x${E}\\`,
      "2026-04-21 12:00:00 [ERROR] q:r.py:1: ",
    ),
    maxLength: 12,
  });
  const entry = fc
    .tuple(level, words, fc.array(words, { maxLength: 3 }))
    .map(([lvl, msg, cont]) => `2026-04-21 12:00:00 [${lvl}] a.b:c.py:1: ${msg}\n${cont.map((c) => `  ${c}\n`).join("")}`);
  const log = fc
    .tuple(fc.array(words, { maxLength: 2 }), fc.array(entry, { minLength: 1, maxLength: 10 }), fc.boolean())
    .map(([lead, entries, cutEnd]) => {
      const text = lead.map((l) => `${l}\n`).join("") + entries.join("");
      return cutEnd ? text.slice(0, -3) : text;
    });
  /** Split points at whole characters (never inside a surrogate pair). */
  const splits = (text: string) => fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, text.length - 1) }), { maxLength: 6 });

  /** Load `text` as the viewer would: a tail at one cut, then earlier and later pieces in a random order. */
  function load(text: string, cuts: number[], order: boolean[]): LogModel {
    const points = [0, ...cuts.filter((c) => c < text.length && !/[\uDC00-\uDFFF]/.test(text[c]!)).sort((a, b) => a - b), text.length];
    const ranges = points.slice(1).map((to, i) => [points[i]!, to] as const);
    const m = createLogModel();
    const first = Math.floor(ranges.length / 2);
    m.reset(...piece(text, ...ranges[first]!));
    let before = first - 1;
    let after = first + 1;
    for (const earlier of order) {
      if (earlier && before >= 0) m.prepend(...piece(text, ...ranges[before--]!));
      else if (!earlier && after < ranges.length) m.append(...piece(text, ...ranges[after++]!));
    }
    while (before >= 0) m.prepend(...piece(text, ...ranges[before--]!));
    while (after < ranges.length) m.append(...piece(text, ...ranges[after++]!));
    return m;
  }

  it("however the file arrives in pieces, every character is drawn in the level of parsing it whole", () => {
    fc.assert(
      fc.property(
        log.chain((text) => fc.tuple(fc.constant(text), splits(text), fc.array(fc.boolean(), { maxLength: 8 }))),
        ([text, cuts, order]) => {
          const m = load(text, cuts, order);
          expect(m.runs().map(runText).join("")).toBe(stripAnsi(text));
          expect(drawn(m.runs())).toBe(drawn(parseLog(text).runs));
          expect([m.start, m.end]).toEqual([0, bytes(text)]);
          expect(m.tail(Number.MAX_SAFE_INTEGER)).toBe(text);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("each change removes only runs that were there and adds runs in order (what the viewer draws)", () => {
    fc.assert(
      fc.property(
        log.chain((text) => fc.tuple(fc.constant(text), splits(text))),
        ([text, cuts]) => {
          const points = [...new Set([0, ...cuts.filter((c) => !/[\uDC00-\uDFFF]/.test(text[c] ?? "")), text.length])].sort(
            (a, b) => a - b,
          );
          const m = createLogModel();
          let shown: LogRun[] = [];
          for (let i = 1; i < points.length; i++) {
            const change = i === 1 ? m.reset(...piece(text, points[0]!, points[1]!)) : m.append(...piece(text, points[i - 1]!, points[i]!));
            for (const r of change.removed) expect(shown).toContain(r);
            shown = shown.filter((r) => !change.removed.includes(r)).concat(change.added);
            expect(shown).toEqual(m.runs());
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
