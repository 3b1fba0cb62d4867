/**
 * `startDashboardServer`: serves the built static site (dist/site) and proxies ductor's dashboard API
 * (`/dashboard/status|sessions|tasks|logs…` and `/health`) so the browser talks to one origin. With ductor's
 * token it is also the recording relay (src/relay/): it reads ductor's stream once, numbers and stores every
 * frame, and answers `/dashboard/stream` (with `since=` resume) and `/dashboard/history…` itself. Without a
 * token (or with `relay: false`) the stream upgrade is proxied to ductor as before and there is no history.
 * Nothing else of ductor (`/ws`, `/files`, `/upload`) is reachable through it: every request first passes the
 * gate (src/serve/gate.ts), which decides on the normalised path, the method, the Host (DNS rebinding) and,
 * for the stream, the Origin. Node only.
 *
 * Several ductors (`ductors`): one backend each (src/serve/backend.ts: proxy, relay, store), apart; each one's
 * API under `/s/<name>/`, and `GET /dashboard/servers` lists the names (no token: names only, never a URL).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import sirv from "sirv";
import { SERVER_NAME } from "@ductor/dashboard-client";
import type { HistoryStore } from "./history/store.js";
import type { Relay, RelayLog, RelayTuning } from "./relay/relay.js";
import { createBackend, type Backend } from "./serve/backend.js";
import { decide } from "./serve/gate.js";
import { createHostAllowList } from "./serve/hosts.js";
import { refuseResponse, refuseUpgrade } from "./serve/refusal.js";

/** One of several ductors behind one dashboard (`ductors`). */
export interface DuctorOptions {
  /** Its name: a path segment (`/s/<name>/…`) and part of `DUCTOR_API_TOKEN_<NAME>`; `[a-z0-9][a-z0-9-]{0,31}`. */
  name: string;
  /** Its API base URL. */
  url: string;
  /** Its own token: with it this ductor is recorded (relay, history); viewers sign in with the same one. */
  token?: string;
  /** Its history: a SQLite file path, or false for a bounded in-memory ring. Default false. */
  history?: string | false;
  /** A store to use instead of opening one; the caller closes it. */
  historyStore?: HistoryStore;
}

/** What the dashboard serves, as `GET /dashboard/servers` lists it and `DashboardServer.servers` holds it. */
export interface ServedDuctor {
  name: string;
  /** Its API's base path on the dashboard: "/" for a single ductor, "/s/<name>/" for several. */
  base: string;
  /** The relay, when this ductor is recorded. */
  relay?: Relay;
  /** The one-click link (the token in the fragment, never sent to the server) when a token was given. */
  tokenUrl?: string;
}

export interface DashboardServerOptions {
  /** ductor's API base URL, e.g. "http://127.0.0.1:8741". One of `ductor` and `ductors` is required. */
  ductor?: string;
  /**
   * Several ductors in one dashboard, each with its own token, relay and history; each one's API is then
   * under `/s/<name>/` (and `GET /dashboard/servers` lists them). A list of one keeps today's URLs.
   * `token`, `history` and `historyStore` here are then unused: each ductor has its own.
   */
  ductors?: readonly DuctorOptions[];
  /** Default "127.0.0.1". */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /**
   * ductor's token. `tokenUrl` is then a one-click link carrying it in the fragment (never sent to the server),
   * and the server is the recording relay (unless `relay: false`): it reads ductor's stream with this token and
   * asks viewers and history requests for the same one.
   */
  token?: string;
  /** `false`: a plain proxy even with a token (the stream upgrade goes to ductor, no history). Else relay tuning. */
  relay?: false | RelayTuning;
  /**
   * Where the relay keeps history: a SQLite file path, or `false` for a bounded in-memory ring (lost on exit).
   * Default `false` here (a library call writes no file unless told); the CLI defaults to the XDG state path.
   */
  history?: string | false;
  /** Keep events this long (ms); older ones are pruned in the background. Default: the store's. */
  retain?: number;
  /** Keep the history file under this many bytes (oldest events pruned first). Default: the store's. */
  maxHistoryBytes?: number;
  /** A store to use instead of opening one (`history`, `retain`, `maxHistoryBytes` are then ignored); the caller closes it. */
  historyStore?: HistoryStore;
  /** Operator lines from the relay and its store ("info": ductor connected/disconnected; "warn": the rest). Default: none. */
  log?: RelayLog;
  /** The built site folder. Default: dist/site next to this module. */
  siteDir?: string;
  /**
   * Host names served besides loopback names (localhost, *.localhost, 127.0.0.1, [::1]) and the bound address:
   * "dash.example", "dash.example:8080", "*.example.com", "[fe80::1]". Any other Host is refused (403), which
   * stops DNS-rebinding pages. Bound to 0.0.0.0 or ::, list the names the machine is reached by here.
   */
  allowedHosts?: readonly string[];
}

