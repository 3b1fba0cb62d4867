#!/usr/bin/env node
// What a user gets from npm: pack every publishable package the way we publish (pnpm, which rewrites
// `workspace:` ranges to real versions), then install the tarballs with plain npm into an empty project and use
// them from an ESM file, a CommonJS file, a TypeScript file compiled with `tsc` (module nodenext, strict), and
// through their bins. publint and attw look at one package at a time; this catches what only shows when the
// packages meet npm and each other (e.g. `npm pack` shipping `"workspace:*"`, which npm refuses to install).
//
//   node scripts/check-packages.mjs                  pack packages/* with pnpm (needs a build: `pnpm build`)
//   node scripts/check-packages.mjs --tarballs DIR   check ready-made tarballs instead (e.g. `npm pack` output)
//   node scripts/check-packages.mjs --keep           keep the temp folder (it is always kept on failure)
//
// Quiet on success (one line), loud on failure (every failed step with its command and output). Exit 1 on failure.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const started = performance.now();
const args = process.argv.slice(2);
const keep = args.includes("--keep");
const tarballsArg = args.includes("--tarballs") ? args[args.indexOf("--tarballs") + 1] : undefined;
if (args.includes("--tarballs") && !tarballsArg) fail0("--tarballs needs a folder");

function fail0(message) {
  console.error(`check-packages: ${message}`);
  process.exit(1);
}

/** Publishable packages: packages/* that are not private. */
const packages = readdirSync(join(root, "packages"))
  .map((name) => join(root, "packages", name))
  .filter((dir) => existsSync(join(dir, "package.json")))
  .map((dir) => ({ dir, json: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
  .filter((p) => !p.json.private);

const work = mkdtempSync(join(tmpdir(), "ductor-check-packages-"));
const failures = [];

function run(cmd, cmdArgs, options = {}) {
  const r = spawnSync(cmd, cmdArgs, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 120_000, ...options });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim();
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : `exit ${r.status ?? r.signal}`;
    throw new Error(`$ ${[cmd, ...cmdArgs].join(" ")}  (in ${options.cwd ?? process.cwd()})\n${why}\n${output}`);
  }
  return r.stdout ?? "";
}

function step(name, fn) {
  try {
    fn();
    return true;
  } catch (err) {
    failures.push({ name, message: err instanceof Error ? err.message : String(err) });
    return false;
  }
}

/** The files of a .tgz as a Map(path → Buffer) (ustar, as npm and pnpm write it). */
function readTarball(file) {
  const buf = gunzipSync(readFileSync(file));
  const files = new Map();
  let longName;
  for (let off = 0; off + 512 <= buf.length; ) {
    const header = buf.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const str = (a, b) => header.subarray(a, b).toString("utf8").replace(/\0.*$/s, "");
    const size = parseInt(str(124, 136).trim() || "0", 8);
    const type = str(156, 157);
    const prefix = str(345, 500);
    const name = longName ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100));
    longName = undefined;
    const body = buf.subarray(off + 512, off + 512 + size);
    if (type === "L") longName = body.toString("utf8").replace(/\0.*$/s, "");
    else if (type === "0" || type === "") files.set(name.replace(/^[^/]+\//, ""), body);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

// 1. Tarballs: pnpm pack (or the folder given).
const tarDir = tarballsArg ? resolve(tarballsArg) : join(work, "tarballs");
let tarballs = [];
const packed = step(tarballsArg ? `tarballs in ${tarDir}` : "pnpm pack", () => {
  if (!tarballsArg) {
    const missing = packages.filter((p) => !existsSync(join(p.dir, "dist")));
    if (missing.length) {
      throw new Error(`not built: ${missing.map((p) => p.json.name).join(", ")} have no dist/. Run \`npx pnpm@10 build\` first.`);
    }
    mkdirSync(tarDir, { recursive: true });
    // Under `pnpm run`, npm_execpath is the running pnpm; otherwise fetch the one the repo pins (major 10).
    const execpath = process.env.npm_execpath ?? "";
    const [cmd, pre] = /pnpm/.test(execpath) ? [process.execPath, [execpath]] : ["npx", ["-y", "pnpm@10"]];
    for (const p of packages) run(cmd, [...pre, "pack", "--pack-destination", tarDir], { cwd: p.dir });
  }
  tarballs = readdirSync(tarDir)
    .filter((f) => f.endsWith(".tgz"))
    .map((f) => join(tarDir, f));
  if (tarballs.length === 0) throw new Error(`no .tgz in ${tarDir}`);
});

// 2. Every packed package.json: no `workspace:` range left (npm cannot install one), and every package present.
const inTarballs = new Map();
if (packed) {
  step("packed package.json files", () => {
    const problems = [];
    for (const file of tarballs) {
      const pkgJson = readTarball(file).get("package.json");
      if (!pkgJson) {
        problems.push(`${file}: no package/package.json`);
        continue;
      }
      const json = JSON.parse(pkgJson.toString("utf8"));
      inTarballs.set(json.name, { file, json });
      for (const field of ["dependencies", "peerDependencies", "optionalDependencies", "devDependencies"]) {
        for (const [dep, range] of Object.entries(json[field] ?? {})) {
          if (String(range).startsWith("workspace:")) {
            problems.push(`${json.name}: ${field}["${dep}"] is "${range}" (npm refuses workspace: ranges; pack with pnpm)`);
          }
        }
      }
    }
    for (const p of packages) if (!inTarballs.has(p.json.name)) problems.push(`${p.json.name}: no tarball`);
    if (problems.length) throw new Error(problems.join("\n"));
  });
}

// 3. An empty project; plain npm installs every tarball (third-party dependencies from the registry).
const project = join(work, "consumer");
mkdirSync(project, { recursive: true });
writeFileSync(join(project, "package.json"), `${JSON.stringify({ name: "consumer", version: "1.0.0", private: true }, null, 2)}\n`);
// Nothing of the pnpm run that started us may steer npm (npm_config_* from pnpm, a workspace root above).
const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && !/^pnpm_/i.test(k)));
const installed =
  packed &&
  step("npm install of the tarballs", () => {
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs], {
      cwd: project,
      env: npmEnv,
    });
  });

