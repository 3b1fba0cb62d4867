/**
 * SIGKILL mid-stream: a child process appends to a real SQLite history in a loop and is killed with SIGKILL.
 * Reopened, the history is a contiguous run of seq from 1 (no hole, no torn batch), it lost at most the last
 * `flushMs` (plus one commit) of events, and seq continues past everything the child had handed out.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../src/history/sqlite-store.js";
import { bundleForChild, outDir } from "./helpers.js";

const childPath = join(outDir, "history-kill-child.js");
const childSource = join(outDir, "history-kill-child.ts");

/**
 * The child: appends text events as a live stream would (small bursts, the event loop free in between, so the
 * flush timer runs) until it is killed. After each burst it prints "<head> <now>", so the parent knows what had
 * been handed out when it killed it. Bundled from source like the rest (test-output/ is next to src/).
 */
const CHILD = [
  'import { openSqliteStore } from "../src/history/sqlite-store.ts";',
  "",
  "const [path, flushMs] = process.argv.slice(2);",
  'const store = openSqliteStore(path, { flushMs: Number(flushMs), log: (m) => process.stderr.write(m + "\\n") });',
  'process.stdout.write("ready " + store.head() + "\\n");',
  "const burst = () => {",
  '  for (let i = 0; i < 20; i++) store.append("text_delta", "event " + (store.head() + 1) + " of a stream that will be killed", Date.now());',
  '  process.stdout.write(store.head() + " " + Date.now() + "\\n");',
  "  setTimeout(burst, 1);",
  "};",
  "burst();",
].join("\n");
const tmp = mkdtempSync(join(tmpdir(), "dd-history-kill-"));
beforeAll(async () => {
  writeFileSync(childSource, CHILD);
  await bundleForChild("history-kill-child", childSource, ["better-sqlite3"]);
}, 60_000);
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  rmSync(childPath, { force: true });
  rmSync(childSource, { force: true });
});

interface Killed {
  /** The last head the child reported before the kill, and when. */
  reportedHead: number;
  reportedAt: number;
  killedAt: number;
}

function runAndKill(path: string, flushMs: number, runMs: number): Promise<Killed> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [childPath, path, String(flushMs)], { stdio: ["ignore", "pipe", "pipe"] });
    let buffered = "";
    let reportedHead = 0;
    let reportedAt = 0;
    let killedAt = 0;
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout?.on("data", (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        if (line.startsWith("ready")) {
          setTimeout(() => {
            killedAt = Date.now();
            child.kill("SIGKILL");
          }, runMs);
          continue;
        }
        const [head, at] = line.split(" ").map(Number);
        if (killedAt === 0 && head !== undefined && at !== undefined) {
          reportedHead = head;
          reportedAt = at;
        }
      }
    });
    child.on("exit", (code, signal) => {
      if (signal !== "SIGKILL") reject(new Error(`child exited ${code} ${signal}: ${stderr}`));
      else resolve({ reportedHead, reportedAt, killedAt });
    });
  });
}

describe("SIGKILL mid-stream", () => {
  it("history intact up to the last committed batch (≤ flushMs of events lost); seq continues past the kill", async () => {
    const flushMs = 50;
    const path = join(tmp, "killed.sqlite");
    const figures: string[] = [];
    let worstLossMs = 0;
    let lastHead = 0;
    for (let run = 1; run <= 3; run++) {
      const killed = await runAndKill(path, flushMs, 600 + run * 137);
      const store = openSqliteStore(path, { log: () => {} });
      try {
        const all = store.range({ after: lastHead, limit: 1_000_000 });
        const stored = store.range({ before: Number.MAX_SAFE_INTEGER, limit: 1 })[0];
        expect(stored).toBeDefined();
        if (!stored) return;
        // Contiguous: every seq of this run's history is there, from where the previous run's next seq began.
        const seqs = all.map((e) => e.seq);
        expect((seqs.at(-1) ?? 0) - (seqs[0] ?? 0) + 1).toBe(seqs.length);
        for (const e of all) expect(e.data).toBe(`event ${e.seq} of a stream that will be killed`);
        // What the child had handed out by its last report is either stored or within the loss bound.
        const lostEvents = killed.reportedHead - stored.seq;
        const lossMs = killed.killedAt - stored.at;
        worstLossMs = Math.max(worstLossMs, lossMs);
        figures.push(
          `run ${run}: ${seqs.length} stored, head reported ${killed.reportedHead}, stored up to ${stored.seq} (${Math.max(0, lostEvents)} lost), ${lossMs} ms before the kill`,
        );
        // The bound: one flush interval plus a commit, with room for a loaded 2-core machine's timer delays.
        expect(lossMs).toBeLessThanOrEqual(flushMs + 250);
        // seq never goes back: the next one is past everything the child may have handed out.
        const next = store.append("upstream", "connected", Date.now());
        expect(next.seq).toBeGreaterThan(killed.reportedHead);
        lastHead = next.seq;
      } finally {
        store.close();
      }
    }
    console.log(`history SIGKILL (flushMs ${flushMs}): ${figures.join("; ")}; worst ${worstLossMs} ms`);
  }, 60_000);
});
