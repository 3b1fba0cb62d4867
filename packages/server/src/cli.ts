#!/usr/bin/env node
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { startDemo } from "./demo.js";
import { startDashboardServer } from "./serve.js";
import { parseHostPattern } from "./serve/hosts.js";
import { defaultHistoryPath } from "./relay/open-store.js";
import { parseDuration, parseSize } from "./relay/units.js";
import { TOKEN_ENV } from "./serve/token-source.js";
import { resolveUpstreams, tokenEnvName } from "./serve/upstreams.js";
import { onShutdownSignals } from "@ductor/mock-server/shutdown";
import { DEFAULT_DUCTOR, DEFAULT_RELAY, parseServerUrl, parseSince, serverName, type SinceSpec } from "./tail/args.js";
import { drained, runTail } from "./tail/tail.js";

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError("a port number (0–65535)");
  return n;
}

/** Repeatable --allowed-host, checked as it is parsed so a typo fails before anything listens. */
function collectHost(value: string, previous: string[]): string[] {
  try {
    parseHostPattern(value);
  } catch (err) {
    throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
  }
  return [...previous, value];
}

/** A commander parser from a throwing one: the message becomes commander's "invalid argument" error. */
function checked<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (err) {
      throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
    }
  };
}

/** package.json is one level up from both src/cli.ts and dist/cli.js. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: unknown };
  return String(pkg.version);
}

const LOOPBACK_BINDS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);
const WILDCARD_BINDS = new Set(["0.0.0.0", "::", "[::]"]);

function bindWarning(host: string, allowedHosts: readonly string[]): string | undefined {
  if (LOOPBACK_BINDS.has(host)) return undefined;
  if (WILDCARD_BINDS.has(host)) {
    return (
      "warning: listening on every interface, over plain HTTP. Requests are refused (403) unless their Host is a " +
      "loopback name or one given with --allowed-host NAME (repeatable): list the names or addresses this " +
      `machine is reached by${allowedHosts.length ? ` (now: ${allowedHosts.join(", ")})` : ""}.`
    );
  }
  return (
    "warning: listening beyond this machine; the dashboard still needs the token, but traffic is plain HTTP. " +
    `Names other than ${host} and loopback need --allowed-host NAME.`
  );
}

/** Repeatable options collect into a list. */
const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The config file `serve` reads when no --ductor and no --config are given and it is there. */
const DEFAULT_CONFIG = "ductor-dashboard.json";

interface ServeOptions {
  ductor: string[];
  config?: string;
  host: string;
  port: number;
  token?: string;
  tokenFile: string[];
  allowedHost: string[];
  site?: string;
  /** A path, false for --no-history, undefined for the default path. */
  history?: string | false;
  retain?: number;
  maxHistory?: number;
}

const program = new Command()
  .name("ductor-dashboard")
  .description("A dashboard for ductor's API server: status, live agent stream, sessions and tasks, logs.")
  .version(packageVersion(), "-V, --version", "print the version");

