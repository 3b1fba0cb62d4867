/**
 * The request gate of `ductor-dashboard serve`: one pure decision per request, made before anything is
 * forwarded. ductor's token grants everything (`/files` reads any allowed file, `/upload` writes), so the proxy
 * forwards only what the dashboard itself uses, and decides on the normalised path it will forward (never on
 * the raw one, which a normaliser downstream could read differently).
 */
import { isHostAllowed, type HostAllowList } from "./hosts.js";
import { parseRequestTarget } from "./request-target.js";

export interface GateRequest {
  method: string;
  /** The request-target exactly as received (`req.url`). */
  url: string;
  host: string | undefined;
  origin: string | undefined;
  /** The Upgrade header, when the request asks to switch protocols (Node's "upgrade" event); else undefined. */
  upgrade: string | undefined;
}

/**
 * `server`: which ductor a "proxy" or "relay" request is for: its name when the dashboard serves several
 * (`/s/<name>/…`, and `url` is then the path with that prefix taken off), undefined for a single ductor.
 */
export type GateDecision =
  /** Forward to ductor with this path and query (rebuild `req.url` from it). */
  | { action: "proxy"; url: string; server?: string }
  /** Serve from the static site with this path and query. */
  | { action: "static"; url: string }
  /** The relay's own history endpoints (never forwarded to ductor, which has none): answer here. */
  | { action: "relay"; url: string; server?: string }
  /** `GET /dashboard/servers`: the list of ductors this dashboard serves, answered here. */
  | { action: "servers" }
  | { action: "refuse"; status: number; reason: string; headers?: Readonly<Record<string, string>> };

const READ_METHODS = new Set(["GET", "HEAD"]);
const ALLOW_READ = { allow: "GET, HEAD" } as const;
const DASHBOARD_RESOURCES = new Set(["status", "sessions", "tasks", "logs"]);
/** Everything under these first segments belongs to ductor; what is not on the allow-list there is a 404 here. */
const DUCTOR_PREFIXES = new Set(["dashboard", "health"]);

type Route = "rest" | "stream" | "history" | "servers" | "ductor-other" | "site";
/** The relay's history endpoints: /dashboard/history, /dashboard/history/search, /dashboard/history/export, /dashboard/history/usage. */
const HISTORY_SUBPATHS = new Set(["search", "export", "usage"]);

/** Which of the dashboard's endpoints a decoded path is. */
function route(segments: readonly string[]): Route {
  const [first, second, third, ...rest] = segments;
  if (segments.length === 1 && first === "health") return "rest";
  if (first === "dashboard") {
    if (segments.length === 2 && second === "stream") return "stream";
    if (segments.length === 2 && second === "servers") return "servers";
    if (second === "history" && (segments.length === 2 || (segments.length === 3 && third !== undefined && HISTORY_SUBPATHS.has(third))))
      return "history";
    if (segments.length === 2 && second !== undefined && DASHBOARD_RESOURCES.has(second)) return "rest";
    // /dashboard/logs/<one segment>; the name itself is ductor's to check (it refuses "..", "a..b" and "/").
    if (segments.length === 3 && second === "logs" && third !== "" && rest.length === 0) return "rest";
  }
  return first !== undefined && DUCTOR_PREFIXES.has(first) ? "ductor-other" : "site";
}

function refuse(status: number, reason: string, headers?: Record<string, string>): GateDecision {
  return headers ? { action: "refuse", status, reason, headers } : { action: "refuse", status, reason };
}

/**
 * A stream upgrade from a browser carries the page's Origin; only the dashboard's own page may open it, or any
 * site the user visits could read the agent's live output. Non-browser clients send no Origin.
 * `https://` is accepted too, for a dashboard behind a TLS-terminating reverse proxy on the same name.
 */
function isOwnOrigin(origin: string | undefined, host: string): boolean {
  if (origin === undefined) return true;
  const own = host.toLowerCase();
  const given = origin.trim().toLowerCase();
  return given === `http://${own}` || given === `https://${own}`;
}

