// Formats the results as Markdown tables (they go straight into the README's Performance section).
const ms = (v) => (Number.isFinite(v) ? `${Math.round(v).toLocaleString("en-US")} ms` : "–");
const kb = (v) => (Number.isFinite(v) ? `${(v / 1024).toFixed(1)} KiB` : "–");
const mb = (v) => (Number.isFinite(v) ? `${(v / 1024 / 1024).toFixed(1)} MB` : "–");
const ratio = (v, base) => (Number.isFinite(v) && Number.isFinite(base) && base > 0 ? `${(v / base).toFixed(2)}x` : "–");
const int = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : "–");

function table(head, rows) {
  return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

export function renderTables(results) {
  const out = [];
  if (results.render) {
    out.push("### Stream rendering (headless Chromium; ratio = time to last paint ÷ parse-only in the same browser)\n");
    const floor = new Map(results.render.filter((r) => r.variant === "parse-only" && r.finished).map((r) => [r.n, r.timeToLastPaintMs]));
    out.push(
      table(
        ["renderer", "N", "time to last paint", "× parse-only", "longest task", "long-task total", "frames", "DOM nodes", "JS heap"],
        results.render.map((r) =>
          r.skipped
            ? [r.variant, int(r.n), r.skipped, "", "", "", "", "", ""]
            : [
                r.variant,
                int(r.n),
                ms(r.timeToLastPaintMs),
                ratio(r.timeToLastPaintMs, floor.get(r.n)),
                ms(r.longestTaskMs),
                ms(r.totalLongTaskMs),
                int(r.framesPainted),
                int(r.domNodes),
                mb(r.heapBytes),
              ],
        ),
      ),
    );
  }
  if (results.clientDecode) {
    const c = results.clientDecode;
    out.push(`\n### Client stream decoding (Node; median of ${c.rounds} alternating rounds, N = ${int(c.n)})\n`);
    out.push(
      table(
        ["consumer", "events/s", "× raw ws"],
        [
          ["raw ws + JSON.parse (baseline)", int(c.rawEventsPerSec), "1.00x"],
          ["client.stream()", int(c.clientEventsPerSec), ratio(c.clientEventsPerSec, c.rawEventsPerSec)],
        ],
      ),
    );
  }
  if (results.fanout) {
    out.push("\n### Mock server fan-out (replay at speed 0; ratio against 1 client)\n");
    const one = results.fanout.find((r) => r.clients === 1)?.deliveredPerSec;
    out.push(
      table(
        ["clients", "events each", "delivered/s", "× 1 client"],
        results.fanout.map((r) => [int(r.clients), int(r.events), int(r.deliveredPerSec), ratio(r.deliveredPerSec, one)]),
      ),
    );
  }
  if (results.relay) {
    const r = results.relay;
    const ms = (x) => `${x.toFixed(2)} ms`;
    out.push(`\n### Recording relay (Node; median of ${r.rounds} alternating rounds, N = ${int(r.events)}; SQLite history)\n`);
    out.push(
      table(
        ["measure", "direct from the mock (baseline)", "through the relay", "ratio / added"],
        [
          [
            "events/s to a viewer (speed 0)",
            int(r.directEventsPerSec),
            int(r.relayEventsPerSec),
            ratio(r.relayEventsPerSec, r.directEventsPerSec),
          ],
          [
            `delivery latency p50 (${int(r.latency.events)} events)`,
            ms(r.latency.direct.p50),
            ms(r.latency.relay.p50),
            `+${ms(r.latency.relay.p50 - r.latency.direct.p50)}`,
          ],
          ["delivery latency p99", ms(r.latency.direct.p99), ms(r.latency.relay.p99), `+${ms(r.latency.relay.p99 - r.latency.direct.p99)}`],
          [`search p95 over the ${int(r.events)} stored (HTTP)`, "", ms(r.searchP95Ms), ""],
        ],
      ),
    );
  }
  if (results.sizes) {
    out.push("\n### Sizes (esbuild --minify for the browser, gzip -9; ratio against React + ReactDOM)\n");
    const react = results.sizes.find((s) => s.name.startsWith("baseline"))?.gzipBytes;
    out.push(
      table(
        ["bundle", "minified", "min + gzip", "× react+react-dom"],
        results.sizes.map((s) => [s.name, kb(s.minBytes), kb(s.gzipBytes), ratio(s.gzipBytes, react)]),
      ),
    );
  }
  return out.join("\n");
}
