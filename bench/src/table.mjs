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
  if (results.ingest) {
    const g = results.ingest;
    out.push(
      `\n### Relay ingest into SQLite, upstream uncompressed (Node; a blast server in its own process; median of ${g.rounds} alternating rounds, N = ${int(g.events)})\n`,
    );
    out.push(
      table(
        ["reader of the same blast server", "events/s", "× raw ws", "runs"],
        [
          ["raw ws + JSON.parse (baseline)", int(g.directEventsPerSec), "1.00x", g.directRuns.map(int).join(", ")],
          [
            "relay: every event stored and committed to SQLite (target ≥ 20,000/s)",
            int(g.relayEventsPerSec),
            ratio(g.relayEventsPerSec, g.directEventsPerSec),
            g.relayRuns.map(int).join(", "),
          ],
        ],
      ),
    );
  }
  if (results.reload) {
    const r = results.reload;
    const base = r.medians.renderMs;
    const runs = (x) => (x.timesMs ?? []).map((t) => ms(t)).join(", ");
    out.push(
      `\n### Reload to history painted (headless Chromium; the real site served by the relay, SQLite history of ${int(r.storedEvents)} events, ${int(r.storedTextChars)} characters of text; ratio against the renderer fed directly)\n`,
    );
    out.push(
      table(
        ["page (same browser, same relay)", "navigation → last text painted", "× renderer fed directly", "runs"],
        [
          [
            `dashboard, reload (median of ${r.reloads}; target ≤ 500 ms)`,
            ms(r.medians.siteMs),
            ratio(r.medians.siteMs, base),
            runs(r.site),
          ],
          ["dashboard, first open (one-click #token= link)", ms(r.firstOpen.paintMs), ratio(r.firstOpen.paintMs, base), ""],
          [
            `baseline: the same events drawn by the same renderer, no network (median of ${r.rounds})`,
            ms(base),
            "1.00x",
            runs(r.baselines.render),
          ],
          [
            `baseline: the same ${r.requestsPerLoad} history requests + JSON.parse, nothing drawn`,
            ms(r.medians.fetchMs),
            ratio(r.medians.fetchMs, base),
            runs(r.baselines.fetch),
          ],
          [
            "baseline: those requests, then the renderer (no app, no WebSocket)",
            ms(r.medians.fetchRenderMs),
            ratio(r.medians.fetchRenderMs, base),
            runs(r.baselines.fetchRender),
          ],
        ],
      ),
    );
    const s = r.site;
    out.push(`\nWhere the median reload's time went (${int(s.textChars)} characters of text on screen after it):\n`);
    out.push(
      table(
        ["step", "time"],
        [
          ["navigation → DOMContentLoaded", ms(s.dclMs)],
          ["→ first history request (WebSocket open, the relay's ping)", ms(s.firstRequestMs - s.dclMs)],
          [`${s.requests} history requests (${mb(s.historyBytes)}), time inside them`, ms(s.inRequestsMs)],
          ["between them (the client reading each page)", ms(s.betweenRequestsMs)],
          [
            "last response → last text in the DOM (its parse, drawing the events, the renderer's frame with its scroll-to-bottom layout)",
            ms(s.afterLastResponseMs),
          ],
          ["last text in the DOM → painted (layout and paint of that frame)", ms(s.paintAfterDomMs)],
          ["longest task / all long tasks", `${ms(s.longestTaskMs)} / ${ms(s.longTaskTotalMs)}`],
        ],
      ),
    );
    for (const e of r.errors) out.push(`\n- ${e}`);
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
