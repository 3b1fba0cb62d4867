/**
 * One ductor behind `serve`: its REST proxy (http-proxy-3, only what the gate let through) and, with its token,
 * its recording relay and history store. `serve.ts` owns the HTTP server and the gate and hands each request
 * that passed to the backend it names; a dashboard serving several ductors has one backend each, apart.
 */
import type { ClientRequest, IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { createProxyServer } from "http-proxy-3";
import type { HistoryStore } from "../history/store.js";
import { openHistoryStore } from "../relay/open-store.js";
import { startRelay, type Relay, type RelayLog, type RelayTuning } from "../relay/relay.js";

export interface BackendOptions {
  /** ductor's API base URL (already checked to be http(s)). */
  url: URL;
  /** ductor's token: with it (and `relay` not false) the backend is a recording relay. */
  token: string | undefined;
  relay: false | RelayTuning;
  /** A SQLite path, or false for the in-memory ring. */
  history: string | false;
  retainMs: number | undefined;
  maxHistoryBytes: number | undefined;
  /** A store to use instead of opening one; the caller closes it. */
  historyStore: HistoryStore | undefined;
  log: RelayLog | undefined;
}

export interface Backend {
  /** The relay, when this ductor is recorded. */
  readonly relay: Relay | undefined;
  /** A REST request (`req.url` already the normalised path for ductor). */
  web(req: IncomingMessage, res: ServerResponse): void;
  /** A `/dashboard/stream` upgrade: answered by the relay, else forwarded to ductor. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: string): void;
  /** A history request: the relay's, or a 404 that says why there is none. */
  history(req: IncomingMessage, res: ServerResponse, url: string): void;
  close(): Promise<void>;
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

function createProxy(origin: string) {
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
  return proxy;
}

/** Opens the store (a bad path fails here, before anything listens) and starts the relay when there is a token. */
export function createBackend(options: BackendOptions): Backend {
  const origin = `${options.url.protocol}//${options.url.host}`;
  const proxy = createProxy(origin);
  let ownStore: HistoryStore | undefined;
  let relay: Relay | undefined;
  if (options.token && options.relay !== false) {
    const log = options.log;
    if (!options.historyStore) {
      ownStore = openHistoryStore({
        history: options.history,
        ...(options.retainMs !== undefined ? { retainMs: options.retainMs } : {}),
        ...(options.maxHistoryBytes !== undefined ? { maxBytes: options.maxHistoryBytes } : {}),
        ...(log ? { log: (line: string) => log(line, "warn") } : {}),
      });
    }
    const store = options.historyStore ?? (ownStore as HistoryStore);
    try {
      relay = startRelay({ ...options.relay, ductor: origin, token: options.token, store, ...(log ? { log } : {}) });
    } catch (err) {
      // The store opened for it would stay open (a SQLite file handle) with nothing to close it.
      ownStore?.close();
      proxy.close?.();
      throw err;
    }
  }
  let closing: Promise<void> | undefined;
  return {
    relay,
    web: (req, res) => proxy.web(req, res),
    upgrade(req, socket, head, url) {
      // The relay answers the stream itself (auth, since=, seq); only a plain proxy forwards it to ductor.
      if (relay && url.split("?")[0] === "/dashboard/stream") relay.handleUpgrade(req, socket, head, url);
      else proxy.ws(req, socket, head);
    },
    history(req, res, url) {
      if (relay) relay.handleHistory(req, res, url);
      else noHistory(res, req.method ?? "GET");
    },
    close() {
      closing ??= (async () => {
        // The relay first: its last "disconnected" row is stored and viewers get 1001 before sockets are cut.
        await relay?.close();
        ownStore?.close();
        proxy.close?.();
      })();
      return closing;
    },
  };
}
