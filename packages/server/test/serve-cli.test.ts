/**
 * `ductor-dashboard` as a child process: where the token comes from, what is printed where, `--version`.
 * The CLI is bundled from source with tsup (as the package build does) into test-output/, next to the site
 * that global-setup builds, so the test never depends on a stale dist/.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bundleForChild, CLI_EXTERNALS, outDir, pkgDir, siteDir } from "./helpers.js";
import { rawExchange, rawRequestText } from "./serve-support.js";

const cliPath = join(outDir, "serve-cli-under-test.js");
const version = (JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as { version: string }).version;
const FIRST_LINE = /^ductor dashboard on (http:\/\/127\.0\.0\.1:(\d+)\/)$/;
const DUCTOR = "http://127.0.0.1:9"; // never contacted: these tests only start the server

let tmp: string;
beforeAll(async () => {
  await bundleForChild("serve-cli-under-test", join(pkgDir, "src/cli.ts"), CLI_EXTERNALS);
  tmp = mkdtempSync(join(tmpdir(), "dd-cli-"));
}, 60_000);
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  rmSync(cliPath, { force: true });
});

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolve with stdout (or stderr) once it matches; reject if the process exits first. */
  waitForStdout(pattern: RegExp): Promise<string>;
  waitForStderr(pattern: RegExp): Promise<string>;
  exited: Promise<number | null>;
}

const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) child.kill("SIGTERM");
  running.clear();
});

function runCli(args: string[], env: Record<string, string | undefined> = {}): Run {
  const { DUCTOR_API_TOKEN: _inherited, ...base } = process.env;
  // The site built from source for this run, not whatever dist/ holds.
  const fullArgs = args[0] === "serve" ? [...args, "--site", siteDir] : args;
  // With a token, serve is the relay and keeps history under XDG_STATE_HOME: never the real one of whoever runs the tests.
  const child = spawn(process.execPath, [cliPath, ...fullArgs], {
    env: { ...base, XDG_STATE_HOME: join(tmp, "state"), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let out = "";
  let err = "";
  const waitFor = (stream: NodeJS.ReadableStream | null, text: () => string, pattern: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (pattern.test(text())) resolve(text());
      };
      stream?.on("data", check);
      check();
      void exited.then((code) => reject(new Error(`exited ${code} before ${pattern}: stdout=${out} stderr=${err}`)));
    });
  child.stdout?.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr?.setEncoding("utf8").on("data", (c: string) => (err += c));
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForStdout: (pattern) => waitFor(child.stdout, () => out, pattern),
    waitForStderr: (pattern) => waitFor(child.stderr, () => err, pattern),
  };
}

const serveArgs = (...more: string[]) => ["serve", "--ductor", DUCTOR, "--port", "0", ...more];
const firstLine = (out: string) => out.split("\n")[0] ?? "";

