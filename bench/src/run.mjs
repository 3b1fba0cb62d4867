#!/usr/bin/env node
// `pnpm bench`: every benchmark, one table, one JSON file. Each figure stands beside the baseline it was run with
// in the same process or browser, as a ratio. Flags: --quick (small N), --only render,markdown,client,fanout,relay,ingest,reload,sizes,
// --variants parse-only,xterm.js (render variants), --timeout-s 90 (per render run), --site DIR (the built site the
// reload benchmark serves; default: @ductor/dashboard-ui's dist/site).
import { mkdir, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { renderTables } from "./table.mjs";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string", default: "render,markdown,client,fanout,relay,ingest,reload,sizes" },
    "timeout-s": { type: "string", default: "90" },
    variants: { type: "string" },
    repeat: { type: "string", default: "3" },
    site: { type: "string" },
  },
});
const only = new Set(values.only.split(","));
const quick = values.quick;
const log = (line) => process.stderr.write(`${line}\n`);

const results = { date: new Date().toISOString(), node: process.version, quick };
// Imported lazily, so that `--only sizes` does not need Chromium nor the others' packages built.
if (only.has("sizes")) results.sizes = await (await import("./sizes-bench.mjs")).runSizesBench();
if (only.has("client"))
  results.clientDecode = await (await import("./client-decode-bench.mjs")).runClientDecodeBench({
    n: quick ? 50_000 : 200_000,
    rounds: quick ? 3 : 5,
    log,
  });
if (only.has("fanout"))
  results.fanout = await (await import("./fanout-bench.mjs")).runFanoutBench({
    events: quick ? 2_000 : 10_000,
    clientCounts: [1, 10, 100],
    log,
  });
if (only.has("relay"))
  results.relay = await (await import("./relay-bench.mjs")).runRelayBench({ events: quick ? 20_000 : 100_000, rounds: quick ? 1 : 3, log });
if (only.has("ingest"))
  results.ingest = await (await import("./ingest-bench.mjs")).runIngestBench({ events: quick ? 50_000 : 200_000, rounds: 3, log });
if (only.has("reload"))
  results.reload = await (await import("./reload-bench.mjs")).runReloadBench({
    reloads: quick ? 3 : 7,
    rounds: quick ? 3 : 5,
    ...(values.site ? { builtSite: values.site } : {}),
    log,
  });
if (only.has("markdown"))
  results.markdown = await (await import("./markdown-bench.mjs")).runMarkdownBench({ n: quick ? 20_000 : 50_000, log });
if (only.has("render")) {
  results.render = await (await import("./render-bench.mjs")).runRenderBench({
    counts: quick ? [20_000] : [50_000, 1_000_000],
    naiveUpTo: 50_000,
    repeat: Number(values.repeat),
    ...(values.variants ? { variants: values.variants.split(",") } : {}),
    timeoutMs: Number(values["timeout-s"]) * 1000,
    log,
  });
}

const outDir = fileURLToPath(new URL("../results/", import.meta.url));
await mkdir(outDir, { recursive: true });
await writeFile(`${outDir}latest.json`, `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`${renderTables(results)}\n`);
process.stdout.write(`\n(JSON: bench/results/latest.json)\n`);
