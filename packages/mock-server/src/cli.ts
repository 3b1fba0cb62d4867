/**
 * `ductor-mock serve …` and `ductor-mock record …`. Thin: parse flags, call the library, print
 * what a person needs to start poking at it, and stop cleanly on SIGINT/SIGTERM.
 */
import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import { addFaultOptions, faultsFromFlags } from "./faults-cli.js";
import { record } from "./record.js";
import { onShutdownSignals } from "./shutdown.js";
import { BUNDLED_RECORDINGS } from "./recording.js";
import { startMockServer } from "./server.js";

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return n;
};
const positive = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer`);
  return n;
};
const num = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number >= 0`);
  return n;
};
/**
 * The package's own version, read when asked: the built cli.js sits in dist/ and the sources in
 * src/, both one level below package.json, in a checkout and in an installed tarball alike.
 */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: string };
  return pkg.version ?? "unknown";
}

interface ServeFlags {
  port: number;
  host: string;
  token?: string;
  recording: string;
  data?: string;
  speed: number;
  loop?: boolean;
  maxIdle?: number;
  autoplay: "first-client" | "immediate" | "manual";
  heartbeat?: number;
  maxBacklog?: number;
  maxConnections?: number;
  shiftTimes?: boolean;
  /** Plus the fault flags, which faultsFromFlags reads. */
  [fault: string]: unknown;
}

const program = new Command()
  .name("ductor-mock")
  .description("A stand-in for ductor's dashboard API: replays recorded agent sessions, records new ones.")
  .version(packageVersion(), "-V, --version", "print the package version");

const serve = program
  .command("serve")
  .description("serve a recording on ductor's wire protocol (HTTP /dashboard/* and the /dashboard/stream WebSocket)")
  .option("--port <n>", "port (0 = any free port)", int("--port"), 8741)
  .option("--host <host>", "interface to bind", "127.0.0.1")
  .option("--token <token>", "API token (default: 43 random URL-safe characters)")
  .option("--recording <name|file>", `a bundled recording (${BUNDLED_RECORDINGS.join(", ")}) or a .jsonl file`, "coding-session")
  .option("--data <dir>", "data folder (sessions.json, tasks.json, logs/); default: the recording's own")
  .option("--speed <n>", "1 = recorded timing, 2 = twice as fast, 0 = as fast as possible", num("--speed"), 1)
  .option("--loop", "start over at the end")
  .option("--max-idle <ms>", "cap any gap between two events", int("--max-idle"))
  .addOption(new Option("--autoplay <mode>", "when replay starts").choices(["first-client", "immediate", "manual"]).default("first-client"))
  .option("--heartbeat <ms>", "protocol ping interval (ductor: 30000)", int("--heartbeat"))
  .option("--max-backlog <bytes>", "drop a stream socket once this much is queued for it (default 8 MiB)", positive("--max-backlog"))
  .option(
    "--max-connections <n>",
    "refuse stream upgrades over this many sockets with HTTP 503 (default: no limit)",
    positive("--max-connections"),
  )
  .option("--shift-times", "move the data's times so the newest is now (sessions, tasks, log mtimes and lines)");

addFaultOptions(serve).action(async (flags: ServeFlags) => {
  const faults = faultsFromFlags(flags);
  const server = await startMockServer({
    port: flags.port,
    host: flags.host,
    token: flags.token,
    recording: flags.recording,
    data: flags.data,
    speed: flags.speed,
    loop: flags.loop,
    maxIdleMs: flags.maxIdle,
    autoplay: flags.autoplay,
    heartbeatMs: flags.heartbeat,
    maxBacklogBytes: flags.maxBacklog,
    maxConnections: flags.maxConnections,
    shiftTimes: flags.shiftTimes,
    faults,
  });
  // Before the banner: whoever reads "Ctrl-C to stop." may send SIGINT at once.
  onShutdownSignals(async () => {
    await server.close();
    console.log("stopped");
  });
  const active = Object.entries(faults).filter(([, v]) => v !== undefined);
  console.log(`ductor mock server listening on ${server.url}`);
  console.log(`  recording: ${flags.recording} (speed ${flags.speed}${flags.loop ? ", loop" : ""}, autoplay ${flags.autoplay})`);
  if (server.timeShiftSeconds) console.log(`  times:     shifted by ${server.timeShiftSeconds} s so the newest is now`);
  if (active.length) console.log(`  faults:    ${active.map(([k, v]) => `${k}=${String(v)}`).join(" ")}`);
  console.log(`  token:     ${server.token}`);
  console.log(`  stream:    ${server.streamUrl}?token=${encodeURIComponent(server.token)}`);
  console.log("");
  console.log("Try:");
  console.log(`  curl -s -H 'Authorization: Bearer ${server.token}' ${server.url}/dashboard/status`);
  console.log("");
  console.log("Ctrl-C to stop.");
});

program
  .command("record")
  .description("record a live ductor's /dashboard/stream (and REST snapshots) into a .jsonl file")
  .requiredOption("--url <url>", "ductor's base URL, e.g. http://127.0.0.1:8741")
  .option("--token <token>", "ductor's API token (visible in ps: prefer $DUCTOR_API_TOKEN)")
  .requiredOption("--out <file>", "the .jsonl file to write")
  .option("--snapshot-every <ms>", "re-snapshot the REST endpoints this often (default: only at the start)", int("--snapshot-every"))
  .action(async (flags: { url: string; token?: string; out: string; snapshotEvery?: number }) => {
    const token = process.env["DUCTOR_API_TOKEN"] || flags.token;
    if (!token) throw new Error("no token: set DUCTOR_API_TOKEN (or pass --token, which every user can read in ps)");
    if (!process.env["DUCTOR_API_TOKEN"])
      console.error("warning: --token is visible to every user of this machine in ps; prefer $DUCTOR_API_TOKEN");
    const ac = new AbortController();
    const done = record({ url: flags.url, token, out: flags.out, signal: ac.signal, snapshotEveryMs: flags.snapshotEvery });
    // On Ctrl-C: abort, which closes the stream and the file; every line is already on disk. Installed
    // before the line that invites Ctrl-C.
    onShutdownSignals(async () => {
      ac.abort();
      await done.catch(() => {});
    });
    console.error(`recording ${flags.url} → ${flags.out} (Ctrl-C to stop)`);
    const result = await done;
    console.error(`recorded ${result.events} events and ${result.snapshots} snapshots (stopped: ${result.stoppedBy})`);
    process.exit(0);
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
