/**
 * `startDashboardServer`: serves the built static site (dist/site) and proxies ductor's dashboard API
 * (`/dashboard/status|sessions|tasks|logs…` and `/health`) so the browser talks to one origin. With ductor's
 * token it is also the recording relay (src/relay/): it reads ductor's stream once, numbers and stores every
 * frame, and answers `/dashboard/stream` (with `since=` resume) and `/dashboard/history…` itself. Without a
 * token (or with `relay: false`) the stream upgrade is proxied to ductor as before and there is no history.
 * Nothing else of ductor (`/ws`, `/files`, `/upload`) is reachable through it: every request first passes the
 * gate (src/serve/gate.ts), which decides on the normalised path, the method, the Host (DNS rebinding) and,
 * for the stream, the Origin. Node only.
 */
import { existsSync } from "node:fs";
import { createServer, type ClientRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createProxyServer } from "http-proxy-3";
import sirv from "sirv";
import type { HistoryStore } from "./history/store.js";
import { startRelay, type Relay, type RelayLog, type RelayTuning } from "./relay/relay.js";
import { openHistoryStore } from "./relay/open-store.js";
import { decide } from "./serve/gate.js";
import { createHostAllowList } from "./serve/hosts.js";
import { refuseResponse, refuseUpgrade } from "./serve/refusal.js";

export interface DashboardServerOptions {
  /** ductor's API base URL, e.g. "http://127.0.0.1:8741". */
  ductor: string;
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
  /** The relay, when the server is one (a token was given and `relay` is not false). */
  relay?: Relay;
  close(): Promise<void>;
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

/** ductor's address stays out of error bodies: a 502 reaches whoever can reach the dashboard. */
const BAD_GATEWAY_BODY = JSON.stringify({ error: "bad gateway", detail: "ductor is unreachable" });

function badGatewayOnSocket(socket: Duplex): void {
  const head = `HTTP/1.1 502 Bad Gateway\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(BAD_GATEWAY_BODY)}\r\nconnection: close\r\n\r\n`;
  if (socket.writable) socket.end(head + BAD_GATEWAY_BODY, () => socket.destroy());
  else socket.destroy();
}

/** A history request to a plain proxy (no token given): there is no history to answer from. */
function noHistory(res: ServerResponse, method: string): void {
  const body = JSON.stringify({ error: "no history: this dashboard server is not a relay (start it with ductor's token)" });
  res.writeHead(404, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "x-content-type-options": "nosniff",
  });
  res.end(method === "HEAD" ? undefined : body);
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
  const target = new URL(options.ductor);
  if (target.protocol !== "http:" && target.protocol !== "https:")
    throw new Error(`--ductor must be an http(s) URL, got ${options.ductor}`);
  const siteDir = options.siteDir ?? bundledSiteDir();
  if (!existsSync(join(siteDir, "index.html"))) {
    throw new Error(`The dashboard site is not built (no ${join(siteDir, "index.html")}). Run the package build first.`);
  }
  const host = options.host ?? "127.0.0.1";
  const origin = `${target.protocol}//${target.host}`;
  const allowedHosts = createHostAllowList(host, options.allowedHosts ?? []);

  const proxy = createProxyServer({ target: origin, changeOrigin: true, xfwd: false, ws: true });
  proxy.on("proxyRes", (proxyRes: IncomingMessage) => {
    // Log files are text/plain whatever they contain: never let a browser sniff them into HTML.
    proxyRes.headers["x-content-type-options"] = "nosniff";
  });
  // Upgrade sockets whose upstream request got an answer (101 or an HTTP response): after that, an error
  // means the link broke mid-stream and there is no HTTP exchange left to answer on.
  const answeredUpgrades = new WeakSet<Duplex>();
  proxy.on("proxyReqWs", (proxyReq: ClientRequest, _req: unknown, socket: Duplex) => {
    const answered = (): void => void answeredUpgrades.add(socket);
    proxyReq.once("upgrade", answered);
    proxyReq.once("response", answered);
  });
  proxy.on("error", (_err: Error, _req: unknown, resOrSocket: unknown) => {
    const res = resOrSocket as ServerResponse | Duplex;
    if ("writeHead" in res && typeof res.writeHead === "function") {
      if (!res.headersSent) {
        res.writeHead(502, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(BAD_GATEWAY_BODY) });
        res.end(BAD_GATEWAY_BODY);
      } else res.destroy();
    } else if (!answeredUpgrades.has(res as Duplex)) badGatewayOnSocket(res as Duplex);
    else (res as Duplex).destroy();
  });

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

  // The relay: with a token, unless told not to. Its store is opened first so a bad path fails before listening.
  const relayTuning = options.relay === false ? undefined : (options.relay ?? {});
  let ownStore: HistoryStore | undefined;
  let relay: Relay | undefined;
  if (options.token && relayTuning) {
    if (!options.historyStore) {
      ownStore = openHistoryStore({
        history: options.history ?? false,
        ...(options.retain !== undefined ? { retainMs: options.retain } : {}),
        ...(options.maxHistoryBytes !== undefined ? { maxBytes: options.maxHistoryBytes } : {}),
        ...(options.log ? { log: (line: string) => options.log?.(line, "warn") } : {}),
      });
    }
    const store = options.historyStore ?? (ownStore as HistoryStore);
    relay = startRelay({ ...relayTuning, ductor: origin, token: options.token, store, ...(options.log ? { log: options.log } : {}) });
  }

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
    );

  const server = createServer((req, res) => {
    const decision = gate(req, undefined);
    if (decision.action === "refuse") {
      securityHeaders(res);
      refuseResponse(res, decision);
      return;
    }
    // From here on, the request is the one the gate decided on: nothing downstream re-reads the raw target.
    req.url = decision.url;
    if (decision.action === "proxy") {
      proxy.web(req, res);
      return;
    }
    if (decision.action === "relay") {
      if (relay) relay.handleHistory(req, res, decision.url);
      else noHistory(res, req.method ?? "GET");
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
    // The relay answers the stream itself (auth, since=, seq); only a plain proxy forwards it to ductor.
    if (relay && decision.url.split("?")[0] === "/dashboard/stream") relay.handleUpgrade(req, socket, head, decision.url);
    else proxy.ws(req, socket, head);
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
    await relay?.close();
    ownStore?.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  const url = `http://${shownHost}:${port}/`;

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    ...(options.token ? { tokenUrl: `${url}#token=${encodeURIComponent(options.token)}` } : {}),
    ...(relay ? { relay } : {}),
    close(): Promise<void> {
      closing ??= (async () => {
        // The relay first: its last "disconnected" row is stored and viewers get 1001 before sockets are cut.
        await relay?.close();
        ownStore?.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const s of sockets) s.destroy();
          proxy.close?.();
        });
      })();
      return closing;
    },
  };
}
