/**
 * HTTP + WebSocket wiring: one node:http server, a `ws` server in noServer mode for
 * `/dashboard/stream`, aiohttp-like routing (exact paths, 404/405 pages, HEAD everywhere) and the
 * replay driving the stream.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { WebSocketServer } from "ws";
import { validateFaults, type Faults } from "./faults.js";
import {
  bearerOk,
  frameworkError,
  internalError,
  jsonReply,
  methodNotAllowed,
  NonAsciiTokenError,
  notFound,
  proxyHtmlError,
  reasonPhrase,
  type Reply,
  send,
  SERVER_HEADER,
  TEXT_TYPE,
  tokenMatches,
  unauthorized,
} from "./http.js";
import { parseRecording, resolveRecording, type Recording, type Snapshot } from "./recording.js";
import { Replayer } from "./replay.js";
import type { Handler, RouteContext } from "./routes/context.js";
import { health } from "./routes/health.js";
import { type FileReply, isFileReply, LOG_MTIMES_FILE, logsFile, logsList, sendFile } from "./routes/logs.js";
import { sessions } from "./routes/sessions.js";
import { status } from "./routes/status.js";
import { tasks } from "./routes/tasks.js";
import { timeShiftTo } from "./timeshift.js";
import { DEFAULT_MAX_BACKLOG_BYTES, StreamHub, type SentFrame } from "./stream.js";

export type { SentFrame } from "./stream.js";

export interface MockServerOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** Default: 43 random URL-safe characters, like ductor. */
  token?: string;
  /** A bundled name ("coding-session", "long-output"), a .jsonl path, or a parsed Recording. Default: none (no events). */
  recording?: string | Recording;
  /** Data folder (sessions.json, tasks.json, logs/). Default: the recording's own folder, if any. */
  data?: string;
  /** 1 = recorded timing, 2 = twice as fast, 0 = as fast as possible. Default 1. */
  speed?: number;
  /** Start over at the end. Default false. */
  loop?: boolean;
  /** Cap any gap between two events (recorded ms). Default: none. */
  maxIdleMs?: number;
  /** When replay starts. Default "first-client". */
  autoplay?: "first-client" | "immediate" | "manual";
  /** Protocol ping interval; ductor uses 30_000 (pong timeout = half of it). 0 disables. */
  heartbeatMs?: number;
  /** What /dashboard/status reports (swapped on the wire, like ductor). Default: the recording header's, else claude/opus. */
  status?: { provider?: string; model?: string };
  faults?: Faults;
  /** How many `sent()` frames are kept (the oldest are dropped first). Default 100_000. */
  sentLimit?: number;
  /**
   * Per-socket send backlog (bytes queued in the socket and ws's compressor) above which a stream
   * socket is a slow consumer and is terminated on its own (the client sees 1006). Default 8 MiB.
   */
  maxBacklogBytes?: number;
  /**
   * Move every time in the data folder and the recording by one whole-second offset so the newest
   * lands on now (`true`, taken when the server starts) or on the given Date. Sessions' and tasks'
   * times keep their formats (ISO strings, epoch floats, `0.0` stays `0.0`); pinned log mtimes and the
   * `YYYY-MM-DD HH:MM:SS` stamps inside log files move too. Default false: times as recorded.
   */
  shiftTimes?: boolean | Date;
  /**
   * Most authenticated `/dashboard/stream` sockets at once; an upgrade over it is answered
   * HTTP 503 (a failed handshake). Default: no limit, like ductor.
   */
  maxConnections?: number;
}

export interface MockServer {
  /** "http://127.0.0.1:PORT" */
  url: string;
  /** "ws://127.0.0.1:PORT/dashboard/stream" (add ?token=) */
  streamUrl: string;
  port: number;
  token: string;
  /** Seconds added to every data time by `shiftTimes` (0 without it). */
  timeShiftSeconds: number;
  /** Send one frame to every authenticated stream socket (objects are encoded like ductor's json.dumps). */
  broadcast(frame: object | string | Uint8Array): void;
  /** Frames sent to stream sockets, in order (the last `sentLimit` of them). */
  sent(): SentFrame[];
  /** Open authenticated stream sockets. */
  streamClients(): number;
  /** Replace the faults at run time. */
  setFaults(faults: Faults): void;
  /** Terminate (no code) or close with `code` every stream socket now. */
  dropAll(code?: number, reason?: string): void;
  replay: { start(): void; pause(): void; readonly done: Promise<void>; readonly position: number };
  /** Close 1001 "server shutdown" to every socket, then stop listening. Leaves no timers or sockets. */
  close(): Promise<void>;
}

