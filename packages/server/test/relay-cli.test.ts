/**
 * `ductor-dashboard serve` as a relay in a child process: the history flags, and a relay killed with SIGKILL
 * mid-stream and started again on the same SQLite file: what was stored is a gap-free prefix of what ductor (the
 * mock) sent, lost at most the last moments before the kill (the store's batch interval), and seq continues.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockServer, type MockServer } from "@ductor/mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleForChild, CLI_EXTERNALS, outDir, pkgDir, siteDir } from "./helpers.js";
import { waitFor } from "./relay-support.js";

const cliPath = join(outDir, "relay-cli-under-test.js");
let tmp: string;
let mock: MockServer;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  await bundleForChild("relay-cli-under-test", join(pkgDir, "src/cli.ts"), CLI_EXTERNALS);
  tmp = mkdtempSync(join(tmpdir(), "dd-relay-kill-"));
  mock = await startMockServer({});
}, 60_000);
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await mock?.close();
  rmSync(tmp, { recursive: true, force: true });
  rmSync(cliPath, { force: true });
});

interface Run {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
}

/** Start `serve` (with ductor's token unless `token` is null); resolve once it printed `until` (default: its URL line). */
function startServe(args: string[], { token = mock.token as string | null, until = /^ductor dashboard on \S+\n/ } = {}): Promise<Run> {
  const { DUCTOR_API_TOKEN: _inherited, ...base } = process.env;
  const child = spawn(process.execPath, [cliPath, "serve", "--ductor", mock.url, "--port", "0", "--site", siteDir, ...args], {
    env: { ...base, ...(token ? { DUCTOR_API_TOKEN: token } : {}), XDG_STATE_HOME: join(tmp, "state") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  child.on("exit", () => children.delete(child));
  let out = "";
  let err = "";
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const url = /^ductor dashboard on (\S+)\n/.exec(out)?.[1];
      if (url && until.test(out + err)) resolve({ child, url, stdout: () => out, stderr: () => err });
    };
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      check();
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      err += chunk;
      check();
    });
    child.once("exit", (code) => reject(new Error(`serve exited ${code}: ${out}${err}`)));
  });
}

/** SIGTERM, and wait until it is gone (its upstream socket with it). */
const stop = (run: Run): Promise<void> =>
  new Promise((resolve) => {
    if (run.child.exitCode !== null) return resolve();
    run.child.once("exit", () => resolve());
    run.child.kill("SIGTERM");
  });

/** Start the relay on a SQLite file; resolve with its URL once it printed it. */
const startRelayProcess = (history: string) => startServe(["--history", history]);

/** Run `serve` expecting it to fail at once; resolve with its stderr. */
function failingServe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [cliPath, "serve", "--ductor", mock.url, "--port", "0", "--site", siteDir, ...args], {
    env: { ...process.env, DUCTOR_API_TOKEN: mock.token, XDG_STATE_HOME: join(tmp, "state") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stderr: err })));
}

describe("serve's history flags", () => {
  it("with the token: the relay, on $XDG_STATE_HOME/ductor-dashboard/history.sqlite by default", async () => {
    const run = await startServe([], { until: /relay: recording/ });
    const path = join(tmp, "state", "ductor-dashboard", "history.sqlite");
    expect(run.stdout()).toContain(`relay: recording ductor's stream into ${path}\n`);
    expect(existsSync(path)).toBe(true);
    expect(run.stdout().split("\n")[0]).toMatch(/^ductor dashboard on http:\/\/127\.0\.0\.1:\d+\/$/);
    await stop(run);
  });

  it("--no-history with --retain and --max-history: the in-memory ring", async () => {
    const run = await startServe(["--no-history", "--retain", "30d", "--max-history", "64MiB"], { until: /relay: recording/ });
    expect(run.stdout()).toContain("relay: recording ductor's stream in memory (--no-history)\n");
    await stop(run);
  });

  it("refuses bad --retain and --max-history values before listening", async () => {
    for (const [flag, value, what] of [
      ["--retain", "30", /duration/],
      ["--retain", "1w", /duration/],
      ["--max-history", "1XB", /size/],
      ["--max-history", "-5MB", /size/],
    ] as const) {
      const { code, stderr } = await failingServe([flag, value]);
      expect(code, `${flag} ${value}`).not.toBe(0);
      expect(stderr, `${flag} ${value}`).toMatch(what);
    }
  });

  it("without a token: a plain proxy, and it says so on stderr", async () => {
    const run = await startServe(["--retain", "1d"], { token: null, until: /note: no token/ });
    expect(run.stderr()).toMatch(/no relay and no history.*history options are ignored/);
    expect(run.stdout()).not.toContain("relay:");
    await stop(run);
  });
});

