/**
 * `ductor-dashboard tail`: the I/O shell. It opens the client SDK's reconnecting stream (which resumes with
 * `since` against a relay, so a dropped link loses nothing), feeds the pure formatters (format.ts, json.ts),
 * keeps the activity line at the bottom of a terminal (screen.ts), and ends cleanly: 0 on SIGINT/SIGTERM or a
 * closed pipe (`| head`), 1 with one line on stderr when the token is refused or the server cannot be reached.
 */
import {
  AuthenticationError,
  ConnectionError,
  createActivityTracker,
  DashboardClient,
  type DashboardError,
  NotFoundError,
  type DashboardStream,
  type StreamDataEvent,
  TurnSegmenter,
} from "@ductor/dashboard-client";
import { onShutdownSignals } from "@ductor/mock-server/shutdown";
import { resolveToken, TOKEN_ENV } from "../serve/token-source.js";
import { tokenEnvName } from "../serve/upstreams.js";
import { outputMode, serverChoiceProblem, type SinceSpec } from "./args.js";
import { failureMessage, needsRelay } from "./failure.js";
import { HumanFormatter } from "./format.js";
import { eventRecord, gapRecord, openRecord, reconnectingRecord } from "./json.js";
import { jsonLine, sanitizeLine } from "./sanitize.js";
import { activityLine, CLEAR_LINE } from "./screen.js";
import { resolveSince } from "./since.js";

export interface TailOptions {
  /** ductor's API server or a relay. */
  ductor: string;
  /** One of several ductors behind a relay, by name (`/s/<name>/`). */
  server?: string | undefined;
  tokenFile?: string | undefined;
  since?: SinceSpec | undefined;
  json?: boolean | undefined;
  /** false with --no-color. */
  color: boolean;
}

/** How often the activity line's durations and the turn segmenter's silence rule are brought up to date. */
const REFRESH_MS = 1_000;

/**
 * Runs until a signal, a closed stdout or a fatal error; resolves with the exit code (the caller exits, after
 * stdout drained). Throws only for a bad token file or a missing token, before anything is connected.
 */