program
  .command("serve")
  .description(
    "Serve the dashboard and proxy ductor's /dashboard API on one origin; with the token, also record ductor's stream (the relay)",
  )
  .option(
    "--ductor <url>",
    "ductor's API server, e.g. http://127.0.0.1:8741; several as name=URL, repeated (each under /s/<name>/)",
    collect,
    [],
  )
  .option(
    "--config <file>",
    `the ductors from a JSON file: {"ductors": [{"name", "url", "tokenFile"}]} (default: ./${DEFAULT_CONFIG} if there)`,
  )
  .option("--host <host>", "interface to listen on", "127.0.0.1")
  .option("--port <port>", "port to listen on (0 = any free port)", port, 8080)
  .option(
    "--token-file <file>",
    `read ductor's token (the relay's upstream, viewers' auth, the one-click URL) from this file (else $${TOKEN_ENV}); several: name=FILE (else $${tokenEnvName("<NAME>")})`,
    collect,
    [],
  )
  .option("--token <token>", `the token on the command line (visible in ps: prefer $${TOKEN_ENV} or --token-file)`)
  .option("--allowed-host <name>", "also serve requests for this Host name (repeatable; e.g. when bound to 0.0.0.0)", collectHost, [])
  .option("--site <dir>", "serve this built dashboard site instead of the one in @ductor/dashboard-ui")
  .option(
    "--history <path>",
    "keep the relay's history in this SQLite file (default: $XDG_STATE_HOME/ductor-dashboard/history.sqlite); several ductors: a folder, one <name>.sqlite each",
  )
  .option("--no-history", "keep history in a bounded in-memory ring instead (lost on exit)")
  .option("--retain <duration>", "prune history older than this (s, m, h, d; e.g. 30d)", checked(parseDuration))
  .option(
    "--max-history <size>",
    "prune the oldest history beyond this size (KB, MB, GB or KiB, MiB, GiB; e.g. 1GB; per ductor with several)",
    checked(parseSize),
  )
  .action(async (opts: ServeOptions) => {
    const config = opts.config ?? (opts.ductor.length === 0 && existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
    const { upstreams, several, warnings } = resolveUpstreams(
      { ductor: opts.ductor, tokenFile: opts.tokenFile, token: opts.token, config },
      process.env,
      (path) => readFileSync(path, "utf8"),
    );
    for (const line of warnings) process.stderr.write(`${line}\n`);
    // Each recorded ductor's history: today's file for one; a folder of <name>.sqlite for several.
    const historyOf = (name: string): string | false => {
      if (opts.history === false) return false;
      if (!several) return opts.history ?? defaultHistoryPath();
      const dir = opts.history ?? join(dirname(defaultHistoryPath()), "servers");
      if (existsSync(dir) && !statSync(dir).isDirectory()) {
        throw new Error(`with several ductors, --history names a folder (one <name>.sqlite each), and ${dir} is a file`);
      }
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      return join(dir, `${name}.sqlite`);
    };
    // The link's changes are news, not errors: stdout. What needs the operator (a refused token) goes to stderr.
    // Held back until the URL line is out: the first line of stdout is the URL, whatever connects first.
    let held: [string, "info" | "warn"][] | undefined = [];
    const log = (line: string, level: "info" | "warn"): void => {
      if (held) held.push([line, level]);
      else (level === "warn" ? process.stderr : process.stdout).write(`relay: ${line}\n`);
    };
    const histories = new Map(upstreams.map((u) => [u.name, u.token ? historyOf(u.name) : false] as const));
    const server = await startDashboardServer({
      ductors: upstreams.map((u) => ({
        name: u.name,
        url: u.url,
        ...(u.token ? { token: u.token } : {}),
        history: histories.get(u.name) ?? false,
      })),
      host: opts.host,
      port: opts.port,
      allowedHosts: opts.allowedHost,
      ...(opts.site ? { siteDir: opts.site } : {}),
      ...(opts.retain !== undefined ? { retain: opts.retain } : {}),
      ...(opts.maxHistory !== undefined ? { maxHistoryBytes: opts.maxHistory } : {}),
      log,
    }).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") {
        throw new Error(
          `port ${opts.port} on ${opts.host} is already in use (another dashboard?); choose one with --port N, or --port 0 for any free port`,
        );
      }
      throw err;
    });
    // Scripts read the first line for the URL: it is the URL and nothing else of ours (ductor's address included).
    process.stdout.write(`ductor dashboard on ${server.url}\n`);
    for (const served of server.servers) {
      const upstream = upstreams.find((u) => u.name === served.name);
      const who = several ? `${served.name}: ` : "";
      const where = several ? ` under ${served.base}` : "";
      process.stdout.write(`${several ? `${who}proxying` : "proxying"} ductor at ${upstream?.url}${where}\n`);
      const history = histories.get(served.name);
      if (served.relay) {
        process.stdout.write(
          `relay: ${who}recording ductor's stream ${history === false ? "in memory (--no-history)" : `into ${history}`}\n`,
        );
      } else {
        const ignored = opts.history !== undefined || opts.retain !== undefined || opts.maxHistory !== undefined;
        const how = several
          ? `set ${tokenEnvName(served.name)} or use --token-file ${served.name}=FILE`
          : `set ${TOKEN_ENV} or use --token-file`;
        process.stderr.write(
          `note: ${who}no token (${how}): no relay and no history; the live stream is forwarded to ductor as is.` +
            `${ignored && !several ? " The history options are ignored." : ""}\n`,
        );
      }
    }
    const lines = held;
    held = undefined;
    for (const [line, level] of lines) log(line, level);
    for (const served of server.servers) if (served.tokenUrl) process.stdout.write(`open: ${served.tokenUrl}\n`);
    const bind = bindWarning(opts.host, opts.allowedHost);
    if (bind) process.stderr.write(`${bind}\n`);
    onShutdownSignals(() => server.close());
  });

program
  .command("demo")
  .description("Try the dashboard on a bundled recorded session: a mock ductor replays it in a loop")
  .option("--port <port>", "port for the dashboard (0 = any free port)", port, 0)
  .option("--site <dir>", "serve this built dashboard site instead of the one in @ductor/dashboard-ui")
  .option("--fleet", "two mock ductors behind one dashboard, each with its own token (the fleet overview)")
  .action(async (opts: { port: number; site?: string; fleet?: boolean }) => {
    const demo = await startDemo({ port: opts.port, fleet: opts.fleet === true, ...(opts.site ? { siteDir: opts.site } : {}) });
    process.stdout.write(demo.banner);
    onShutdownSignals(() => demo.close());
  });

program
  .command("tail")
  .description(
    "Print ductor's live stream in this terminal: text as it comes, tools and statuses coloured, what the agent is doing on the bottom line",
  )
  .option(
    "--ductor <url>",
    `ductor's API server, or a relay (ductor-dashboard serve) (default: ${DEFAULT_DUCTOR}; with --server, ${DEFAULT_RELAY})`,
    checked(parseServerUrl),
  )
  .option(
    "--server <name>",
    `one of several ductors behind the relay (serve --ductor name=URL); token from $${tokenEnvName("<NAME>")}`,
    checked(serverName),
  )
  .option("--token-file <file>", `read ductor's token from this file (else $${TOKEN_ENV})`)
  .option(
    "--since <when>",
    "relay only: print history first, then live: a seq (1200), all, now (the default), a duration (10m, 2h) or a time (2026-04-21T10:00)",
    checked(parseSince),
  )
  .option("--json", "one JSON object per line per event (for pipes): no colours, no activity line")
  .option("--no-color", `no colours and no activity line (also with $NO_COLOR, or when stdout is not a terminal)`)
  .action(async (opts: { ductor?: string; server?: string; tokenFile?: string; since?: SinceSpec; json?: boolean; color: boolean }) => {
    // One of several ductors lives behind a relay: look where `serve` listens by default, not at ductor's port.
    const ductor = opts.ductor ?? (opts.server !== undefined ? DEFAULT_RELAY : DEFAULT_DUCTOR);
    const code = await runTail({ ...opts, ductor });
    await drained(process.stdout);
    process.exit(code);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`ductor-dashboard: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