interface Page {
  events: { seq: number; at: number; type: string; data: string | null }[];
  oldest: number;
  head: number;
}

async function allEvents(url: string): Promise<Page["events"]> {
  const events: Page["events"] = [];
  for (let after = 0; ; ) {
    const res = await fetch(new URL(`/dashboard/history?after=${after}&limit=1000`, url), {
      headers: { authorization: `Bearer ${mock.token}` },
    });
    const page = (await res.json()) as Page;
    if (page.events.length === 0) return events;
    events.push(...page.events);
    after = page.events.at(-1)!.seq;
  }
}

describe("the relay killed with SIGKILL mid-stream", () => {
  it("keeps a gap-free prefix of what it received, and seq goes on after the restart", async () => {
    const file = join(tmp, "history.sqlite");
    await waitFor(() => mock.streamClients() === 0, 10_000, "no relay left from other tests");
    const first = await startRelayProcess(file);
    await waitFor(() => mock.streamClients() === 1, 10_000, "the relay's upstream");
    const connection = Math.max(...mock.sent().map((s) => s.connection));
    // ~2 000 events/s for about a second; the kill lands in the middle.
    let sent = 0;
    let killedAt = 0;
    while (sent < 4_000) {
      for (let i = 0; i < 10; i++) mock.broadcast({ type: "text_delta", data: `line ${++sent}` });
      await new Promise((r) => setTimeout(r, 5));
      if (sent === 2_000) {
        killedAt = Date.now();
        first.child.kill("SIGKILL");
      }
      if (killedAt && mock.streamClients() === 0) break;
    }
    const delivered = mock.sent().filter((s) => s.connection === connection).length - 1; // less the auth ping

    const second = await startRelayProcess(file);
    await waitFor(() => mock.streamClients() === 1, 10_000, "upstream again");
    mock.broadcast({ type: "text_delta", data: "after restart" });
    let events: Page["events"] = [];
    const deadline = Date.now() + 15_000; // generous: the restarted relay is a child process on a busy machine
    while (!events.some((e) => e.data === "after restart") && Date.now() < deadline) {
      events = await allEvents(second.url);
      await new Promise((r) => setTimeout(r, 50));
    }
    const before = events.filter((e) => e.type === "text_delta" && e.data !== "after restart");
    // A gap-free prefix of what ductor sent: line 1..k, in order, nothing twice.
    expect(before.map((e) => e.data)).toEqual(Array.from({ length: before.length }, (_, i) => `line ${i + 1}`));
    expect(before.length).toBeLessThanOrEqual(delivered);
    const lastKept = before.at(-1)!;
    const lostMs = killedAt - lastKept.at;
    console.log(
      "relay SIGKILL figures",
      JSON.stringify({ sentBeforeKill: delivered, kept: before.length, lost: delivered - before.length, lastKeptMsBeforeKill: lostMs }),
    );
    expect(before.length).toBeGreaterThan(1_000);
    // The store commits every 50 ms: what was lost arrived in about the last batch before the kill.
    expect(lostMs).toBeLessThan(500);
    // seq goes on: the restart's rows and events come after everything stored before, never reusing a seq.
    const after = events.slice(events.indexOf(lastKept) + 1);
    // The crash is explicit in history: the restarted relay records the "disconnected" the killed one could not.
    expect(after.map((e) => [e.type, e.data])).toEqual([
      ["upstream", "disconnected"],
      ["upstream", "connected"],
      ["text_delta", "after restart"],
    ]);
    expect(after[0]!.seq).toBeGreaterThan(lastKept.seq);
    const seqs = events.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    await stop(second);
  }, 60_000);
});
