#!/usr/bin/env node
// Markdown in the stream view (headless Chromium): the UI's incremental markdown writer against the plain-text
// renderer and the parse-only floor (the `streaming-markdown` package was measured here too, and dropped), all
// fed the same markdown-heavy agent stream by the same local WebSocket server, alternating within each round.
// Also the minified + gzipped size each writer adds. `node bench/src/markdown-bench.mjs [--n 50000] [--rounds 3]`,
// or `node bench/src/run.mjs --only markdown`.
import { launchChromium } from "./chromium.mjs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { WebSocketServer } from "ws";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const uiSrc = here("../../packages/ui-vanilla/src/");

export const MARKDOWN_VARIANTS = {
  "parse-only": "parse-only.ts",
  "plain renderer": "ui-renderer.ts",
  "plain text (same view)": "markdown-plain.ts",
  "markdown writer": "markdown-writer.ts",
};

// ---- The stream: ductor-like text blocks of agent markdown, each cut into ~48-character deltas, then a tool. ----

const WORDS = "the parser reads each token then the writer appends a node so nothing is rendered twice while text streams in".split(" ");
const TOOLS = ["Read", "Edit", "Shell", "Grep", "Glob", "TodoWrite"];
const words = (k, n) => Array.from({ length: n }, (_, i) => WORDS[(k * 7 + i * 3) % WORDS.length]).join(" ");

