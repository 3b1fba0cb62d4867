#!/usr/bin/env node
// `node scripts/quiet.mjs LABEL COMMAND [ARGS…]`: run a command with its output kept out of the terminal.
// On success nothing is printed (a one-line notice if it is still running after 3 s) and the output goes to
// node_modules/.cache/ductor-dashboard/LABEL.log; on failure the whole output is printed, then the exit code is
// passed on. Used by `npm run demo` / `npm run serve` so their URL is not buried under install and build logs.
// Node built-ins only: it runs before the dependencies are installed.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const logDir = join(root, "node_modules", ".cache", "ductor-dashboard");

/**
 * Runs `cmd args` with stdin closed and stdout+stderr captured. Resolves with the exit code after writing the
 * log (the cache folder is created only afterwards: an install must find node_modules as it left it) and, on
 * failure, printing the output. `notice` is printed if the command runs longer than `noticeAfterMs`.
 */
export function runQuietly(label, cmd, args, { notice, noticeAfterMs = 3_000, env = process.env } = {}) {
  return new Promise((done) => {
    const chunks = [];
    // The output is captured, so let it be complete: `npm run -s` passes npm_config_loglevel=silent down, and
    // pnpm then hides even a failing build's errors.
    const childEnv = Object.fromEntries(Object.entries(env).filter(([k]) => k.toLowerCase() !== "npm_config_loglevel"));
    const child = spawn(cmd, args, { cwd: root, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    const timer = notice ? setTimeout(() => process.stderr.write(`${notice}\n`), noticeAfterMs) : undefined;
    child.stdout.on("data", (c) => chunks.push(c));
    child.stderr.on("data", (c) => chunks.push(c));
    const finish = (code, extra = "") => {
      clearTimeout(timer);
      const output = Buffer.concat(chunks).toString("utf8") + extra;
      const log = join(logDir, `${label}.log`);
      let where = relative(process.cwd(), log) || log;
      try {
        mkdirSync(logDir, { recursive: true });
        writeFileSync(log, `$ ${[cmd, ...args].join(" ")}\n${output}`);
      } catch {
        where = "(not written)";
      }
      if (code !== 0) {
        process.stderr.write(
          `\n${output}\n${label} failed: \`${[cmd, ...args].join(" ")}\` exited with ${code} (output above, also in ${where})\n`,
        );
      }
      done(code);
    };
    child.on("error", (err) => finish(127, `\n${err.message}\n`));
    child.on("close", (code, signal) => finish(code ?? (signal ? 128 : 1)));
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [label, cmd, ...args] = process.argv.slice(2);
  if (!label || !cmd) {
    process.stderr.write("usage: node scripts/quiet.mjs LABEL COMMAND [ARGS…]\n");
    process.exit(2);
  }
  const notices = { install: "installing dependencies (pnpm, frozen lockfile)…" };
  process.exitCode = await runQuietly(label, cmd, args, { notice: notices[label] ?? `${label}…` });
}
