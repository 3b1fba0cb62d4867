import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "tsup";
import { beforeAll, expect, it } from "vitest";
import { startMockServer } from "../src/index.js";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
// One level below the package root, like dist/, so `../package.json` resolves as it does when installed.
const outDir = join(pkg, "test-output");
const version = (JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")) as { version: string }).version;

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  await build({
    config: false,
    entry: { "cli-under-test": join(pkg, "src/cli.ts") },
    outDir,
    format: ["esm"],
    silent: true,
    shims: true,
    external: ["ws", "commander"],
  });
}, 30_000);

function run(
  args: string[],
  env: Record<string, string> = {},
  onStderr?: (text: string, child: ReturnType<typeof spawn>) => void,
): Promise<{ code: number | null; out: string; err: string }> {
  const { DUCTOR_API_TOKEN: _inherited, ...base } = process.env;
  const child = spawn(process.execPath, [join(outDir, "cli-under-test.js"), ...args], {
    cwd: pkg,
    env: { ...base, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
    onStderr?.(err, child);
  });
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
  const child = spawn(
    process.execPath,
    [join(outDir, "cli-under-test.js"), "serve", "--port", "0", "--shift-times", "--max-connections", "4", "--max-backlog", "1048576"],
    {
      cwd: pkg,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
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

it("record takes the token from $DUCTOR_API_TOKEN (argv is readable in ps) and refuses to start without one", async () => {
  const none = await run(["record", "--url", "http://127.0.0.1:9", "--out", join(outDir, "never.jsonl")]);
  expect(none.code).toBe(1);
  expect(none.err).toMatch(/no token: set DUCTOR_API_TOKEN/);

  const mock = await startMockServer({ recording: "coding-session", speed: 0, autoplay: "manual" });
  try {
    const out = join(outDir, "recorded.jsonl");
    let interrupted = false; // one Ctrl-C: a second one means "exit now" (130)
    const r = await run(["record", "--url", mock.url, "--out", out], { DUCTOR_API_TOKEN: mock.token }, (text, child) => {
      if (interrupted || !/recording /.test(text)) return;
      interrupted = true;
      setTimeout(() => child.kill("SIGINT"), 300);
    });
    expect(r.code, r.err).toBe(0);
    expect(r.err).not.toMatch(/warning/);
    expect(r.err).toMatch(/recorded \d+ events and \d+ snapshots/);
    expect(JSON.parse(readFileSync(out, "utf8").split("\n")[0]!)).toMatchObject({ ductorRecording: 1 });
  } finally {
    await mock.close();
  }
});