export async function runTail(opts: TailOptions): Promise<number> {
  // One of several: only its own variable, as `serve` reads it. Never the plain one: that is usually another
  // ductor's token, and a ductor that serve only proxies would receive it.
  const variable = opts.server !== undefined ? tokenEnvName(opts.server) : TOKEN_ENV;
  const { token, source } = resolveToken({ file: opts.tokenFile, env: process.env[variable] });
  if (!token) throw new Error(`no token: set ${variable}=… or use --token-file FILE`);
  // What a refused token's message tells the person to check: where this token came from.
  const tokenSource = source === "file" ? `the token file ${opts.tokenFile}` : `$${variable} or --token-file`;
  const { stdout, stderr } = process;
  const json = opts.json === true;
  const mode = outputMode({ json, color: opts.color, isTTY: stdout.isTTY === true, env: process.env });
  const url = opts.ductor;
  const client = new DashboardClient({ baseUrl: url, token, ...(opts.server !== undefined ? { server: opts.server } : {}) });
  const abort = new AbortController();
  const fmt = new HumanFormatter({ color: mode.color });

  let stream: DashboardStream | undefined;
  let tracker: ReturnType<typeof createActivityTracker> | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let broken = false; // stdout's reader went away: write nothing more
  let done = false;
  let resolveCode: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (resolveCode = resolve));

  const write = (s: string): void => {
    if (s && !broken) stdout.write(s);
  };
  const drawActivity = (): string => (tracker ? activityLine(tracker.describe(), stdout.columns, mode.color) : "");
  /** Human output: on a terminal, clear the activity line, print, end the line, draw it again. */
  const emit = (s: string): void => {
    if (!s) return;
    if (mode.activity) write(`${CLEAR_LINE}${s}${fmt.breakLine()}${drawActivity()}`);
    else write(s);
  };
  const warn = (line: string): void => {
    if (mode.activity) write(CLEAR_LINE);
    stderr.write(`ductor-dashboard tail: warning: ${line}\n`);
    if (mode.activity) write(drawActivity());
  };
  const finish = (code: number, message?: string): void => {
    if (done) return;
    done = true;
    clearInterval(timer);
    tracker?.dispose();
    abort.abort();
    stream?.close();
    if (mode.activity) write(CLEAR_LINE);
    if (message) stderr.write(`ductor-dashboard tail: ${message}\n`);
    resolveCode(code);
  };

  // `| head -5` closes the pipe: the next write fails with EPIPE. That is the reader saying "enough", not an error.
  stdout.on("error", (err: NodeJS.ErrnoException) => {
    broken = true;
    finish(err.code === "EPIPE" ? 0 : 1, err.code === "EPIPE" ? undefined : `cannot write to stdout: ${err.message}`);
  });
  // The project's policy: the first SIGINT/SIGTERM stops cleanly (exit 0), a second exits at once.
  onShutdownSignals(async () => {
    finish(0);
    await drained(stdout);
  });

  // Several ductors behind a relay: the tail must name one (and one it has). A plain ductor lists none (404).
  // Unreachable or slow: nothing to check here; the stream says why it cannot connect.
  const listed = await client.servers({ signal: abort.signal, timeoutMs: 5_000, maxRetries: 0 }).then(
    (servers) => servers.map((s) => s.name),
    (err: unknown) => (err instanceof NotFoundError ? undefined : null),
  );
  const choice = listed === null ? undefined : serverChoiceProblem(listed, opts.server, opts.ductor);
  if (choice !== undefined && !done) finish(1, choice);
  if (done) return finished;

  // --since: which seq to resume after, from the relay's history (plain ductor has none: 404).
  let since: number | undefined;
  if (opts.since && opts.since.kind !== "now") {
    try {
      since = (await resolveSince(client.history, opts.since, Date.now(), abort.signal)).since;
    } catch (err) {
      if (done) return finished;
      finish(1, failureMessage(err, url, tokenSource));
      return finished;
    }
    if (done) return finished;
  }

  const s = client.stream({ signal: abort.signal, ...(since !== undefined ? { since } : {}) });
  stream = s;
  if (mode.activity) tracker = createActivityTracker(s); // subscribed first: the line drawn after an event includes it

  let turnOut = "";
  const turns = json
    ? undefined
    : new TurnSegmenter({ onTurnStart: (t) => (turnOut += fmt.turnStart(t)), onTurnEnd: (t) => (turnOut += fmt.turnEnd(t)) });
  const takeTurnOut = (): string => {
    const out = turnOut;
    turnOut = "";
    return out;
  };
  let opened = false;
  /** While a --since catch-up replays the past, the silence rule must not run on the present clock. */
  let catchUpTo: number | undefined;
  let fatal: DashboardError | undefined;

  const onData = (ev: StreamDataEvent): void => {
    if (catchUpTo !== undefined && ev.seq !== undefined && ev.seq >= catchUpTo) catchUpTo = undefined;
    if (json) return write(jsonLine(eventRecord(ev)));
    turns?.push(ev, ev.at ?? Date.now());
    emit(takeTurnOut() + fmt.event(ev));
  };
  s.on("text_delta", onData);
  s.on("tool_activity", onData);
  s.on("system_status", onData);
  s.on("upstream", onData);
  s.on("gap", (ev) => {
    if (json) return write(jsonLine(gapRecord(ev)));
    turns?.push({ type: "gap" });
    emit(fmt.gap(ev));
  });
  s.on("open", (ev) => {
    if (!opened && since !== undefined && !ev.relay) {
      return finish(1, needsRelay(url, "its stream is plain ductor's"));
    }
    if (!opened && ev.relay && since !== undefined && since < ev.relay.head) catchUpTo = ev.relay.head;
    opened = true;
    if (json) return write(jsonLine(openRecord(ev)));
    if (ev.connection > 1 && !ev.resumed) turns?.push({ type: "gap" }); // plain ductor: what was sent meanwhile is lost
    emit(fmt.open(ev, url));
  });
  s.on("reconnecting", (ev) => {
    // The first connection failed (refused, unreachable, a handshake answered with an HTTP error): say why and stop.
    if (!opened) return finish(1, failureMessage(ev.error ?? new ConnectionError(`closed with code ${ev.code ?? "?"}`), url, tokenSource));
    if (json) return write(jsonLine(reconnectingRecord(ev)));
    emit(fmt.reconnecting(ev));
  });
  s.on("error", (err) => {
    if (err instanceof AuthenticationError)
      fatal = err; // the close that follows ends the tail
    else if (!done) warn(sanitizeLine(err.message, 300));
  });
  s.on("close", () => finish(1, failureMessage(fatal ?? new ConnectionError("the stream closed"), url, tokenSource)));

  timer = setInterval(() => {
    if (turns && opened && catchUpTo === undefined) turns.tick(Date.now());
    const out = takeTurnOut();
    if (out) emit(out);
    else if (mode.activity) write(`${CLEAR_LINE}${drawActivity()}`);
  }, REFRESH_MS);
  if (mode.activity) write(drawActivity());
  return finished;
}

/** Resolves once `stream` has handed everything written to the OS, or after `ms` (a reader that stopped reading). */
export function drained(stream: NodeJS.WriteStream, ms = 1_000): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    stream.once("drain", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
