/**
 * `ductor-dashboard tail` as a child process, over real sockets: against the real mock server (plain ductor)
 * and the real relay (startDashboardServer with a token, its viewer stream and history). The CLI is bundled from
 * source like the other CLI tests. Every wait polls the child's output or the servers' state; no fixed sleeps.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MockServer, startMockServer } from "@ductor/mock-server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type DashboardServer, startDashboardServer } from "../src/serve.js";
import { SGR } from "../src/tail/format.js";
import { CLEAR_LINE } from "../src/tail/screen.js";
import { bundleForChild, CLI_EXTERNALS, outDir, pkgDir, siteDir } from "./helpers.js";
import { FAST_UPSTREAM, FakeStore, waitFor } from "./relay-support.js";

const cliPath = join(outDir, "tail-cli-under-test.js");
let tmp: string;
beforeAll(async () => {
  await bundleForChild("tail-cli-under-test", join(pkgDir, "src/cli.ts"), CLI_EXTERNALS);
  tmp = mkdtempSync(join(tmpdir(), "dd-tail-"));
}, 60_000);
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  rmSync(cliPath, { force: true });
});

const children = new Set<ChildProcess>();
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const child of children) child.kill("SIGKILL");
  children.clear();
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Parsed stdout lines (--json). */
  records: () => Record<string, unknown>[];
  /** Resolves once `check(stdout)` holds; rejects if the process exits first or after `timeoutMs`. */
  until(check: (out: string) => boolean, what: string, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

/** Runs `ductor-dashboard tail --ductor URL …args` with the token in its environment (never on argv). */
function tail(url: string, args: string[], { token, env = {} }: { token: string; env?: Record<string, string> }): Run {
  const { DUCTOR_API_TOKEN: _t, NO_COLOR: _n, FORCE_COLOR: _f, ...base } = process.env;
  const child = spawn(process.execPath, [cliPath, "tail", "--ductor", url, ...args], {
    env: { ...base, DUCTOR_API_TOKEN: token, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let out = "";
  let err = "";
  const waiters = new Set<() => void>();
  child.stdout?.setEncoding("utf8").on("data", (c: string) => {
    out += c;
    for (const w of waiters) w();
  });
  child.stderr?.setEncoding("utf8").on("data", (c: string) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    records: () =>
      out
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    exited,
    until: (check, what, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const done = (error?: Error): void => {
          waiters.delete(poll);
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        };
        const poll = (): void => {
          if (check(out)) done();
        };
        const timer = setTimeout(
          () => done(new Error(`timed out waiting for ${what}; stdout=${out.slice(-2000)} stderr=${err}`)),
          timeoutMs,
        );
        waiters.add(poll);
        void exited.then((code) => {
          if (!check(out)) done(new Error(`tail exited ${code} before ${what}; stdout=${out.slice(-2000)} stderr=${err}`));
        });
        poll();
      }),
  };
}

async function plainDuctor(): Promise<MockServer> {
  const mock = await startMockServer({});
  cleanups.push(() => mock.close());
  return mock;
}

async function relay(store = new FakeStore()): Promise<{ mock: MockServer; dash: DashboardServer; store: FakeStore }> {
  const mock = await plainDuctor();
  const dash = await startDashboardServer({ ductor: mock.url, siteDir, token: mock.token, historyStore: store, relay: FAST_UPSTREAM });
  cleanups.push(() => dash.close());
  await waitFor(() => dash.relay?.stats().upstream === "connected", 10_000, "the relay's upstream");
  return { mock, dash, store };
}

const stop = async (run: Run, signal: NodeJS.Signals): Promise<number | null> => {
  run.child.kill(signal);
  return run.exited;
};
const texts = (records: Record<string, unknown>[]) => records.filter((r) => r["type"] === "text_delta").map((r) => r["data"]);
const numbered = (records: Record<string, unknown>[]) => records.filter((r) => typeof r["seq"] === "number");

/** seq +1 from record to record: no hole, no duplicate. */
function expectContiguous(records: Record<string, unknown>[], from: number): void {
  const seqs = records.map((r) => r["seq"] as number);
  expect(seqs[0]).toBe(from);
  const bad = seqs.findIndex((s, i) => i > 0 && s !== seqs[i - 1]! + 1);
  expect(bad, `seq breaks at ${bad}: ${seqs.slice(Math.max(0, bad - 3), bad + 3).join(",")}`).toBe(-1);
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x0a && c !== 0x09) || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

/** A port nothing listens on (a server bound and closed again). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("ductor-dashboard tail against plain ductor", () => {
  it("prints live text, tool lines and statuses; a pipe gets no escape sequence; SIGINT exits 0", async () => {
    const mock = await plainDuctor();
    const run = tail(mock.url, [], { token: mock.token });
    await run.until((o) => o.includes("— connected to ductor at"), "the connected line");
    mock.broadcast({ type: "system_status", data: "thinking" });
    mock.broadcast({ type: "text_delta", data: "Let me look at the failing test." });
    mock.broadcast({ type: "tool_activity", data: "Read" });
    mock.broadcast({ type: "text_delta", data: "Found it.\n" });
    await run.until((o) => o.includes("Found it."), "the text");
    const lines = run.stdout().split("\n");
    expect(lines[0]).toMatch(/^— connected to ductor at http:\/\/127\.0\.0\.1:\d+\/? · \d\d:\d\d:\d\d —$/);
    expect(lines[1]).toMatch(/^── turn 1 · \d\d:\d\d:\d\d ──$/); // TurnSegmenter: the first event starts a turn
    expect(lines.slice(2, 6)).toEqual(["· thinking", "Let me look at the failing test.", "⚙ Read", "Found it."]);
    expect(run.stdout().includes("\x1b")).toBe(false);
    expect(await stop(run, "SIGINT")).toBe(0);
    expect(run.stderr()).toBe("");
  });

  it("--json: one parseable object per line, the open line first; SIGTERM exits 0", async () => {
    const mock = await plainDuctor();
    const run = tail(mock.url, ["--json"], { token: mock.token });
    await run.until((o) => o.includes('"type":"open"'), "the open line");
    mock.broadcast({ type: "text_delta", data: "héllo 👩‍💻\n" });
    mock.broadcast({ type: "tool_activity", data: "" });
    mock.broadcast({ type: "system_status", data: null });
    await run.until((o) => o.includes('"system_status"'), "the status");
    const records = run.records();
    expect(records[0]).toMatchObject({ type: "open", connection: 1, relay: null, resumed: false });
    expect(records.slice(1)).toEqual([
      { type: "text_delta", data: "héllo 👩‍💻\n" },
      { type: "tool_activity", data: "" },
      { type: "system_status", data: null },
    ]);
    expect(await stop(run, "SIGTERM")).toBe(0);
  });

  it("| head -n 3: the closed pipe ends the tail with exit code 0 and nothing on stderr", async () => {
    const mock = await plainDuctor();
    const errFile = join(tmp, "head.err");
    const { DUCTOR_API_TOKEN: _t, ...base } = process.env;
    const child = spawn("bash", ["-c", 'set -o pipefail; "$NODE" "$CLI" tail --ductor "$URL" --json 2>"$ERR" | head -n 3'], {
      env: { ...base, NODE: process.execPath, CLI: cliPath, URL: mock.url, ERR: errFile, DUCTOR_API_TOKEN: mock.token },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(child);
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
    let code: number | null | undefined;
    const exited = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve((code = c))));
    // Keep ductor talking until the pipeline is over: the tail only notices the closed pipe on its next write.
    const deadline = Date.now() + 15_000;
    for (let i = 0; code === undefined && Date.now() < deadline; i++) {
      mock.broadcast({ type: "text_delta", data: `line ${i}` });
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await exited).toBe(0); // pipefail: the tail's own status, not just head's
    const lines = out.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    for (const line of lines) JSON.parse(line);
    expect(readFileSync(errFile, "utf8")).toBe("");
  });

  it("a refused token exits 1 with one line; so do a refused port and --since without a relay", async () => {
    const mock = await plainDuctor();
    const bad = tail(mock.url, [], { token: "not-the-token" });
    expect(await bad.exited).toBe(1);
    expect(bad.stderr()).toMatch(
      /^ductor-dashboard tail: http:\/\/127\.0\.0\.1:\d+\/? refused the token \(401\): check \$DUCTOR_API_TOKEN or --token-file\n$/,
    );

    const port = await closedPort();
    const refused = tail(`http://127.0.0.1:${port}`, ["--json"], { token: mock.token });
    expect(await refused.exited).toBe(1);
    expect(refused.stderr()).toMatch(/^ductor-dashboard tail: cannot reach http:\/\/127\.0\.0\.1:\d+: connection refused.*\n$/);
    expect(refused.stdout()).toBe("");

    const since = tail(mock.url, ["--since", "5"], { token: mock.token });
    expect(await since.exited).toBe(1);
    expect(since.stderr()).toMatch(
      /^ductor-dashboard tail: --since needs a relay, and http\S+ is not one: it has no history \(404\)\. Point --ductor at .*\n$/,
    );

    const noToken = tail(mock.url, [], { token: "" });
    expect(await noToken.exited).toBe(1);
    expect(noToken.stderr()).toMatch(/no token: set DUCTOR_API_TOKEN/);
  });

  it("hostile text, tool names and statuses come out inert (human) and intact but escaped (--json)", async () => {
    const mock = await plainDuctor();
    const human = tail(mock.url, [], { token: mock.token });
    const json = tail(mock.url, ["--json"], { token: mock.token });
    await human.until((o) => o.includes("— connected"), "human connected");
    await json.until((o) => o.includes('"open"'), "json connected");
    const frames = [
      { type: "text_delta", data: "A\x1b]52;c;cm0gLXJmIH4=\x07B\x1b[2JC\x1b]8;;javascript:alert(1)\x1b\\link\x1b]8;;\x1b\\D\n" },
      { type: "text_delta", data: "rm -rf ~\rls   \x08\x08\x9b31mred\x1b[0m\x9d0;title\x9c\n" },
      { type: "tool_activity", data: "Re\x1b[31mad\x07\n\x1b]0;owned\x07" },
      { type: "system_status", data: "thinking\x1b[1A\x1b[2K" },
      { type: "text_delta", data: "done\n" },
    ];
    for (const frame of frames) mock.broadcast(frame);
    await human.until((o) => o.includes("done\n"), "human done");
    await json.until((o) => o.includes('"done\\n"'), "json done");
    const out = human.stdout();
    expect(hasControl(out), JSON.stringify(out)).toBe(false);
    expect(out).toContain("A␛]52;c;cm0gLXJmIH4=␇BC␛]8;;javascript:alert(1)␛\\link␛]8;;␛\\D\n");
    expect(out).toContain("rm -rf ~\nls   ␈␈red<9D>0;title<9C>\n");
    expect(out).toContain("⚙ Read␇␊␛]0;owned␇\n");
    expect(out).toContain("· thinking\n");
    // --json keeps the data exactly, escaped: no raw control byte on the line.
    const lines = json.stdout().split("\n").filter(Boolean);
    for (const line of lines) expect(hasControl(line), line).toBe(false);
    expect(json.records().slice(1)).toEqual(frames);
  });
});

describe("ductor-dashboard tail against the relay", () => {
  it("--since SEQ prints the retained history after SEQ, then live, with contiguous seq", async () => {
    const { mock, dash } = await relay();
    for (let i = 1; i <= 50; i++) mock.broadcast({ type: "text_delta", data: `h${i}` });
    await waitFor(() => dash.relay!.stats().head >= 51, 10_000, "history stored"); // seq 1: upstream connected
    const run = tail(dash.url, ["--json", "--since", "20"], { token: mock.token });
    await run.until((o) => o.includes('"type":"open"'), "the open line");
    // Live events right away: some arrive while the catch-up is still being sent.
    for (let i = 1; i <= 30; i++) mock.broadcast({ type: "text_delta", data: `l${i}` });
    await run.until((o) => o.includes('"l30"'), "the last live event");
    const records = run.records();
    expect(records[0]).toMatchObject({ type: "open", connection: 1, relay: { version: 1, head: 51, oldest: 1 }, resumed: true, since: 20 });
    expectContiguous(numbered(records), 21);
    expect(texts(records)).toEqual([
      ...Array.from({ length: 31 }, (_, i) => `h${i + 20}`),
      ...Array.from({ length: 30 }, (_, i) => `l${i + 1}`),
    ]);
    expect(await stop(run, "SIGTERM")).toBe(0);

    // The same in human form, from everything retained: history, the live marker, then live text.
    const human = tail(dash.url, ["--since", "all"], { token: mock.token });
    await human.until((o) => o.includes("— live —"), "the live marker");
    mock.broadcast({ type: "text_delta", data: "after\n" });
    await human.until((o) => o.includes("after\n"), "live text");
    const out = human.stdout();
    expect(out).toMatch(/— connected to the relay at http\S+ · history #1–#81 · \d\d:\d\d:\d\d —\n— history after #0, then live —\n/);
    expect(out).toContain("— ductor connected to the relay · ");
    expect(out.indexOf("h1h2h3")).toBeGreaterThan(-1);
    expect(out.indexOf("l30")).toBeLessThan(out.indexOf("— live —"));
    expect(out.indexOf("— live —")).toBeLessThan(out.indexOf("after\n"));
  });

  it("--server NAME tails one of several ductors, with that ductor's own token variable", async () => {
    const home = await plainDuctor();
    const work = await startMockServer({ token: "work-only" });
    cleanups.push(() => work.close());
    const dash = await startDashboardServer({
      ductors: [
        { name: "home", url: home.url, token: home.token },
        { name: "work", url: work.url, token: work.token },
      ],
      siteDir,
      relay: FAST_UPSTREAM,
    });
    cleanups.push(() => dash.close());
    await waitFor(() => dash.servers.every((s) => s.relay?.stats().upstream === "connected"), 10_000, "both upstreams");
    home.broadcast({ type: "text_delta", data: "home line" });
    work.broadcast({ type: "text_delta", data: "work line" });
    await waitFor(() => dash.servers.every((s) => (s.relay?.stats().head ?? 0) >= 2), 10_000, "both stored");
    // DUCTOR_API_TOKEN holds home's token: --server reads the named variable, so work is read with work's token.
    const run = tail(dash.url, ["--json", "--since", "all", "--server", "work"], {
      token: home.token,
      env: { DUCTOR_API_TOKEN_WORK: "work-only" },
    });
    await run.until((o) => o.includes('"work line"'), "work's history");
    expect(texts(run.records())).toEqual(["work line"]);
    expect(await stop(run, "SIGTERM")).toBe(0);

    // $DUCTOR_API_TOKEN (home's here) is never sent to another ductor: --server takes only its own variable.
    const unnamedToken = tail(dash.url, ["--since", "all", "--server", "work"], { token: home.token });
    expect(await unnamedToken.exited).toBe(1);
    expect(unnamedToken.stderr()).toMatch(/no token: set DUCTOR_API_TOKEN_WORK=… or use --token-file FILE/);
    const wrongNamed = tail(dash.url, ["--server", "work"], { token: home.token, env: { DUCTOR_API_TOKEN_WORK: home.token } });
    expect(await wrongNamed.exited).toBe(1);
    expect(wrongNamed.stderr()).toMatch(/refused the token.*check \$DUCTOR_API_TOKEN_WORK or --token-file\n$/);

    // Which ductor: a name it does not serve, or none at all, is said with the names it has.
    const unknown = tail(dash.url, ["--server", "nope"], { token: home.token, env: { DUCTOR_API_TOKEN_NOPE: "x" } });
    expect(await unknown.exited).toBe(1);
    expect(unknown.stderr()).toContain("has no ductor named nope (it serves home, work)");
    const unnamed = tail(dash.url, [], { token: home.token });
    expect(await unnamed.exited).toBe(1);
    expect(unnamed.stderr()).toContain("serves several ductors (home, work): say which with --server NAME");
  });

  it("--since 10m and --since 1h find their start by the events' arrival times", async () => {
    const store = new FakeStore();
    const now = Date.now();
    store.append("text_delta", "two hours ago", now - 2 * 3_600_000);
    store.append("text_delta", "half an hour ago", now - 30 * 60_000);
    store.append("text_delta", "five minutes ago", now - 5 * 60_000);
    const { mock, dash } = await relay(store);
    const tenMinutes = tail(dash.url, ["--json", "--since", "10m"], { token: mock.token });
    await tenMinutes.until((o) => o.includes('"connected"'), "history up to the relay's start");
    expect(texts(tenMinutes.records())).toEqual(["five minutes ago"]);
    expect(numbered(tenMinutes.records()).map((r) => r["data"])).toEqual(["five minutes ago", "disconnected", "connected"]);
    const hour = tail(dash.url, ["--json", "--since", "1h"], { token: mock.token });
    await hour.until((o) => o.includes('"connected"'), "history up to the relay's start");
    expect(texts(hour.records())).toEqual(["half an hour ago", "five minutes ago"]);
  });

  it("a relay link dropped mid-stream (three times) loses nothing: resumed with since, contiguous seq", async () => {
    const { mock, dash } = await relay();
    const run = tail(dash.url, ["--json"], { token: mock.token });
    await run.until((o) => o.includes('"type":"open"'), "the open line");
    const sent: string[] = [];
    for (let round = 1; round <= 3; round++) {
      for (let i = 0; i < 100; i++) mock.broadcast({ type: "text_delta", data: `r${round}-${i}` }), sent.push(`r${round}-${i}`);
      await run.until((o) => o.includes(`"r${round}-50"`), `round ${round} under way`);
      dash.relay!.dropViewers();
      // While the tail is away: these are stored by the relay and must come with the resume.
      for (let i = 100; i < 200; i++) mock.broadcast({ type: "text_delta", data: `r${round}-${i}` }), sent.push(`r${round}-${i}`);
      await run.until((o) => (o.match(/"type":"open"/g) ?? []).length === round + 1, `reconnect ${round}`);
    }
    await run.until((o) => o.includes(`"r3-199"`), "everything");
    const records = run.records();
    expect(texts(records)).toEqual(sent);
    expectContiguous(numbered(records), 2);
    const opens = records.filter((r) => r["type"] === "open");
    expect(opens.slice(1).map((r) => [r["connection"], r["resumed"]])).toEqual([
      [2, true],
      [3, true],
      [4, true],
    ]);
    expect(records.filter((r) => r["type"] === "reconnecting").length).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it("human output says when the link dropped and that nothing was missed", async () => {
    const { mock, dash } = await relay();
    const run = tail(dash.url, [], { token: mock.token });
    await run.until((o) => o.includes("— connected to the relay"), "connected");
    mock.broadcast({ type: "text_delta", data: "before\n" });
    await run.until((o) => o.includes("before\n"), "before");
    dash.relay!.dropViewers();
    mock.broadcast({ type: "text_delta", data: "while away\n" });
    await run.until((o) => o.includes("while away\n"), "the resumed text");
    expect(run.stdout()).toMatch(
      /before\n— disconnected \d\d:\d\d:\d\d \(code 1006\), reconnecting… —\n— resumed \d\d:\d\d:\d\d, nothing missed —\nwhile away\n/,
    );
  });

  it("a refused token exits 1: on the history request (--since) and on the stream", async () => {
    const { dash } = await relay();
    for (const args of [["--since", "all"], []]) {
      const run = tail(dash.url, args, { token: "wrong-token" });
      expect(await run.exited, args.join(" ")).toBe(1);
      expect(run.stderr()).toMatch(
        /^ductor-dashboard tail: http\S+ refused the token \(401\): check \$DUCTOR_API_TOKEN or --token-file\n$/,
      );
    }
  });
});

/** util-linux script(1): runs a command in a pseudo-terminal and copies what it writes. */
const SCRIPT_BIN = "script";
const hasScript = (() => {
  try {
    execFileSync(SCRIPT_BIN, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasScript)("ductor-dashboard tail on a terminal (a pty from script(1))", () => {
  /** Runs the tail in a pseudo-terminal 100 columns wide; stdout is what the terminal received. */
  function inPty(url: string, token: string, env: Record<string, string> = {}): Run {
    const { DUCTOR_API_TOKEN: _t, NO_COLOR: _n, ...base } = process.env;
    const command = `stty cols 100 rows 30; exec "$NODE" "$CLI" tail --ductor "$URL"`;
    const child = spawn(SCRIPT_BIN, ["-qfec", command, "/dev/null"], {
      env: { ...base, TERM: "xterm-256color", NODE: process.execPath, CLI: cliPath, URL: url, DUCTOR_API_TOKEN: token, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(child);
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    return {
      child,
      stdout: () => out,
      stderr: () => "",
      records: () => [],
      exited,
      until: (check, what, timeoutMs = 15_000) =>
        waitFor(() => check(out), timeoutMs, `${what}; pty got ${JSON.stringify(out.slice(-1000))}`),
    };
  }

  it("keeps the activity line at the bottom (cleared and redrawn), and lets no foreign escape through", async () => {
    const mock = await plainDuctor();
    const run = inPty(mock.url, mock.token);
    await run.until((o) => o.includes("connected to ductor"), "connected");
    mock.broadcast({ type: "text_delta", data: "hello \x1b]52;c;eA==\x07world" });
    mock.broadcast({ type: "tool_activity", data: "Sh\x1b[2Jell" });
    await run.until((o) => o.includes("Running Shell · "), "the activity line naming the tool");
    // Redrawn in place, more than once, as the seconds pass. Both are waited for: on a busy machine the first
    // redraw may already say "1 s".
    const redraws = (o: string) => o.split(`${CLEAR_LINE}${SGR.dim}▸ Running Shell · `).length - 1;
    await run.until((o) => /Running Shell · [1-9] s/.test(o) && redraws(o) >= 2, "the line redrawn as time passes");
    const out = run.stdout().replace(/\r\n/g, "\n");
    // The tail ends the text's line itself: the bottom row belongs to the activity line.
    expect(out).toContain(`hello ␛]52;c;eA==␇world\n${SGR.dim}▸ Writing${SGR.reset}${CLEAR_LINE}`);
    expect(out).toContain(`${SGR.cyan}${SGR.bold}⚙ Shell${SGR.reset}\n`);
    expect(redraws(out)).toBeGreaterThanOrEqual(2);
    // Only the tail's own sequences: SGR colours and the erase-line after \r.
    const ours = new RegExp(
      `${Object.values(SGR)
        .map((s) => s.replace("[", "\\["))
        .join("|")}|\\r\\x1b\\[2K`,
      "g",
    );
    expect(out.replace(ours, "").includes("\x1b")).toBe(false);
    run.child.kill("SIGTERM");
    await run.exited;
  }, 60_000);

  it("NO_COLOR on a terminal: no escape sequence and no activity line at all", async () => {
    const mock = await plainDuctor();
    const run = inPty(mock.url, mock.token, { NO_COLOR: "1" });
    await run.until((o) => o.includes("connected to ductor"), "connected");
    mock.broadcast({ type: "tool_activity", data: "Read" });
    await run.until((o) => o.includes("⚙ Read"), "the tool line");
    expect(run.stdout()).not.toContain("\x1b");
    expect(run.stdout()).not.toContain("▸");
    run.child.kill("SIGTERM");
    await run.exited;
  });
});