/** The prefix of one ductor's API when the dashboard serves several: `/s/<name>/…`. */
const SERVER_PREFIX = "s";

/**
 * Which ductor a path is for. Single (`servers` null): every path is the one ductor's. Several: only
 * `/s/<name>/…` reaches a ductor, with the prefix taken off; the bare ductor paths are the listing's or 404.
 */
function scope(
  segments: readonly string[],
  servers: ReadonlySet<string> | null,
): { segments: readonly string[]; server?: string } | { unknown: string } | { unscoped: true } {
  if (servers === null) return { segments };
  if (segments[0] === SERVER_PREFIX && segments.length >= 3) {
    const name = segments[1] ?? "";
    return servers.has(name) ? { segments: segments.slice(2), server: name } : { unknown: name };
  }
  const where = route(segments);
  return where === "site" || where === "servers" ? { segments } : { unscoped: true };
}

/**
 * `servers`: the names of the ductors when the dashboard serves several (their APIs under `/s/<name>/`);
 * null (the default) for a single ductor at today's URLs.
 */
export function decide(request: GateRequest, hosts: HostAllowList, servers: ReadonlySet<string> | null = null): GateDecision {
  // First, before anything about the path is said: a request for a name we do not serve gets nothing.
  if (!isHostAllowed(hosts, request.host)) {
    return refuse(403, "this Host is not allowed; to serve the dashboard under another name, start it with --allowed-host NAME");
  }
  const target = parseRequestTarget(request.url);
  if (!target.ok) return refuse(400, target.reason);
  const scoped = scope(target.segments, servers);
  if ("unknown" in scoped) return refuse(404, "no ductor of that name here (GET /dashboard/servers lists them)");
  if ("unscoped" in scoped)
    return refuse(404, "this dashboard serves several ductors: their APIs are under /s/<name>/ (GET /dashboard/servers lists them)");
  const where = route(scoped.segments);
  const url = `/${scoped.segments.map(encodeURIComponent).join("/")}${target.query}`;
  const server = scoped.server !== undefined ? { server: scoped.server } : {};

  if (request.upgrade !== undefined) {
    if (where !== "stream") return refuse(404, "only /dashboard/stream can be upgraded");
    if (request.method !== "GET") return refuse(405, "a WebSocket upgrade is a GET", { allow: "GET" });
    if (request.upgrade.trim().toLowerCase() !== "websocket") return refuse(400, "only WebSocket upgrades are proxied");
    // isHostAllowed passed, so host is defined.
    if (!isOwnOrigin(request.origin, request.host ?? ""))
      return refuse(403, "the stream can only be opened from the dashboard's own page (Origin mismatch)");
    return { action: "proxy", url, ...server };
  }

  switch (where) {
    case "stream":
      if (!READ_METHODS.has(request.method)) return refuse(405, "method not allowed", { allow: "GET" });
      return refuse(426, "/dashboard/stream is a WebSocket endpoint", { upgrade: "websocket" });
    case "rest":
      if (!READ_METHODS.has(request.method)) return refuse(405, "the dashboard API is read-only (GET, HEAD)", ALLOW_READ);
      return { action: "proxy", url, ...server };
    case "history":
      if (!READ_METHODS.has(request.method)) return refuse(405, "history is read-only (GET, HEAD)", ALLOW_READ);
      return { action: "relay", url, ...server };
    case "servers":
      // Only the dashboard's own listing: `/s/<name>/dashboard/servers` is not a ductor endpoint.
      if (server.server !== undefined) return refuse(404, "not an endpoint the dashboard uses");
      if (!READ_METHODS.has(request.method)) return refuse(405, "the list of servers is read-only (GET, HEAD)", ALLOW_READ);
      return { action: "servers" };
    case "ductor-other":
      return refuse(404, "not an endpoint the dashboard uses");
    case "site":
      if (!READ_METHODS.has(request.method)) return refuse(405, "method not allowed", ALLOW_READ);
      return { action: "static", url };
  }
}
