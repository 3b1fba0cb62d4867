import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "tsup";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
// Inside the package so that the child resolves `ws` and `isomorphic-ws` from the package's node_modules.
const outDir = join(pkg, "test-output");

/**
 * Builds the client from source into one ESM file a child process can import. What only a whole process
 * can show (does it exit by itself? does a throw kill it?) needs a real process, not a vitest worker,
 * which catches uncaught errors and keeps its own handles open.
 */
export async function buildClientForChild(name: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  // config: false, or tsup would pick up the package's tsup.config.ts (clean: true) when run from the package
  // and wipe the libraries of test files building in parallel.
  await build({
    entry: { [name]: join(pkg, "src/index.ts") },
    outDir,
    format: ["esm"],
    silent: true,
    external: ["ws", "isomorphic-ws"],
    config: false,
    clean: false,
  });
  return `./${name}.js`;
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved, for assertion messages. */
  out: string;
  /** True when the child had to be killed because it did not exit within the time allowed. */
  killed: boolean;
}

/** Writes `source` next to the built client, runs it with `env`, and waits for it to exit (SIGKILL after `timeoutMs`). */
export async function runChild(file: string, source: string, env: Record<string, string>, timeoutMs: number): Promise<ChildResult> {
  const path = join(outDir, file);
  writeFileSync(path, source);
  const child = spawn(process.execPath, [path], { cwd: pkg, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  let killed = false;
  const killer = setTimeout(() => {
    killed = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on("exit", (c, s) => resolve([c, s])),
  );
  clearTimeout(killer);
  return { code, signal, out, killed };
}