export interface DashboardServer {
  /** "http://127.0.0.1:PORT/" */
  url: string;
  /** `url` + "#token=…" when a token was given. */
  tokenUrl?: string;
  port: number;
  /** The relay, when the server is one (a token was given and `relay` is not false); with several ductors, unset. */
  relay?: Relay;
  /** Every ductor served, in the order given. */
  servers: readonly ServedDuctor[];
  close(): Promise<void>;
}

/** The ductors asked for, checked: one entry for `ductor`, or `ductors` with valid, distinct names and URLs. */
function ductorsOf(options: DashboardServerOptions): DuctorOptions[] {
  if (options.ductors && options.ductor !== undefined) throw new Error("give either ductor or ductors, not both");
  const list: DuctorOptions[] = options.ductors
    ? [...options.ductors]
    : options.ductor !== undefined
      ? [
          {
            name: "ductor",
            url: options.ductor,
            ...(options.token !== undefined ? { token: options.token } : {}),
            history: options.history ?? false,
            ...(options.historyStore ? { historyStore: options.historyStore } : {}),
          },
        ]
      : [];
  if (list.length === 0) throw new Error("no ductor to serve: give --ductor URL (or name=URL, repeated)");
  const seen = new Set<string>();
  for (const ductor of list) {
    if (!SERVER_NAME.test(ductor.name))
      throw new Error(
        `a ductor's name must be lowercase letters, digits and - (up to 32, not starting with -), got ${JSON.stringify(ductor.name)}`,
      );
    if (seen.has(ductor.name)) throw new Error(`two ductors are named ${ductor.name}`);
    seen.add(ductor.name);
    let url: URL;
    try {
      url = new URL(ductor.url);
    } catch {
      throw new Error(`--ductor must be an http(s) URL, got ${ductor.url}`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`--ductor must be an http(s) URL, got ${ductor.url}`);
  }
  return list;
}

/**
 * The site's page as this server sends it: with a meta tag that says `GET dashboard/servers` answers here, so the
 * page asks which ductors it serves on a first visit (a plain static host has no such tag, and the page then asks
 * nothing, so it logs no 404). The page is otherwise the file, sent like sirv would (ETag, no-cache).
 */
function servedPage(html: string): (req: IncomingMessage, res: ServerResponse) => void {
  const marker = '<meta name="ductor-dashboard-servers" content="dashboard/servers" />';
  const body = Buffer.from(html.includes("<head>") ? html.replace("<head>", `<head>\n    ${marker}`) : html);
  const etag = `W/"${createHash("sha1").update(body).digest("base64url")}"`;
  return (req, res) => {
    securityHeaders(res);
    res.setHeader("Cache-Control", "no-cache");
    res.setHeader("ETag", etag);
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304);
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": body.length });
    res.end(req.method === "HEAD" ? undefined : body);
  };
}

