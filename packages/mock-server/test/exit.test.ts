import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "tsup";
import { expect, it } from "vitest";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
// One level below the package root, like dist/, so the bundled recordings resolve the same way.
const outDir = join(pkg, "test-output");

/**
 * The strongest check that close() leaves nothing running: a real Node process starts a server with
 * clients, heartbeats, a looping replay and pending fault timers, calls close(), and must then exit
 * on its own (an open handle would keep it alive until the kill timeout).
 */
it("after close() the process exits by itself", async () => {
  mkdirSync(outDir, { recursive: true });
  await build({ entry: { "exit-lib": join(pkg, "src/index.ts") }, outDir, format: ["esm"], silent: true, shims: true, external: ["ws"] });
  writeFileSync(
    join(outDir, "exit-main.mjs"),
    `import { startMockServer } from "./exit-lib.js";
import { WebSocket } from "ws";
const s = await startMockServer({ recording: "coding-session", speed: 5, loop: true, heartbeatMs: 200,
  faults: { dropEveryMs: 60_000, httpDelayMs: 30_000 } });
const ws = new WebSocket(s.streamUrl + "?token=" + s.token);
const bad = new WebSocket(s.streamUrl + "?token=nope");
bad.on("error", () => {});
await new Promise((r) => ws.once("message", r));
fetch(s.url + "/health").catch(() => {});
const code = new Promise((r) => ws.once("close", (c) => r(c)));
await new Promise((r) => setTimeout(r, 100));
await s.close();
console.log("closed", await code);
`,
  );
  // ws must resolve from the package, so run from there.
  const child = spawn(process.execPath, [join(outDir, "exit-main.mjs")], { cwd: pkg, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const killer = setTimeout(() => child.kill("SIGKILL"), 8000);
  const [exitCode, signal] = await new Promise<[number | null, string | null]>((r) => child.on("exit", (c, s) => r([c, s])));
  clearTimeout(killer);
  expect(signal, out).toBeNull();
  expect(exitCode, out).toBe(0);
  expect(out).toContain("closed 1001");
}, 20_000);
