#!/usr/bin/env node
// `node scripts/build-if-stale.mjs [--force]`: `pnpm build` unless the last build made by this script is still
// current, with the build's output in node_modules/.cache/ductor-dashboard/build.log (printed only on failure).
//
// Current means both:
//  - inputs: a SHA-256 over the content of every file the build reads (packages/*/src/**, each package's
//    package.json, tsconfig.json, tsup/vite config and index.html; the root lockfile and tsconfig.base.json) equals
//    the one recorded after the last build. Content, not mtimes: a `git checkout` or a fresh clone rewrites mtimes
//    without changing anything, and a checkout can bring back older mtimes with different content.
//  - outputs: a SHA-256 over every file in packages/*/dist equals the one recorded then, so a `pnpm build` from
//    other sources in between (or a deleted/partial dist) is noticed and rebuilt.
// The record lives in node_modules/.cache/ductor-dashboard/build-stamp.json, never in dist/ (dist/ is published).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { logDir, runQuietly } from "./quiet.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const stampFile = join(logDir, "build-stamp.json");
const force = process.argv.includes("--force");

const packageDirs = readdirSync(join(root, "packages"))
  .map((name) => join(root, "packages", name))
  .filter((dir) => {
    const pkg = join(dir, "package.json");
    return existsSync(pkg) && Boolean(JSON.parse(readFileSync(pkg, "utf8")).scripts?.build);
  });

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

function hashFiles(files) {
  const hash = createHash("sha256");
  for (const file of [...files].sort()) {
    hash.update(relative(root, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

const perPackageConfig = ["package.json", "tsconfig.json", "tsup.config.ts", "vite.config.ts", "index.html"];
const inputFiles = () => [
  ...packageDirs.flatMap((dir) => [...filesUnder(join(dir, "src")), ...perPackageConfig.map((f) => join(dir, f)).filter(existsSync)]),
  ...["pnpm-lock.yaml", "tsconfig.base.json"].map((f) => join(root, f)).filter(existsSync),
];
const outputsHash = () => {
  const dists = packageDirs.map((dir) => join(dir, "dist"));
  if (!dists.every((d) => existsSync(d) && statSync(d).isDirectory())) return null;
  return hashFiles(dists.flatMap(filesUnder));
};

function readStamp() {
  try {
    return JSON.parse(readFileSync(stampFile, "utf8"));
  } catch {
    return null;
  }
}

const inputs = hashFiles(inputFiles());
const stamp = readStamp();
const outputs = outputsHash();
const reason = force
  ? "--force"
  : !stamp
    ? "first run"
    : stamp.inputs !== inputs
      ? "sources changed since the last build"
      : outputs === null
        ? "dist/ missing"
        : stamp.outputs !== outputs
          ? "dist/ changed since the last build"
          : null;
if (reason === null) process.exit(0);

// Under `pnpm run`, npm_execpath is that pnpm; otherwise the pinned major through npx.
const execpath = process.env.npm_execpath ?? "";
const [cmd, pre] = /pnpm/.test(execpath) ? [process.execPath, [execpath]] : ["npx", ["-y", "pnpm@10"]];
const started = performance.now();
process.stderr.write(`building the packages (${reason})… `);
const code = await runQuietly("build", cmd, [...pre, "build"]);
if (code !== 0) process.exit(code);
// Hash the inputs again: a file edited during the build must not be stamped as built.
const after = hashFiles(inputFiles());
writeFileSync(
  stampFile,
  `${JSON.stringify({ inputs: after === inputs ? inputs : null, outputs: outputsHash(), builtAt: new Date().toISOString() }, null, 2)}\n`,
);
process.stderr.write(`done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