describe("ductor-dashboard CLI", () => {
  it("--version prints the package version", async () => {
    const run = runCli(["--version"]);
    expect(await run.exited).toBe(0);
    expect(run.stdout().trim()).toBe(version);
  });

  it("prints its own URL, and only that, on the first line; the URL works", async () => {
    const run = runCli(serveArgs());
    const out = await run.waitForStdout(/\n/);
    const match = FIRST_LINE.exec(firstLine(out));
    expect(match, firstLine(out)).not.toBeNull();
    const res = await fetch(match![1]!);
    expect(res.status).toBe(200);
    expect(run.stderr()).not.toMatch(/ps/);
  });

  it("takes the token from DUCTOR_API_TOKEN without a warning", async () => {
    const run = runCli(serveArgs(), { DUCTOR_API_TOKEN: "env-token" });
    const out = await run.waitForStdout(/#token=/);
    expect(firstLine(out)).toMatch(FIRST_LINE);
    expect(out).toMatch(/open: http:\/\/127\.0\.0\.1:\d+\/#token=env-token\n/);
    expect(run.stderr()).toBe("");
  });

  it("takes the token from --token-file (trailing newline trimmed) before DUCTOR_API_TOKEN", async () => {
    const file = join(tmp, "token");
    writeFileSync(file, "file-token\n");
    const run = runCli(serveArgs("--token-file", file), { DUCTOR_API_TOKEN: "env-token" });
    const out = await run.waitForStdout(/#token=.*\n/);
    expect(out).toMatch(/#token=file-token\n/);
    expect(run.stderr()).toBe("");
  });

  it("still accepts --token, with a warning that argv is visible in ps", async () => {
    const run = runCli(serveArgs("--token", "argv-token"));
    const out = await run.waitForStdout(/#token=.*\n/);
    expect(firstLine(out)).toMatch(FIRST_LINE);
    expect(out).toMatch(/#token=argv-token\n/);
    const stderr = await run.waitForStderr(/\n/);
    expect(stderr).toMatch(/warning:.*\bps\b/);
    expect(stderr).toContain("DUCTOR_API_TOKEN");
    expect(stderr).toContain("--token-file");
  });

  it("prefers DUCTOR_API_TOKEN over --token", async () => {
    const run = runCli(serveArgs("--token", "argv-token"), { DUCTOR_API_TOKEN: "env-token" });
    const out = await run.waitForStdout(/#token=.*\n/);
    expect(out).toMatch(/#token=env-token\n/);
    expect(await run.waitForStderr(/\n/)).toMatch(/warning:/);
  });

  it("serves several ductors by name: each token from its own variable or file, histories apart, a link per ductor", async () => {
    const workToken = join(tmp, "work-token");
    writeFileSync(workToken, "work-secret\n");
    const run = runCli(
      ["serve", "--ductor", `home=${DUCTOR}`, "--ductor", `work=${DUCTOR}`, "--token-file", `work=${workToken}`, "--port", "0"],
      { DUCTOR_API_TOKEN_HOME: "home-secret" },
    );
    const out = await run.waitForStdout(/#server=work&token=.*\n/);
    const url = FIRST_LINE.exec(firstLine(out))?.[1];
    expect(url, firstLine(out)).toBeDefined();
    expect(out).toContain(`open: ${url}#server=home&token=home-secret\n`);
    expect(out).toContain(`open: ${url}#server=work&token=work-secret\n`);
    expect(out).toMatch(/relay: home: recording ductor's stream into .*servers\/home\.sqlite\n/);
    expect(out).toMatch(/relay: work: recording ductor's stream into .*servers\/work\.sqlite\n/);
    const listed = (await (await fetch(new URL("/dashboard/servers", url))).json()) as { servers: { name: string }[] };
    expect(listed.servers.map((s) => s.name)).toEqual(["home", "work"]);
    // Neither token ever appears in argv-visible places: only the files and variables carried them.
    expect(run.stderr()).not.toMatch(/warning/);
  });

  it("with several ductors, --history naming a file (not a folder) is refused in one line", async () => {
    const file = join(tmp, "one.sqlite");
    writeFileSync(file, "");
    const run = runCli(["serve", "--ductor", `a=${DUCTOR}`, "--ductor", `b=${DUCTOR}`, "--history", file, "--port", "0"], {
      DUCTOR_API_TOKEN_A: "a-token",
    });
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toBe(
      `ductor-dashboard: with several ductors, --history names a folder (one <name>.sqlite each), and ${file} is a file\n`,
    );
  });

  it("reads the ductors from --config, and refuses a config that holds a token", async () => {
    const config = join(tmp, "fleet.json");
    writeFileSync(join(tmp, "lab.token"), "lab-secret\n");
    writeFileSync(
      config,
      JSON.stringify({
        ductors: [
          { name: "lab", url: DUCTOR, tokenFile: "lab.token" },
          { name: "ci", url: DUCTOR },
        ],
      }),
    );
    const run = runCli(["serve", "--config", config, "--port", "0", "--no-history"]);
    const out = await run.waitForStdout(/#server=lab&token=lab-secret\n/);
    expect(out).toMatch(/relay: lab: recording ductor's stream in memory/);
    expect(await run.waitForStderr(/ci: no token/)).toContain("DUCTOR_API_TOKEN_CI");

    const bad = join(tmp, "bad.json");
    writeFileSync(bad, JSON.stringify({ ductors: [{ name: "lab", url: DUCTOR, token: "inline" }] }));
    const refused = runCli(["serve", "--config", bad, "--port", "0"]);
    expect(await refused.exited).toBe(1);
    expect(refused.stderr()).toMatch(/tokenFile/);
    expect(refused.stderr()).not.toContain("inline");
  });

  it("a port in use: one line that says so and how to choose another", async () => {
    const first = runCli(serveArgs());
    const port = FIRST_LINE.exec(firstLine(await first.waitForStdout(/\n/)))![2]!;
    const second = runCli(["serve", "--ductor", DUCTOR, "--port", port]);
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toBe(
      `ductor-dashboard: port ${port} on 127.0.0.1 is already in use (another dashboard?); choose one with --port N, or --port 0 for any free port\n`,
    );
  });

  it("fails clearly on an unreadable or empty token file", async () => {
    const missing = join(tmp, "missing");
    const run = runCli(serveArgs("--token-file", missing));
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toContain(missing);
    expect(run.stdout()).toBe("");

    const empty = join(tmp, "empty");
    writeFileSync(empty, "\n");
    const run2 = runCli(serveArgs("--token-file", empty));
    expect(await run2.exited).toBe(1);
    expect(run2.stderr()).toMatch(/empty/);
  });

  it("serves Host names given with --allowed-host (repeatable) and refuses others", async () => {
    const run = runCli(serveArgs("--allowed-host", "dash.example", "--allowed-host", "other.example"));
    const port = Number(FIRST_LINE.exec(firstLine(await run.waitForStdout(/\n/)))?.[2]);
    const ask = (host: string) => rawExchange(port, rawRequestText("GET", "/", { host }));
    expect((await ask("dash.example")).status).toBe(200);
    expect((await ask("other.example")).status).toBe(200);
    expect((await ask("evil.example")).status).toBe(403);
  });

  it("bound to 0.0.0.0, warns that Host names must be listed with --allowed-host", async () => {
    const run = runCli(serveArgs("--host", "0.0.0.0"));
    const out = await run.waitForStdout(/\n/);
    expect(firstLine(out)).toMatch(FIRST_LINE);
    expect(await run.waitForStderr(/--allowed-host/)).toMatch(/warning:/);
  });
});
