// Stream rendering in headless Chromium: the UI's renderer against baselines, all in one browser, each in a
// fresh page fed the same frames by the same server.
import { launchChromium } from "./chromium.mjs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { startBlastServer } from "./blast-server.mjs";

const require = createRequire(import.meta.url);
const pagesDir = fileURLToPath(new URL("./pages/", import.meta.url));

export const VARIANTS = {
  "parse-only": { entry: "parse-only.ts", naive: false },
  "ui-renderer": { entry: "ui-renderer.ts", naive: false },
  "ui-renderer-markdown": { entry: "ui-renderer-markdown.ts", naive: false },
  "ui-client+renderer": { entry: "ui-client-renderer.ts", naive: false },
  "xterm.js": { entry: "xterm.ts", naive: false },
  "textContent +=": { entry: "text-content.ts", naive: true },
  "node per event + scroll": { entry: "node-per-event.ts", naive: true },
};

async function bundlePages(names) {
  const scripts = {};
  for (const name of names) {
    const { entry } = VARIANTS[name];
    const result = await build({
      entryPoints: [pagesDir + entry],
      bundle: true,
      minify: true,
      format: "esm",
      target: "es2022",
      write: false,
      platform: "browser",
      define: { "process.env.NODE_ENV": '"production"' },
      logLevel: "silent",
    });
    scripts[name] = result.outputFiles[0].text;
  }
  return scripts;
}

const PAGE = (name) => `<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="/xterm.css"><link rel="stylesheet" href="/ui.css">
<style>html,body{margin:0;height:100%;font:13px monospace} #root{height:760px;overflow:auto} .scroller{height:760px;overflow:auto;margin:0;white-space:pre-wrap}</style>
</head><body><div id="root"></div><script type="module" src="/js/${encodeURIComponent(name)}.js"></script></body></html>`;

async function readOptional(path) {
  try {
    return await readFile(path, "utf8");
  } catch {
    return "";
  }
}

/**
 * Runs every variant for each N and returns one row per (variant, N).
 * Naive baselines run only where `naiveUpTo` allows, and each run is cut at `timeoutMs` (reported as not finished).
 */
export async function runRenderBench({ counts, timeoutMs, naiveUpTo, repeat = 3, variants = Object.keys(VARIANTS), log = console.log }) {
  const scripts = await bundlePages(variants);
  const xtermCss = await readFile(require.resolve("@xterm/xterm/css/xterm.css"), "utf8");
  const uiCss = await readOptional(fileURLToPath(new URL("../../packages/ui-vanilla/src/styles.css", import.meta.url)));
  const server = await startBlastServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const send = (type, body) => res.writeHead(200, { "content-type": type }).end(body);
    if (url.pathname === "/xterm.css") return send("text/css", xtermCss);
    if (url.pathname === "/ui.css") return send("text/css", uiCss);
    const page = url.pathname.match(/^\/page\/(.+)$/);
    if (page) return send("text/html", PAGE(decodeURIComponent(page[1])));
    const js = url.pathname.match(/^\/js\/(.+)\.js$/);
    const script = js && scripts[decodeURIComponent(js[1])];
    if (script) return send("text/javascript", script);
    res.writeHead(404).end();
  });
  const browser = await launchChromium({ preciseMemory: true });
  const rows = [];
  try {
    for (const n of counts) {
      // Variants alternate within each round, so a busy moment on the machine hits them all alike; the row
      // kept is each variant's median run.
      const runs = new Map(variants.map((name) => [name, []]));
      const rounds = n > 100_000 ? 1 : repeat;
      for (let round = 0; round < rounds; round++) {
        for (const name of variants) {
          if (VARIANTS[name].naive && n > naiveUpTo) continue;
          // A baseline that could not finish once will not finish again: do not spend the time twice.
          if (runs.get(name).some((run) => run.skipped)) continue;
          log(`  render: ${name}, N=${n}, round ${round + 1}/${rounds}…`);
          // The cut-off grows with N (0.3 ms an event), so a large run is cut only when it is really stuck.
          runs.get(name).push(await runOne(browser, server, name, n, Math.max(timeoutMs, n * 0.3)));
        }
      }
      for (const name of variants) {
        if (VARIANTS[name].naive && n > naiveUpTo) {
          rows.push({
            variant: name,
            n,
            skipped: `skipped at N=${n.toLocaleString("en-US")}: cannot finish (see N=${naiveUpTo.toLocaleString("en-US")})`,
          });
          continue;
        }
        rows.push(medianRun(runs.get(name)));
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return rows;
}

function medianRun(runs) {
  const unfinished = runs.find((run) => run.skipped);
  if (unfinished) return unfinished;
  const sorted = [...runs].sort((a, b) => a.timeToLastPaintMs - b.timeToLastPaintMs);
  const median = sorted[Math.floor(sorted.length / 2)];
  return { ...median, runs: runs.length, timesMs: runs.map((run) => Math.round(run.timeToLastPaintMs)) };
}

async function runOne(browser, server, name, n, timeoutMs) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const wsUrl = server.wsUrl(n);
  server.setDefaultN(n);
  await page.goto(`${server.url}/page/${encodeURIComponent(name)}?n=${n}&ws=${encodeURIComponent(wsUrl)}`);
  const deadline = Date.now() + timeoutMs;
  let result;
  while (!(result = await page.evaluate(() => window.__benchResult)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (!result) {
    const progress = await page.evaluate(() => window.__benchProgress ?? 0).catch(() => 0);
    await context.close();
    return {
      variant: name,
      n,
      finished: false,
      skipped: `did not finish in ${Math.round(timeoutMs / 1000)} s (${progress.toLocaleString("en-US")} of ${n.toLocaleString("en-US")} events)`,
    };
  }
  await cdp.send("HeapProfiler.collectGarbage");
  const heap = await cdp.send("Runtime.getHeapUsage");
  const counters = await cdp.send("Memory.getDOMCounters");
  const check = await page.evaluate(() => (window.__benchCheck ? window.__benchCheck() : null));
  await context.close();
  return { ...result, n, heapBytes: heap.usedSize, domNodes: counters.nodes, check };
}
