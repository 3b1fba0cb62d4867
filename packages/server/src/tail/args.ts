/**
 * `ductor-dashboard tail`'s arguments and environment as values: what `--since` asks for, which URL, and
 * whether the output may hold escape sequences. Pure; cli.ts hands these to commander.
 */
import { SERVER_NAME } from "@ductor/dashboard-client";
import { parseDuration } from "../relay/units.js";

/** ductor's own default API address (its `api.port` 8741), as in `serve --ductor`'s help. */
export const DEFAULT_DUCTOR = "http://127.0.0.1:8741";
/** `serve`'s default address: with `--server`, the tail talks to a relay, so that is where it looks first. */
export const DEFAULT_RELAY = "http://127.0.0.1:8080";

/**
 * Which ductors a relay serves decides whether `--server` is needed and valid: one line saying what to do, or
 * undefined when the tail can go on. `servers` undefined: the URL is no relay that lists (plain ductor, older).
 */
export function serverChoiceProblem(servers: readonly string[] | undefined, server: string | undefined, url: string): string | undefined {
  if (servers === undefined)
    return server === undefined
      ? undefined
      : `${url} lists no ductors (not a relay serving several), so --server ${server} has nothing to choose`;
  const list = servers.join(", ");
  if (server === undefined) return servers.length > 1 ? `${url} serves several ductors (${list}): say which with --server NAME` : undefined;
  if (servers.length === 1) return `${url} serves one ductor, at its own URLs; leave out --server ${server}`;
  if (!servers.includes(server)) return `${url} has no ductor named ${server} (it serves ${list})`;
  return undefined;
}

/**
 * What `--since` asks for. `now`: live only (the default). `all`: everything the relay retains. `seq`: the events
 * after this seq. `ago`: the events that arrived within the last `ms`. `at`: the events that arrived at or after
 * this time (ms since the epoch). Every form but `now` needs a relay.
 */
export type SinceSpec =
  | { kind: "now" }
  | { kind: "all" }
  | { kind: "seq"; seq: number }
  | { kind: "ago"; ms: number }
  | { kind: "at"; epochMs: number };

/** A date and a time, `T` between them, optional seconds and fraction, optional `Z` or offset (else local time). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})?$/;

/**
 * `--since`: `now`, `all`, a seq (digits alone: `1200`), a duration back from now (`90s`, `10m`, `2h`, `1d`; a
 * number needs its unit, since `10` is a seq) or an ISO date-time (`2026-04-21T10:00`, local unless it has `Z` or
 * an offset). Throws with a message that lists the forms.
 */
export function parseSince(text: string): SinceSpec {
  const value = text.trim();
  if (value === "now") return { kind: "now" };
  if (value === "all") return { kind: "all" };
  if (/^\d+$/.test(value)) {
    const seq = Number(value);
    if (!Number.isSafeInteger(seq)) throw new Error(`--since ${value}: seq too large`);
    return { kind: "seq", seq };
  }
  if (DATE_TIME.test(value)) {
    const epochMs = Date.parse(value);
    if (Number.isFinite(epochMs)) return { kind: "at", epochMs };
  }
  try {
    return { kind: "ago", ms: parseDuration(value) };
  } catch {
    throw new Error(
      `not a --since value: ${JSON.stringify(text)} (use a seq such as 1200, all, now, a duration such as 10m or 2h, ` +
        "or a time such as 2026-04-21T10:00)",
    );
  }
}

/** `--ductor`: an absolute http(s) URL (ductor's API server, or a relay: `ductor-dashboard serve`). */
export function parseServerUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`not a URL: ${JSON.stringify(text)} (e.g. ${DEFAULT_DUCTOR})`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`not an http(s) URL: ${JSON.stringify(text)}`);
  // The dashboard's one-click link ends in `#token=…`: the fragment is the browser's, never sent, never printed.
  if (url.hash) {
    url.hash = "";
    return url.href;
  }
  return text;
}

/** `--server`: a relay's server name, as `serve --ductor name=URL` took it. */
export function serverName(text: string): string {
  if (!SERVER_NAME.test(text))
    throw new Error(`not a server name: ${JSON.stringify(text)} (lowercase letters, digits and -, as serve was given)`);
  return text;
}

export interface OutputMode {
  /** Colours (SGR sequences written by the tail itself). */
  color: boolean;
  /** The activity line at the bottom (`\r`, erase-line), redrawn every second. */
  activity: boolean;
}

/**
 * Escape sequences only on a terminal that wants them: never with `--json`, `--no-color`, `NO_COLOR` set to
 * anything non-empty (no-color.org), `TERM=dumb`, or stdout that is not a TTY (a pipe, a file). The activity line
 * goes with the colours: without escape sequences it could not be redrawn in place.
 */
export function outputMode(opts: { json: boolean; color: boolean; isTTY: boolean; env: Record<string, string | undefined> }): OutputMode {
  const on = !opts.json && opts.color && opts.isTTY && !opts.env["NO_COLOR"] && opts.env["TERM"] !== "dumb";
  return { color: on, activity: on };
}