/** The k-th text block: prose with inline markup, lists, code fences with long lines, a table, a quote. */
export function markdownBlock(k) {
  const file = `/home/dev/project/src/module-${k % 97}.ts`;
  switch (k % 7) {
    case 0:
      return (
        `I'll start with \`src/parser-${k}.ts\`: the **tokenizer** splits on \`\\n\` and *then* the writer ${words(k, 12)}. ` +
        `See [the spec](https://spec.commonmark.org/0.31.2/#emphasis-and-strong-emphasis) and <file:${file}>.\n\n` +
        `${words(k + 1, 30)}, with \`code spans\`, **bold text**, _emphasis_ and a bare link https://example.com/issues/${k}.\n`
      );
    case 1:
      return (
        `## Step ${k}: what changes\n\n` +
        `- Update \`renderer.ts\` so ${words(k, 8)}\n- Keep **scrollback** bounded:\n  - drop whole blocks\n  - count characters\n` +
        `- Run \`pnpm test\` (see <file:${file}>)\n\n1. Build\n2. Test: ${words(k + 2, 10)}\n3. Ship\n`
      );
    case 2: {
      const lines = Array.from({ length: 24 }, (_, i) =>
        i % 6 === 5
          ? `  const long${i} = [${Array.from({ length: 18 }, (_, j) => `"${WORDS[(i + j) % WORDS.length]}-${k}"`).join(", ")}];`
          : `  if (token.kind === "${WORDS[(k + i) % WORDS.length]}") return write(node${i}, { at: ${i}, of: ${k} });`,
      );
      return `Here is the change:\n\n\`\`\`ts\nexport function render${k}(token: Token): void {\n${lines.join("\n")}\n}\n\`\`\`\n`;
    }
    case 3: {
      const out = Array.from(
        { length: 12 },
        (_, i) =>
          `2026-11-25T10:${String(i).padStart(2, "0")}:0${k % 10}Z INFO  ${words(k + i, 40)} [worker=${i} id=${k}${"x".repeat(i * 8)}]`,
      );
      return `\`\`\`sh\n$ pnpm vitest run test/parser-${k}.test.ts\n${out.join("\n")}\n\`\`\`\n\nAll **${k % 50} tests** pass.\n`;
    }
    case 4:
      return (
        `| file | lines | status |\n|:--|--:|:-:|\n` +
        Array.from(
          { length: 8 },
          (_, i) => `| \`src/m${(k + i) % 40}.ts\` | ${(k * 13 + i * 7) % 900} | ${i % 3 ? "ok" : "**changed**"} |`,
        ).join("\n") +
        "\n\n"
      );
    case 5:
      return `> **Note:** ${words(k, 24)}\n> ${words(k + 3, 20)} \`inline\` [link](https://example.org/${k}).\n\n---\n\n${words(k + 4, 40)}.\n`;
    default:
      return `${Array.from({ length: 6 }, (_, i) => `${words(k + i, 20)} \`value_${i}\` **${WORDS[i]}**`).join(" ")}.\n`;
  }
}

/** The frames of the stream, as ductor sends them (json.dumps spacing): text deltas of 40–56 characters, a tool after each block. */
export function markdownFrames(n) {
  const frames = [];
  let text = "";
  for (let k = 0; frames.length < n; k++) {
    const block = markdownBlock(k);
    for (let at = 0, i = 0; at < block.length && frames.length < n; i++) {
      const size = 40 + ((k * 5 + i * 11) % 17);
      const piece = block.slice(at, at + size);
      at += size;
      text += piece;
      frames.push(`{"type": "text_delta", "data": ${JSON.stringify(piece)}}`);
    }
    if (frames.length < n) frames.push(`{"type": "tool_activity", "data": "${TOOLS[k % TOOLS.length]}"}`);
  }
  return { frames, chars: text.length };
}

// ---- Pages, server, browser ----

const PAGE = (name) => `<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="/ui.css"><link rel="stylesheet" href="/md.css">
<style>html,body{margin:0;height:100%;font:13px monospace} #root{height:760px;overflow:auto}</style>
</head><body><div id="root"></div><script type="module" src="/js/${encodeURIComponent(name)}.js"></script></body></html>`;

async function bundle(entryPoints, extra = {}) {
  const result = await build({
    entryPoints,
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    write: false,
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "silent",
    ...extra,
  });
  return result.outputFiles[0].contents;
}

async function startServer(frames, scripts, css) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const send = (type, body) => res.writeHead(200, { "content-type": type }).end(body);
    if (url.pathname === "/ui.css") return send("text/css", css.ui);
    if (url.pathname === "/md.css") return send("text/css", css.md);
    const page = url.pathname.match(/^\/page\/(.+)$/);
    if (page) return send("text/html", PAGE(decodeURIComponent(page[1])));
    const js = url.pathname.match(/^\/js\/(.+)\.js$/);
    const script = js && scripts[decodeURIComponent(js[1])];
    if (script) return send("text/javascript", script);
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on("connection", async (socket) => {
    socket.send('{"type": "ping"}');
    for (let i = 0; i < frames.length && socket.readyState === socket.OPEN; i += 256) {
      const end = Math.min(frames.length, i + 256);
      for (let j = i; j < end - 1; j++) socket.send(frames[j]);
      await new Promise((resolve) => socket.send(frames[end - 1], resolve));
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/dashboard/stream?token=bench`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function runOne(browser, server, name, n, timeoutMs) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await page.goto(`${server.url}/page/${encodeURIComponent(name)}?n=${n}&ws=${encodeURIComponent(server.wsUrl)}`);
  const deadline = Date.now() + timeoutMs;
  let result;
  while (!(result = await page.evaluate(() => window.__benchResult)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  if (!result) {
    await context.close();
    return { variant: name, n, finished: false, skipped: `did not finish in ${Math.round(timeoutMs / 1000)} s` };
  }
  await cdp.send("HeapProfiler.collectGarbage");
  const heap = await cdp.send("Runtime.getHeapUsage");
  const counters = await cdp.send("Memory.getDOMCounters");
  const check = await page.evaluate(() => (window.__benchCheck ? window.__benchCheck() : null));
  await context.close();
  return { ...result, variant: name, n, heapBytes: heap.usedSize, domNodes: counters.nodes, check };
}

/** Minified + gzipped bytes of a module, and what it adds to the UI's own bundle (which has copyText already). */
async function sizes() {
  const alias = { "@ductor/dashboard-client": fileURLToPath(new URL("../../packages/client/src/index.ts", import.meta.url)) };
  const measure = async (contents) => {
    const code = await bundle([], { stdin: { contents, resolveDir: uiSrc, loader: "ts" }, alias });
    return { minBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
  };
  const ui = `export * from "./index.ts";`;
  const base = await measure(ui);
  const rows = [];
  for (const [name, line] of [["markdown writer", `export { createMarkdownWriter } from "./render/markdown/index.ts";`]]) {
    const alone = await measure(line);
    const withUi = await measure(`${ui}\n${line}`);
    rows.push({ name, ...alone, addsMinBytes: withUi.minBytes - base.minBytes, addsGzipBytes: withUi.gzipBytes - base.gzipBytes });
  }
  return { ui: base, rows };
}

const fmtMs = (v) => `${Math.round(v).toLocaleString("en-US")} ms`;
const kib = (v) => `${(v / 1024).toFixed(1)} KiB`;

export function markdownTables(r) {
  const floor = r.rows.find((row) => row.variant === "parse-only")?.timeToLastPaintMs;
  const lines = [
    `### Markdown in the stream view (headless Chromium; N = ${r.n.toLocaleString("en-US")} events, ${r.chars.toLocaleString("en-US")} characters of markdown; median of ${r.rounds} alternating rounds)`,
    "",
    "| variant | time to last paint | × parse-only | longest task | long-task total | frames | DOM nodes | JS heap | writer script | runs (ms) |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...r.rows.map((row) =>
      row.skipped
        ? `| ${row.variant} | ${row.skipped} | | | | | | | | |`
        : `| ${row.variant} | ${fmtMs(row.timeToLastPaintMs)} | ${(row.timeToLastPaintMs / floor).toFixed(2)}x | ${fmtMs(row.longestTaskMs)} | ${fmtMs(row.totalLongTaskMs)} | ${row.framesPainted} | ${row.domNodes.toLocaleString("en-US")} | ${(row.heapBytes / 1048576).toFixed(1)} MB | ${row.check?.writerMs === undefined ? "" : fmtMs(row.check.writerMs)} | ${row.timesMs.join(", ")} |`,
    ),
    "",
    `Sizes (esbuild --minify, gzip -9; the UI alone: ${kib(r.sizes.ui.minBytes)} min, ${kib(r.sizes.ui.gzipBytes)} gzip):`,
    "",
    "| writer | minified | min + gzip | adds to the UI (min + gzip) |",
    "|---|---|---|---|",
    ...r.sizes.rows.map((s) => `| ${s.name} | ${kib(s.minBytes)} | ${kib(s.gzipBytes)} | +${kib(s.addsGzipBytes)} |`),
  ];
  return lines.join("\n");
}

export async function runMarkdownBench({
  n = 50_000,
  rounds = 3,
  variants = Object.keys(MARKDOWN_VARIANTS),
  timeoutMs = 120_000,
  log = console.log,
} = {}) {
  const { frames, chars } = markdownFrames(n);
  const scripts = {};
  for (const name of variants) scripts[name] = new TextDecoder().decode(await bundle([here(`./pages/${MARKDOWN_VARIANTS[name]}`)]));
  // The markdown rules are part of the UI's one stylesheet.
  const css = { ui: await readFile(`${uiSrc}styles.css`, "utf8"), md: "" };
  const server = await startServer(frames, scripts, css);
  const browser = await launchChromium({ preciseMemory: true });
  const runs = new Map(variants.map((name) => [name, []]));
  try {
    for (let round = 0; round < rounds; round++) {
      for (const name of variants) {
        log(`  markdown: ${name}, N=${n}, round ${round + 1}/${rounds}…`);
        runs.get(name).push(await runOne(browser, server, name, n, timeoutMs));
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const rows = variants.map((name) => {
    const all = runs.get(name);
    const unfinished = all.find((run) => run.skipped);
    if (unfinished) return unfinished;
    const sorted = [...all].sort((a, b) => a.timeToLastPaintMs - b.timeToLastPaintMs);
    return { ...sorted[Math.floor(sorted.length / 2)], timesMs: all.map((run) => Math.round(run.timeToLastPaintMs)) };
  });
  const result = { n, chars, rounds, rows, sizes: await sizes() };
  log(`\n${markdownTables(result)}\n`);
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { n: { type: "string", default: "50000" }, rounds: { type: "string", default: "3" }, variants: { type: "string" } },
  });
  await runMarkdownBench({
    n: Number(values.n),
    rounds: Number(values.rounds),
    ...(values.variants ? { variants: values.variants.split(",") } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  });
}
