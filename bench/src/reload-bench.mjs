// Reload to history painted (issue 11): a real relay (`startDashboardServer` with ductor's token, SQLite history)
// fed by the real mock server with about 2,000,000 characters of text deltas (tool calls and statuses between them),
// and the real dashboard site served by that relay, in headless Chromium. The clock runs from the navigation's
// start (performance.timeOrigin of the reloaded document) to the first frame painted after the stream view's last
// history text reached the DOM. Baselines run in the same browser against the same relay, from pages served by it
// beside the site (see pages/reload-baseline.ts): the same events drawn by the same renderer with no network, and
// the dashboard's history requests alone.
import { launchChromium } from "./chromium.mjs";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDashboardServer } from "@ductor/dashboard-server";
import { startMockServer } from "@ductor/mock-server";
import { build } from "esbuild";
import { backfillPlan, HISTORY_SENTINEL, historyEvents } from "./history-shape.mjs";

const require = createRequire(import.meta.url);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Runs in every document of the context before its own scripts: notices when the stream view's last block is a
 * text chunk ending with the history's last text, waits for the next frame (so the one holding it was painted),
 * and reports the times, the history requests (Resource Timing) and long tasks to the driver.
 */
function measureInPage(sentinel) {
  const longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch {}
  let done = false;
  const check = () => {
    if (done) return;
    const last = document.querySelector(".view-stream .sr-content")?.lastElementChild?.lastElementChild;
    if (!last?.matches(".sr-chunk, .sr-md") || !last.textContent.trimEnd().endsWith(sentinel.trimEnd())) return;
    done = true;
    observer.disconnect();
    const domMs = performance.now();
    requestAnimationFrame(() =>
      setTimeout(() => {
        const paintMs = performance.now();
        const nav = performance.getEntriesByType("navigation")[0];
        const history = performance
          .getEntriesByType("resource")
          .filter((e) => e.name.includes("/dashboard/history?"))
          .map((e) => ({ start: e.startTime, responseStart: e.responseStart, end: e.responseEnd, bytes: e.encodedBodySize }));
        let textChars = 0;
        for (const chunk of document.querySelectorAll(".view-stream :is(.sr-chunk, .sr-md)")) textChars += chunk.textContent.length;
        window.__benchPainted({
          paintMs,
          domMs,
          dclMs: nav?.domContentLoadedEventEnd ?? 0,
          history,
          longTasks: longTasks.filter(([start]) => start < paintMs),
          textChars,
          prepMs: window.__benchPrepMs ?? 0,
        });
      }, 0),
    );
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true });
}

/** The built site, copied with the baseline page beside it (same origin, same stylesheet, same CSP). */
async function prepareSite(dir, builtSite = dirname(require.resolve("@ductor/dashboard-ui/site/index.html"))) {
  const site = join(dir, "site");
  await cp(builtSite, site, { recursive: true });
  const css = /href="\.?\/?(assets\/[^"]+\.css)"/.exec(await readFile(join(site, "index.html"), "utf8"))?.[1];
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL("./pages/reload-baseline.ts", import.meta.url))],
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    write: false,
    platform: "browser",
    logLevel: "silent",
  });
  await writeFile(join(site, "reload-baseline.js"), bundle.outputFiles[0].text);
  await writeFile(
    join(site, "reload-baseline.html"),
    `<!doctype html><html lang="en" class="dd-site"><head><meta charset="utf-8"><title>reload baseline</title>` +
      (css ? `<link rel="stylesheet" href="./${css}">` : "") +
      `</head><body><div id="app"><div class="ductor-dashboard"><main class="views"><section class="view view-stream">` +
      `<div class="stream-output"></div></section></main></div></div><script type="module" src="./reload-baseline.js"></script></body></html>`,
  );
  return site;
}

