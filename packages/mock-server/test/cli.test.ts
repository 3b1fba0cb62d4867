import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "tsup";
import { beforeAll, expect, it } from "vitest";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
// One level below the package root, like dist/, so `../package.json` resolves as it does when installed.
const outDir = join(pkg, "test-output");
const version = (JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")) as { version: string }).version;

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  await build({ entry: { "cli-under-test": join(pkg, "src/cli.ts") }, outDir, format: ["esm"], silent: true, shims: true, external: ["ws", "commander"] });
}, 30_000);

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [join(outDir, "cli-under-test.js"), ...args], { cwd: pkg, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const killer = setTimeout(() => child.kill("SIGKILL"), 8000);
  return new Promise((resolve) =>
    child.on("exit", (code) => {
      clearTimeout(killer);
      resolve({ code, out, err });
    }),
  );
}

it("--version prints the package version and exits 0", async () => {
  for (const flag of ["--version", "-V"]) {
    const r = await run([flag]);
    expect(r.code, r.err).toBe(0);
    expect(r.out.trim()).toBe(version);
  }
});

it("serve --help lists the limit and time-shift flags", async () => {
  const r = await run(["serve", "--help"]);
  expect(r.code, r.err).toBe(0);
  for (const flag of ["--max-backlog <bytes>", "--max-connections <n>", "--shift-times"]) expect(r.out).toContain(flag);
});

it("serve takes the new flags and says when times are shifted", async () => {
  const child = spawn(process.execPath, [join(outDir, "cli-under-test.js"), "serve", "--port", "0", "--shift-times", "--max-connections", "4", "--max-backlog", "1048576"], {
    cwd: pkg,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no banner: ${out}`)), 8000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("Ctrl-C to stop.")) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  child.kill("SIGINT");
  expect(await exited).toBe(0);
  expect(out).toMatch(/times: +shifted by \d+ s so the newest is now/);
});
