/**
 * `startDashboardServer`: serves the built static site (dist/site) and proxies ductor's dashboard API
 * (`/dashboard/*`, including the `/dashboard/stream` WebSocket upgrade, and `/health`) so the browser
 * talks to one origin. Nothing else of ductor (`/ws`, `/files`, `/upload`) is reachable through it.
 * Node only.
 */
import { existsSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createProxyServer } from "http-proxy-3";
import sirv from "sirv";

export interface DashboardServerOptions {
  /** ductor's API base URL, e.g. "http://127.0.0.1:8741". */
  ductor: string;
  /** Default "127.0.0.1". */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** When given, `tokenUrl` is a one-click link carrying it in the fragment (never sent to the server). */
  token?: string;
  /** The built site folder. Default: dist/site next to this module. */
  siteDir?: string;
}

export interface DashboardServer {
  /** "http://127.0.0.1:PORT/" */
  url: string;
  /** `url` + "#token=…" when a token was given. */
  tokenUrl?: string;
  port: number;
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

function defaultSiteDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [join(here, "site"), join(here, "..", "dist", "site")]) {
    if (existsSync(join(dir, "index.html"))) return dir;
  }
  return join(here, "site");
}

function isProxied(path: string): boolean {
  return path === "/health" || path.startsWith("/dashboard/");
}

function securityHeaders(res: ServerResponse): void {
  res.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("X-Frame-Options", "DENY");
}

export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const target = new URL(options.ductor);
  if (target.protocol !== "http:" && target.protocol !== "https:") throw new Error(`--ductor must be an http(s) URL, got ${options.ductor}`);
  const siteDir = options.siteDir ?? defaultSiteDir();
  if (!existsSync(join(siteDir, "index.html"))) {
    throw new Error(`The dashboard site is not built (no ${join(siteDir, "index.html")}). Run the package build first.`);
  }
  const host = options.host ?? "127.0.0.1";
  const origin = `${target.protocol}//${target.host}`;

  const proxy = createProxyServer({ target: origin, changeOrigin: true, xfwd: false, ws: true });
  proxy.on("proxyRes", (proxyRes: IncomingMessage) => {
    // Log files are text/plain whatever they contain: never let a browser sniff them into HTML.
    proxyRes.headers["x-content-type-options"] = "nosniff";
  });
  proxy.on("error", (err: Error, _req: unknown, resOrSocket: unknown) => {
    const res = resOrSocket as ServerResponse | Socket;
    if ("writeHead" in res && typeof res.writeHead === "function") {
      if (!res.headersSent) {
        res.writeHead(502, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify({ error: "bad gateway", detail: err.message }));
      } else res.destroy();
    } else (res as Socket).destroy?.();
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

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (isProxied(path)) {
      proxy.web(req, res);
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
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
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/dashboard/stream") {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      return;
    }
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    proxy.ws(req, socket, head);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  const url = `http://${shownHost}:${port}/`;

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    ...(options.token ? { tokenUrl: `${url}#token=${encodeURIComponent(options.token)}` } : {}),
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        proxy.close?.();
      });
      return closing;
    },
  };
}
