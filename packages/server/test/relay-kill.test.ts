/**
 * `ductor-dashboard serve` as a relay in a child process, killed with SIGKILL mid-stream and started again on
 * the same SQLite file: what was stored is a gap-free prefix of what ductor (the mock) sent, lost at most the
 * last moments before the kill (the store's batch interval), and seq continues after the restart.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockServer, type MockServer } from "@ductor/mock-server";
import { build } from "tsup";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outDir, pkgDir, siteDir } from "./helpers.js";
import { waitFor } from "./relay-support.js";

const cliPath = join(outDir, "relay-kill-cli-under-test.js");
let tmp: string;
let mock: MockServer;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  await build({
    config: false,
    entry: { "relay-kill-cli-under-test": join(pkgDir, "src/cli.ts") },
    outDir,
    format: ["esm"],
    platform: "node",
    target: "node20",
    dts: false,
    sourcemap: false,
    clean: false,
    silent: true,
    external: ["commander", "http-proxy-3", "sirv", "@ductor/mock-server", "ws", "better-sqlite3"],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    esbuildOptions(options) {
      options.alias = {
        "@ductor/mock-server/shutdown": join(pkgDir, "../mock-server/src/shutdown.ts"),
        "@ductor/dashboard-client": join(pkgDir, "../client/src/index.ts"),
      };
    },
  });
  tmp = mkdtempSync(join(tmpdir(), "dd-relay-kill-"));
  mock = await startMockServer({});
}, 60_000);
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await mock?.close();
  rmSync(tmp, { recursive: true, force: true });
  rmSync(cliPath, { force: true });
});

/** Start the relay; resolve with its URL once it printed it. */
function startRelayProcess(history: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [cliPath, "serve", "--ductor", mock.url, "--port", "0", "--site", siteDir, "--history", history], {
    env: { ...process.env, DUCTOR_API_TOKEN: mock.token, XDG_STATE_HOME: join(tmp, "state") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const url = /^ductor dashboard on (\S+)\n/.exec(out)?.[1];
      if (url) resolve({ child, url });
    });
    child.once("exit", (code) => reject(new Error(`relay exited ${code}: ${out}`)));
  });
}

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
    const deadline = Date.now() + 5_000;
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
    second.child.kill("SIGTERM");
  }, 60_000);
});
