/**
 * Many events into the SQLite history: memory stays flat while ingesting, and search stays usable. 100,000
 * events by default; HISTORY_EVENTS=1000000 for the 1M figure (about a minute). Figures are printed,
 * never asserted (speed belongs to the bench); what is asserted is correctness and flat memory.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../src/history/sqlite-store.js";

const EVENTS = Number(process.env.HISTORY_EVENTS ?? 100_000);
const tmp = mkdtempSync(join(tmpdir(), "dd-history-scale-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// A deterministic vocabulary and stream: ~60% text (sentences of 8–40 words), the rest tools and statuses.
const vocabulary = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}${"aeiou"[i % 5]}`);
let seed = 42;
const random = (): number => {
  seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const word = (): string => vocabulary[Math.floor(random() ** 2 * vocabulary.length)] as string; // skewed, like language

describe(`${EVENTS.toLocaleString("en")} events into SQLite`, () => {
  it("memory stays flat while ingesting; search latency measured over the result", async () => {
    const store = openSqliteStore(join(tmp, "scale.sqlite"), { log: () => {} });
    const mb = (n: number): string => (n / 1024 / 1024).toFixed(0);
    const rss: number[] = [];
    const t0 = performance.now();
    let appendMs = 0;
    for (let i = 0; i < EVENTS; i++) {
      const r = random();
      const a = performance.now();
      if (r < 0.6) store.append("text_delta", Array.from({ length: 8 + Math.floor(random() * 32) }, word).join(" "), Date.now());
      else if (r < 0.9) store.append("tool_activity", r < 0.8 ? "Read" : "Shell", Date.now());
      else store.append("system_status", r < 0.95 ? "thinking" : null, Date.now());
      appendMs += performance.now() - a;
      if (i % 2000 === 1999) await new Promise((resolve) => setImmediate(resolve)); // a live stream yields; timers run
      if (i % Math.floor(EVENTS / 10) === 0) rss.push(process.memoryUsage().rss);
    }
    store.flush();
    const ingestMs = performance.now() - t0;
    rss.push(process.memoryUsage().rss);
    expect(store.head()).toBe(EVENTS);
    expect(store.range({ before: EVENTS + 1, limit: 1 })[0]?.seq).toBe(EVENTS);

    // Search: 200 queries of one or two words drawn from the stream's vocabulary, limit 50.
    const times: number[] = [];
    let hits = 0;
    for (let q = 0; q < 200; q++) {
      const query = q % 4 === 0 ? `${word()} ${word()}` : q % 4 === 1 ? `${word().slice(0, 3)}*` : word();
      const a = performance.now();
      hits += store.search(query, 50).length;
      times.push(performance.now() - a);
    }
    times.sort((x, y) => x - y);
    const p = (f: number): string => (times[Math.min(times.length - 1, Math.floor(times.length * f))] as number).toFixed(1);
    const bytes = store.usedBytes();
    store.close();

    // Flat: after the first tenth, RSS grows by far less than the data written (no event is kept in memory).
    const firstTenth = rss[1] ?? rss[0] ?? 0;
    const last = rss.at(-1) ?? 0;
    expect(last - firstTenth).toBeLessThan(Math.max(64 * 1024 * 1024, bytes / 4));
    expect(hits).toBeGreaterThan(0);
    console.log(
      `history scale: ${EVENTS.toLocaleString("en")} events in ${(ingestMs / 1000).toFixed(1)} s ` +
        `(${Math.round(EVENTS / (ingestMs / 1000)).toLocaleString("en")} events/s overall, append() alone ${Math.round(EVENTS / (appendMs / 1000)).toLocaleString("en")}/s), ` +
        `database ${mb(bytes)} MiB; RSS ${rss.map(mb).join(" → ")} MiB; search (limit 50) p50 ${p(0.5)} ms, p95 ${p(0.95)} ms, max ${p(1)} ms`,
    );
  }, 600_000);
});