function sendServers(res: ServerResponse, method: string, servers: readonly ServedDuctor[]): void {
  const body = JSON.stringify({ servers: servers.map((s) => ({ name: s.name, base: s.base, relay: s.relay !== undefined })) });
  res.writeHead(200, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  res.end(method === "HEAD" ? undefined : body);
}

/** The Content-Security-Policy sent with every page: no inline script, styles from files only. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join("; ");

/** The built static site that ships in `@ductor/dashboard-ui` (its `./site/*` export). */
function bundledSiteDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve("@ductor/dashboard-ui/site/index.html"));
  } catch {
    throw new Error("The dashboard site was not found: @ductor/dashboard-ui is not installed or not built (its dist/site).");
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function securityHeaders(res: ServerResponse): void {
  res.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("X-Frame-Options", "DENY");
}

export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const ductors = ductorsOf(options);
  const several = ductors.length > 1;
  const siteDir = options.siteDir ?? bundledSiteDir();
  if (!existsSync(join(siteDir, "index.html"))) {
    throw new Error(`The dashboard site is not built (no ${join(siteDir, "index.html")}). Run the package build first.`);
  }
  const host = options.host ?? "127.0.0.1";
  const allowedHosts = createHostAllowList(host, options.allowedHosts ?? []);

  const page = servedPage(readFileSync(join(siteDir, "index.html"), "utf8"));
  const statics = sirv(siteDir, {
    dev: false,
    etag: true,
    gzip: false,
    brotli: false,
    setHeaders: (res: ServerResponse, pathname: string) => {
      securityHeaders(res);
      if (pathname === "/" || pathname.endsWith(".html")) res.setHeader("Cache-Control", "no-cache");
      else if (pathname.startsWith("/assets/")) res.setHeader("Cache-Control", "public, max-age=31536000, immutable");
    },
  });

  // One backend per ductor, apart: its own proxy, relay and store. Stores open first, so a bad path fails
  // before anything listens (and the backends already made are closed again).
  const backends = new Map<string, Backend>();
  const closeBackends = () => Promise.allSettled([...backends.values()].map((b) => b.close()));
  try {
    for (const ductor of ductors) {
      const log = options.log;
      backends.set(
        ductor.name,
        createBackend({
          url: new URL(ductor.url),
          token: ductor.token,
          relay: options.relay ?? {},
          history: ductor.history ?? false,
          retainMs: options.retain,
          maxHistoryBytes: options.maxHistoryBytes,
          historyStore: ductor.historyStore,
          // With several ductors, a line says whose it is.
          log: log && several ? (line, level) => log(`${ductor.name}: ${line}`, level) : log,
        }),
      );
    }
  } catch (err) {
    await closeBackends();
    throw err;
  }
  const names = several ? new Set(backends.keys()) : null;
  const single = several ? undefined : backends.values().next().value;
  const backendFor = (server: string | undefined): Backend => (server === undefined ? single : backends.get(server)) as Backend;

  const sockets = new Set<Socket>();
  const gate = (req: IncomingMessage, upgrade: string | undefined) =>
    decide(
      {
        method: req.method ?? "",
        url: req.url ?? "",
        host: headerValue(req.headers.host),
        origin: headerValue(req.headers.origin),
        upgrade,
      },
      allowedHosts,
      names,
    );

  let served: ServedDuctor[] = [];
  const server = createServer((req, res) => {
    const decision = gate(req, undefined);
    if (decision.action === "refuse") {
      securityHeaders(res);
      refuseResponse(res, decision);
      return;
    }
    if (decision.action === "servers") {
      sendServers(res, req.method ?? "GET", served);
      return;
    }
    // From here on, the request is the one the gate decided on: nothing downstream re-reads the raw target.
    req.url = decision.url;
    if (decision.action === "proxy") {
      backendFor(decision.server).web(req, res);
      return;
    }
    if (decision.action === "relay") {
      backendFor(decision.server).history(req, res, decision.url);
      return;
    }
    if (decision.url.split("?")[0] === "/" || decision.url.split("?")[0] === "/index.html") {
      page(req, res);
      return;
    }
    statics(req, res, () => {
      securityHeaders(res);
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end("404: Not Found");
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    const decision = gate(req, headerValue(req.headers.upgrade) ?? "");
    if (decision.action !== "proxy") {
      // "static" cannot come back for an upgrade; treat anything but "proxy" as a refusal.
      refuseUpgrade(socket, decision.action === "refuse" ? decision : { status: 404, reason: "not found" });
      return;
    }
    req.url = decision.url;
    backendFor(decision.server).upgrade(req, socket, head, decision.url);
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    await closeBackends();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  const url = `http://${shownHost}:${port}/`;
  served = ductors.map((ductor) => {
    const relay = backends.get(ductor.name)?.relay;
    // The fragment never reaches the server; with several ductors it says whose token it is.
    const fragment = several ? `#server=${ductor.name}&token=` : "#token=";
    return {
      name: ductor.name,
      base: several ? `/s/${ductor.name}/` : "/",
      ...(relay ? { relay } : {}),
      ...(ductor.token ? { tokenUrl: `${url}${fragment}${encodeURIComponent(ductor.token)}` } : {}),
    };
  });

  let closing: Promise<void> | null = null;
  const only = several ? undefined : served[0];
  return {
    url,
    port,
    ...(only?.tokenUrl ? { tokenUrl: only.tokenUrl } : {}),
    ...(only?.relay ? { relay: only.relay } : {}),
    servers: served,
    close(): Promise<void> {
      closing ??= (async () => {
        // The relays first: their last "disconnected" rows are stored and viewers get 1001 before sockets are cut.
        await closeBackends();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const s of sockets) s.destroy();
        });
      })();
      return closing;
    },
  };
}