const names = packages.map((p) => p.json.name);

// 4. Consumers. Each one uses what its package promises and proves it works end to end where Node can.
if (installed) {
  writeFileSync(
    join(project, "esm.mjs"),
    `import assert from "node:assert/strict";
import { DashboardClient, APIError, ProtocolError, DashboardStream } from "@ductor/dashboard-client";
import { startMockServer, BUNDLED_RECORDINGS } from "@ductor/mock-server";
import { mount, createStreamRenderer } from "@ductor/dashboard-ui";
import { startDashboardServer, CONTENT_SECURITY_POLICY } from "@ductor/dashboard-server";

for (const fn of [DashboardClient, APIError, ProtocolError, DashboardStream, startMockServer, mount, createStreamRenderer, startDashboardServer]) {
  assert.equal(typeof fn, "function");
}
assert.ok(BUNDLED_RECORDINGS.includes("coding-session"));
assert.equal(typeof CONTENT_SECURITY_POLICY, "string");
assert.ok(import.meta.resolve("@ductor/dashboard-ui/style.css").endsWith("/dist/style.css"));

// The bundled recording ships; the client talks to the mock directly and through the dashboard server's proxy.
const mock = await startMockServer({ recording: "coding-session", autoplay: "manual" });
const dash = await startDashboardServer({ ductor: mock.url, token: mock.token });
try {
  const direct = new DashboardClient({ baseUrl: mock.url, token: mock.token });
  assert.equal(typeof (await direct.status()).provider, "string");
  assert.ok(Array.isArray(await direct.sessions()));
  const page = await fetch(dash.url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<script[^>]+src=/);
  const proxied = new DashboardClient({ baseUrl: dash.url.replace(/\\/$/, ""), token: mock.token });
  assert.equal((await proxied.health()).status, "ok");
  const stream = proxied.stream();
  await new Promise((ok, ko) => {
    const timer = setTimeout(() => ko(new Error("no stream open through the proxy in 10 s")), 10_000);
    stream.on("open", () => { clearTimeout(timer); ok(); });
    stream.on("error", (e) => { clearTimeout(timer); ko(e.error ?? e); });
  });
  stream.close();
} finally {
  await dash.close();
  await mock.close();
}
`,
  );
  step("ESM consumer (node esm.mjs)", () => run(process.execPath, ["esm.mjs"], { cwd: project }));

  writeFileSync(
    join(project, "cjs.cjs"),
    `const assert = require("node:assert/strict");
const { DashboardClient, APIError } = require("@ductor/dashboard-client");
const { startMockServer } = require("@ductor/mock-server");
const { mount, createStreamRenderer } = require("@ductor/dashboard-ui");
const { startDashboardServer } = require("@ductor/dashboard-server");

for (const fn of [DashboardClient, APIError, startMockServer, mount, createStreamRenderer, startDashboardServer]) {
  assert.equal(typeof fn, "function");
}
assert.ok(require.resolve("@ductor/dashboard-ui/style.css").endsWith("style.css"));

(async () => {
  const mock = await startMockServer({ recording: "coding-session", autoplay: "manual" });
  const dash = await startDashboardServer({ ductor: mock.url });
  try {
    const client = new DashboardClient({ baseUrl: mock.url, token: mock.token });
    assert.equal(typeof (await client.status()).model, "string");
    assert.equal((await fetch(dash.url)).status, 200);
  } finally {
    await dash.close();
    await mock.close();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
`,
  );
  step("CJS consumer (node cjs.cjs)", () => run(process.execPath, ["cjs.cjs"], { cwd: project }));

  // tsc: one ES module and one CommonJS file, so both the import and the require types are compiled.
  const typed = (
    kind,
  ) => `${kind === "esm" ? "" : "// CommonJS: these imports compile to require() and resolve the .d.cts types.\n"}import { DashboardClient, APIError, type Status, type Session, type LogChunk } from "@ductor/dashboard-client";
import { startMockServer, type MockServer, type MockServerOptions } from "@ductor/mock-server";
import { mount, createStreamRenderer, type MountedDashboard } from "@ductor/dashboard-ui";
import { startDashboardServer, type DashboardServer } from "@ductor/dashboard-server";

export async function consumer(el: HTMLElement): Promise<void> {
  const options: MockServerOptions = { recording: "coding-session", speed: 0, faults: { dropAfterEvents: 10 } };
  const mock: MockServer = await startMockServer(options);
  const client = new DashboardClient({ baseUrl: mock.url, token: mock.token, timeoutMs: 5_000 });
  const status: Status = await client.status();
  const sessions = await client.sessions();
  const first: Session | undefined = sessions[0];
  const chunk: LogChunk = await client.logs.read("agent.log", { tail: 1024 });
  const text: string = chunk.text;
  const stream = client.stream({ maxDelayMs: 1_000 });
  const off: () => void = stream.on("text_delta", (ev) => {
    const data: string = ev.data;
    void data;
  });
  off();
  stream.close();
  try {
    await client.health();
  } catch (err) {
    if (err instanceof APIError) {
      const code: number = err.status;
      void code;
    }
  }
  const dash: DashboardServer = await startDashboardServer({ ductor: mock.url, token: mock.token });
  const url: string = dash.url;
  const mounted: MountedDashboard = mount(el, { client });
  mounted.destroy();
  void createStreamRenderer;
  // @ts-expect-error the types are real, not any: a provider is no number
  const wrong: number = status.provider;
  void [first, text, url, wrong];
  await dash.close();
  await mock.close();
}
`;
  writeFileSync(join(project, "typed.mts"), typed("esm"));
  writeFileSync(join(project, "typed.cts"), typed("cjs"));
  writeFileSync(
    join(project, "tsconfig.json"),
    `${JSON.stringify(
      {
        compilerOptions: {
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          lib: ["es2022", "dom"],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ["node"],
          // Node's types from the workspace (a consumer would install @types/node; it need not come from the registry here).
          typeRoots: [join(root, "node_modules", "@types")],
        },
        files: ["typed.mts", "typed.cts"],
      },
      null,
      2,
    )}\n`,
  );
  step("tsc consumer (tsc --noEmit, module nodenext, strict)", () =>
    run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], { cwd: project }),
  );

  // Bins, as npm installed them (shebang, executable bit, their dependencies), each answering --version.
  for (const { json } of packages) {
    for (const bin of Object.keys(json.bin ?? {})) {
      step(`${bin} --version (from ${json.name})`, () => {
        const out = run(join(project, "node_modules", ".bin", bin), ["--version"], { cwd: project, env: npmEnv }).trim();
        if (!out.includes(json.version)) throw new Error(`${bin} --version printed "${out}", expected it to contain ${json.version}`);
      });
    }
  }
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (failures.length) {
  console.error(`\ncheck-packages: ${failures.length} FAILED (temp folder kept: ${work})\n`);
  for (const f of failures) console.error(`✗ ${f.name}\n${f.message.replace(/^/gm, "    ")}\n`);
  process.exit(1);
}
if (!keep) rmSync(work, { recursive: true, force: true });
const bins = packages.flatMap((p) => Object.keys(p.json.bin ?? {}));
const npmVersion = execFileSync("npm", ["--version"], { encoding: "utf8", env: npmEnv }).trim();
console.log(
  `check-packages: ${tarballs.length} tarballs (${names.join(", ")}) install with npm ${npmVersion}; ` +
    `ESM, CJS and tsc (nodenext) consumers and ${bins.map((b) => `${b} --version`).join(", ")} pass (${seconds} s)` +
    (keep ? `; kept ${work}` : ""),
);