async function until(condition, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`reload bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The relay, holding the history in a fresh SQLite file, fed by the mock replaying it at speed 0. */
async function startFilledRelay(dir, events, siteDir, log) {
  const recording = {
    header: { ductorRecording: 1, recordedAt: new Date().toISOString(), source: "synthetic" },
    entries: events.map((event) => ({ t: 0, event })),
  };
  // Protocol pings as ductor sends them (every 30 s), so the relay's link never looks stale while the pages load.
  const mock = await startMockServer({ recording, speed: 0, sentLimit: 0 });
  const started = performance.now();
  const dash = await startDashboardServer({ ductor: mock.url, token: mock.token, history: join(dir, "history.sqlite"), siteDir });
  const want = events.length + 1; // and the relay's own "upstream connected" row, seq 1
  await until(() => dash.relay.stats().head >= want, 120_000, `the relay to store ${want} events`);
  dash.relay.store.flush?.();
  const seconds = (performance.now() - started) / 1000;
  const stats = dash.relay.stats();
  const first = dash.relay.store.range({ after: 0, limit: 1 })[0];
  if (stats.head !== want || stats.oldest !== 1 || first?.type !== "upstream")
    throw new Error(`reload bench: the relay holds seq ${stats.oldest}..${stats.head}, expected 1..${want} starting with upstream`);
  log(`  reload: the relay stored ${want.toLocaleString("en-US")} events from the mock in ${seconds.toFixed(1)} s`);
  return { mock, dash, head: stats.head };
}

export async function runReloadBench({ reloads, rounds, builtSite, log = console.log }) {
  const dir = await mkdtemp(join(tmpdir(), "ductor-reload-bench-"));
  const events = historyEvents();
  const textChars = events.reduce((n, e) => n + (e.type === "text_delta" ? e.data.length : 0), 0);
  const stored = [{ type: "upstream", data: "connected" }, ...events];
  let mock;
  let dash;
  let browser;
  try {
    const siteDir = await prepareSite(dir, builtSite);
    ({ mock, dash } = await startFilledRelay(dir, events, siteDir, log));
    const plan = backfillPlan(stored, stored.length);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    let waiting = null;
    await context.exposeBinding("__benchPainted", (_source, result) => waiting?.(result));
    await context.addInitScript(measureInPage, HISTORY_SENTINEL);
    const errors = [];
    /** Runs `navigate` and waits for the page to report (a run that does not finish in 30 s is an error). */
    const measured = async (page, navigate) => {
      const result = new Promise((resolve, reject) => {
        const timer = setTimeout(async () => {
          // Say what the page shows, for when the stream view's DOM (.view-stream .sr-content > page > block) changed.
          const seen = await page
            .evaluate(() => {
              const content = document.querySelector(".view-stream .sr-content");
              const last = content?.lastElementChild?.lastElementChild;
              return `${content?.textContent.length ?? "no .view-stream .sr-content"} characters, last block ${last?.className}: …${JSON.stringify(last?.textContent.slice(-60))}`;
            })
            .catch((e) => String(e));
          const pageErrors = errors.length ? `; page errors: ${errors.join(" | ")}` : "";
          reject(new Error(`reload bench: the history's last text was not painted within 30 s (${page.url()}: ${seen}${pageErrors})`));
        }, 30_000);
        waiting = (r) => {
          clearTimeout(timer);
          resolve(r);
        };
      });
      await page.bringToFront();
      await navigate();
      try {
        return await result;
      } finally {
        waiting = null;
      }
    };

    const token = encodeURIComponent(mock.token);
    const pages = {};
    for (const name of ["site", "render", "fetch", "fetch-render"]) {
      pages[name] = await context.newPage();
      pages[name].on("pageerror", (e) => errors.push(`${name}: ${e}`));
    }
    const baselineUrl = (mode) =>
      `${dash.url}reload-baseline.html?mode=${mode}&befores=${plan.befores.join(",")}&first=${plan.firstSeq}#token=${token}`;

    // First open: the one-click link with the token in the fragment (the page moves it to sessionStorage).
    log("  reload: first open of the dashboard…");
    const firstOpen = await measured(pages.site, () => pages.site.goto(`${dash.url}#/stream&token=${token}`));
    for (const mode of ["render", "fetch", "fetch-render"]) await measured(pages[mode], () => pages[mode].goto(baselineUrl(mode)));

    // Reloads, alternating with the baselines so a busy moment on the machine hits them all alike.
    const runs = { site: [], render: [], fetch: [], "fetch-render": [] };
    const total = Math.max(reloads, rounds);
    for (let i = 0; i < total; i++) {
      log(`  reload: round ${i + 1}/${total}…`);
      if (i < reloads) runs.site.push(await measured(pages.site, () => pages.site.reload()));
      if (i < rounds)
        for (const mode of ["render", "fetch", "fetch-render"]) runs[mode].push(await measured(pages[mode], () => pages[mode].reload()));
    }
    await context.close();
    // The baselines make the requests the dashboard made when this was written (app/backfill.ts): say so if it changed.
    for (const r of [firstOpen, ...runs.site])
      if (r.history.length !== plan.befores.length)
        errors.push(
          `the dashboard made ${r.history.length} history requests, the baselines ${plan.befores.length}: update history-shape.mjs backfillPlan`,
        );
    return summarize({ runs, firstOpen, plan, events: stored.length, textChars, errors: [...new Set(errors)] });
  } finally {
    await browser?.close();
    await dash?.close();
    await mock?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** One run's breakdown: where the time between navigation and paint went. */
function breakdown(r) {
  const h = [...r.history].sort((a, b) => a.start - b.start);
  const inRequests = h.reduce((n, x) => n + (x.end - x.start), 0);
  const first = h[0]?.start ?? Number.NaN;
  const last = h.at(-1)?.end ?? Number.NaN;
  return {
    paintMs: r.paintMs,
    domMs: r.domMs,
    dclMs: r.dclMs,
    firstRequestMs: first,
    requests: h.length,
    historyBytes: h.reduce((n, x) => n + x.bytes, 0),
    inRequestsMs: inRequests,
    betweenRequestsMs: last - first - inRequests,
    lastResponseMs: last,
    afterLastResponseMs: r.domMs - last,
    paintAfterDomMs: r.paintMs - r.domMs,
    longestTaskMs: r.longTasks.reduce((m, [, d]) => Math.max(m, d), 0),
    longTaskTotalMs: r.longTasks.reduce((n, [, d]) => n + d, 0),
    textChars: r.textChars,
  };
}

/** The run with the median paint time, with every run's time beside it. */
function medianRun(runs, key = (r) => r.paintMs) {
  const sorted = [...runs].sort((a, b) => key(a) - key(b));
  return { ...sorted[Math.floor(sorted.length / 2)], timesMs: runs.map((r) => Math.round(key(r))) };
}

function summarize({ runs, firstOpen, plan, events, textChars, errors }) {
  const renderTime = (r) => r.paintMs - r.prepMs;
  const fetchTime = (r) => r.doneMs;
  const site = medianRun(runs.site.map(breakdown));
  const render = medianRun(runs.render.map((r) => ({ ...breakdown(r), paintMs: renderTime(r), prepMs: r.prepMs })));
  const fetchOnly = medianRun(
    runs.fetch.map((r) => ({ paintMs: fetchTime(r), events: r.events })),
    (r) => r.paintMs,
  );
  const fetchRender = medianRun(runs["fetch-render"].map(breakdown));
  return {
    storedEvents: events,
    storedTextChars: textChars,
    requestsPerLoad: plan.befores.length,
    drawnFromSeq: plan.firstSeq,
    expectedTextChars: plan.chars,
    reloads: runs.site.length,
    rounds: runs.render.length,
    firstOpen: breakdown(firstOpen),
    site,
    baselines: { render, fetch: fetchOnly, fetchRender },
    medians: {
      siteMs: median(runs.site.map((r) => r.paintMs)),
      renderMs: median(runs.render.map(renderTime)),
      fetchMs: median(runs.fetch.map(fetchTime)),
      fetchRenderMs: median(runs["fetch-render"].map((r) => r.paintMs)),
    },
    errors,
  };
}