const DEFAULT_SENT_LIMIT = 100_000;
/**
 * Sent between two passes of a looping replay, so the dashboard can tell the passes apart (nothing
 * in ductor's stream marks a turn, so the last text of one pass would otherwise run into the first
 * of the next). A status label, then the clear: labels are opaque strings (protocol §3.2).
 */
const LOOP_RESTART_FRAMES = [
  { type: "system_status", data: "replay restarted" },
  { type: "system_status", data: null },
] as const;
/** How long close() waits for clients to answer the 1001 Close before cutting them off. */
const SHUTDOWN_WAIT_MS = 1_000;

type RouteKind = "get" | "stream" | "ws" | "upload";
interface Route {
  kind: RouteKind;
  handler?: Handler;
  auth: boolean;
}

/** ductor's route table (protocol.md §1). Paths are matched exactly: a trailing slash is a 404. */
const ROUTES: Record<string, Route> = {
  "/health": { kind: "get", handler: health, auth: false },
  "/dashboard/status": { kind: "get", handler: status, auth: true },
  "/dashboard/sessions": { kind: "get", handler: sessions, auth: true },
  "/dashboard/tasks": { kind: "get", handler: tasks, auth: true },
  "/dashboard/logs": { kind: "get", handler: logsList, auth: true },
  "/files": { kind: "get", handler: files, auth: true },
  "/dashboard/stream": { kind: "stream", auth: false },
  "/ws": { kind: "ws", auth: false },
  "/upload": { kind: "upload", auth: true },
};

const LOGS_PREFIX = "/dashboard/logs/";

/** `/files` exists in ductor; the mock has no allowed roots, so any path is outside them. */
function files(r: { req: IncomingMessage }): Reply {
  const q = new URL(r.req.url ?? "/", "http://x").searchParams.get("path");
  if (!q) return jsonReply({ error: "missing 'path' query parameter" }, 400);
  return jsonReply({ error: "path outside allowed roots" }, 403);
}

/** yarl-style lenient percent-decoding: an invalid escape stays as it is. */
function decodePath(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s.replace(/%[0-9a-fA-F]{2}/g, (m) => {
      try {
        return decodeURIComponent(m);
      } catch {
        return m;
      }
    });
  }
}

type Match = { route: Route; param?: string } | undefined;

function match(rawUrl: string): Match {
  const rawPath = rawUrl.split("?")[0] ?? "";
  if (rawPath.startsWith(LOGS_PREFIX)) {
    // `{filename}` is one raw segment (no literal "/"), decoded afterwards: `..%2Fx` reaches the handler as `../x`.
    const seg = rawPath.slice(LOGS_PREFIX.length);
    if (seg !== "" && !seg.includes("/")) {
      return { route: { kind: "get", handler: logsFile as Handler, auth: true }, param: decodePath(seg) };
    }
  }
  const route = ROUTES[decodePath(rawPath)];
  return route ? { route } : undefined;
}

function positiveInt(name: string, v: number | undefined): number | undefined {
  if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new TypeError(`${name} must be a positive integer, got ${String(v)}`);
  return v;
}

const NO_UPGRADE_BODY = (upgrade: string | undefined) =>
  `No WebSocket UPGRADE hdr: ${upgrade ?? "None"}\n Can "Upgrade" only to "WebSocket".`;

export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const token = options.token ?? randomBytes(32).toString("base64url");
  let recording: Recording = { header: { ductorRecording: 1, recordedAt: new Date(0).toISOString(), source: "synthetic" }, entries: [] };
  let dataDir = options.data;
  if (typeof options.recording === "string") {
    const resolved = resolveRecording(options.recording);
    recording = parseRecording(await readFile(resolved.file, "utf8"), resolved.file);
    dataDir ??= resolved.dataDir;
  } else if (options.recording) {
    recording = options.recording;
  }
  const timeShift = options.shiftTimes
    ? await timeShiftTo(options.shiftTimes === true ? new Date() : options.shiftTimes, dataDir, recording, LOG_MTIMES_FILE)
    : undefined;
  if (timeShift) recording = timeShift.recording(recording);
  let faults = validateFaults(options.faults ?? {});
  const provider = options.status?.provider ?? recording.header.provider ?? "claude";
  const model = options.status?.model ?? recording.header.model ?? "opus";
  const startedAt = performance.now();

  // REST snapshots: start from each path's first snapshot, then follow the replay.
  const snapshots = new Map<string, Snapshot>();
  for (const e of recording.entries) {
    if ("snapshot" in e && !snapshots.has(e.snapshot.path)) snapshots.set(e.snapshot.path, e.snapshot);
  }

  let replayStarted = false;
  const autoplay = options.autoplay ?? "first-client";
  const maxBacklogBytes = positiveInt("maxBacklogBytes", options.maxBacklogBytes) ?? DEFAULT_MAX_BACKLOG_BYTES;
  const maxConnections = positiveInt("maxConnections", options.maxConnections);
  const hub = new StreamHub({
    faults,
    heartbeatMs: options.heartbeatMs ?? 30_000,
    sentLimit: options.sentLimit ?? DEFAULT_SENT_LIMIT,
    maxBacklogBytes,
    onAuthenticated: () => {
      if (autoplay === "first-client" && !replayStarted) startReplay();
    },
  });
  const replayer = new Replayer(
    recording.entries,
    { speed: options.speed ?? 1, loop: options.loop ?? false, maxIdleMs: options.maxIdleMs },
    {
      emit: (frame) => hub.broadcast(frame),
      snapshot: (s) => snapshots.set(s.path, s),
      restarted: () => {
        for (const frame of LOOP_RESTART_FRAMES) hub.broadcast(frame);
      },
      congested: () => hub.congested(),
    },
  );
  function startReplay(): void {
    replayStarted = true;
    replayer.start();
  }

  const ctx: RouteContext = {
    dataDir,
    snapshot: (path) => snapshots.get(path),
    runtime: () => ({ provider, model }),
    uptimeSeconds: () => Math.floor((performance.now() - startedAt) / 1000),
    dashboardConnections: () => hub.connections,
    timeShift,
  };

  /** The fault that replaces any /dashboard/* answer after auth. */
  function faultReply(req: IncomingMessage): Reply | undefined {
    const s = faults.httpStatus;
    if (s === undefined) return undefined;
    if (faults.htmlErrors) return proxyHtmlError(s);
    if (s === 401) return unauthorized();
    if (s === 404) return notFound();
    if (s === 405) return methodNotAllowed();
    if (s === 500) return internalError(req);
    if (s === 503) return jsonReply({ error: "logs not configured" }, 503);
    if (s < 400) return jsonReply({ status: "ok" }, s);
    return frameworkError(s);
  }

  /** Route one request to a Reply (or a file to stream). Throws where ductor's handler would raise. */
  async function route(req: IncomingMessage): Promise<Reply | FileReply> {
    const m = match(req.url ?? "/");
    if (!m) return notFound();
    const { route: r } = m;
    const method = req.method ?? "GET";
    if (r.kind === "upload") {
      if (method !== "POST") return frameworkError(405, { Allow: "POST" });
    } else if (method !== "GET" && method !== "HEAD") {
      return methodNotAllowed();
    }
    if (r.kind === "stream" || r.kind === "ws") {
      // A plain GET: aiohttp's WebSocketResponse.prepare fails before the handler looks at the token.
      return { status: 400, headers: { "Content-Type": TEXT_TYPE }, body: NO_UPGRADE_BODY(req.headers.upgrade) };
    }
    if (r.auth && !bearerOk(req, token)) return unauthorized();
    const isDashboard = (req.url ?? "").startsWith("/dashboard/");
    const fault = isDashboard ? faultReply(req) : undefined;
    if (fault) return fault;
    if (r.kind === "upload") return jsonReply({ error: "file uploads not configured" }, 503);
    if (!r.handler) return notFound();
    return r.handler({ req, param: m.param }, ctx);
  }

  const pendingDelays = new Set<{ timer: NodeJS.Timeout; res: ServerResponse }>();
  function delay(res: ServerResponse): Promise<void> {
    const ms = faults.httpDelayMs ?? 0;
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        res,
        timer: setTimeout(() => {
          pendingDelays.delete(entry);
          resolve();
        }, ms),
      };
      pendingDelays.add(entry);
    });
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume(); // bodies are never read; drain them so keep-alive works
    await delay(res);
    if (res.destroyed) return;
    let reply: Reply | FileReply;
    try {
      reply = await route(req);
    } catch (e) {
      if (!(e instanceof NonAsciiTokenError) && process.env.DUCTOR_MOCK_DEBUG) console.error(e);
      reply = internalError(req);
    }
    if (isFileReply(reply)) sendFile(req.method, res, reply);
    else send(req, res, reply);
  }

  const http = createServer((req, res) => void onRequest(req, res));
  const wss = new WebSocketServer({
    noServer: true,
    autoPong: false, // the hub answers pings itself, so the noPing fault can stay silent
    maxPayload: 4 * 1024 * 1024, // aiohttp's default max_msg_size: bigger frames close with 1009
    perMessageDeflate: { threshold: 1024 },
  });
  const rawSockets = new Set<Socket>();
  /** Upgrades accepted but not yet handed to the hub, so a burst cannot slip past `maxConnections`. */
  let upgrading = 0;
  http.on("connection", (s: Socket) => {
    rawSockets.add(s);
    s.on("close", () => rawSockets.delete(s));
  });

  /** Answer an upgrade request with a plain HTTP response written on the socket. */
  function rawReply(socket: Socket, reply: Reply): void {
    const body = reply.body ?? "";
    const headers: Record<string, string> = {
      Server: SERVER_HEADER,
      ...reply.headers,
      "Content-Length": String(Buffer.byteLength(body)),
      Connection: "close",
    };
    const head = [`HTTP/1.1 ${reply.status} ${reasonPhrase(reply.status)}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    socket.end(`${head.join("\r\n")}\r\n\r\n${typeof body === "string" ? body : body.toString("latin1")}`);
  }

  http.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const m = match(req.url ?? "/");
    const isWs = (req.headers.upgrade ?? "").toLowerCase() === "websocket";
    if (!m || (m.route.kind !== "stream" && m.route.kind !== "ws") || !isWs) {
      // Not a WebSocket endpoint: answer as the plain HTTP route would (404, 405, 400…), minus files.
      void route(req)
        .catch(() => internalError(req))
        .then((r) => rawReply(socket, isFileReply(r) ? frameworkError(400) : r));
      return;
    }
    if (req.method !== "GET") return rawReply(socket, methodNotAllowed());
    if (m.route.kind === "ws") {
      // The E2E chat channel is out of scope for the mock: accept, say so, close.
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on("error", () => {});
        ws.send(JSON.stringify({ type: "error", code: "not_supported", message: "the mock server has no /ws chat" }));
        ws.close(1000);
      });
      return;
    }
    const given = new URL(req.url ?? "/", "http://x").searchParams.get("token") ?? "";
    let ok: boolean;
    try {
      ok = tokenMatches(given, token);
    } catch {
      return rawReply(socket, internalError(req)); // non-ASCII token: ductor's compare raises
    }
    const fault = ok ? faultReply(req) : undefined;
    if (fault) return rawReply(socket, fault);
    if (!ok) return wss.handleUpgrade(req, socket, head, (ws) => hub.reject(ws));
    // Over the limit: refuse before the 101, so the refused socket costs nothing. A bad token above
    // still gets ductor's 101 + 1008, so a client learns its token is wrong whatever the load.
    if (maxConnections !== undefined && hub.connections + upgrading >= maxConnections) {
      return rawReply(socket, frameworkError(503, { "Retry-After": "1" }));
    }
    upgrading++;
    wss.handleUpgrade(req, socket, head, (ws) => {
      upgrading--;
      hub.accept(ws);
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      http.off("error", reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const host = options.host ?? "127.0.0.1";
  const urlHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;

  if (autoplay === "immediate") startReplay();

  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    streamUrl: `ws://${urlHost}:${port}/dashboard/stream`,
    port,
    token,
    timeShiftSeconds: timeShift?.seconds ?? 0,
    broadcast: (frame) => hub.broadcast(frame),
    sent: () => hub.sent(),
    streamClients: () => hub.openClients,
    setFaults(next) {
      faults = validateFaults(next);
      hub.setFaults(faults);
    },
    dropAll: (code, reason) => hub.dropAll(code, reason),
    replay: {
      start: () => startReplay(),
      pause: () => replayer.pause(),
      get done() {
        return replayer.done;
      },
      get position() {
        return replayer.position;
      },
    },
    close() {
      closed ??= (async () => {
        replayer.stop();
        for (const p of pendingDelays) {
          clearTimeout(p.timer);
          p.res.destroy();
        }
        pendingDelays.clear();
        await hub.shutdown(SHUTDOWN_WAIT_MS);
        await new Promise<void>((resolve) => {
          wss.close(() => resolve());
        });
        const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeAllConnections();
        for (const s of rawSockets) s.destroy();
        await stopped;
      })();
      return closed;
    },
  };
}
