/**
 * `startMockServer`: loads the recording and data, then wires one node:http server, a `ws` server
 * in noServer mode, the stream hub and the replay together. What each request gets is decided by
 * the route table (routes/table.ts) and the dispatcher (routes/dispatch.ts), not here.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { WebSocketServer } from "ws";
import { validateFaults, type Faults } from "./faults.js";
import { internalError, NonAsciiTokenError } from "./http.js";
import { withResponseDelay } from "./http-faults.js";
import { parseRecording, resolveRecording, type Recording, type Snapshot } from "./recording.js";
import { Replayer } from "./replay.js";
import type { Answer, RouteContext } from "./routes/context.js";
import { answer, answerUpgrade, type Router, writeAnswer } from "./routes/dispatch.js";
import { LOG_MTIMES_FILE } from "./routes/logs.js";
import { ROUTES } from "./routes/table.js";
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

function positiveInt(name: string, v: number | undefined): number | undefined {
  if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new TypeError(`${name} must be a positive integer, got ${String(v)}`);
  return v;
}

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

  const wss = new WebSocketServer({
    noServer: true,
    autoPong: false, // the hub answers pings itself, so the noPing fault can stay silent
    maxPayload: 4 * 1024 * 1024, // aiohttp's default max_msg_size: bigger frames close with 1009
    perMessageDeflate: { threshold: 1024 },
  });
  const ctx: RouteContext = {
    dataDir,
    snapshot: (path) => snapshots.get(path),
    runtime: () => ({ provider, model }),
    uptimeSeconds: () => Math.floor((performance.now() - startedAt) / 1000),
    dashboardConnections: () => hub.connections,
    timeShift,
    faults: () => faults,
    stream: { wss, hub, maxConnections, handshaking: 0 },
  };
  const router: Router = { routes: ROUTES, ctx, token };

  const onRequest = withResponseDelay(ctx.faults, async (req: IncomingMessage, res: ServerResponse) => {
    let reply: Answer;
    try {
      reply = await answer(router, req);
    } catch (e) {
      if (!(e instanceof NonAsciiTokenError) && process.env.DUCTOR_MOCK_DEBUG) console.error(e);
      reply = internalError(req);
    }
    writeAnswer(req, res, reply);
  });
  const http = createServer((req, res) => {
    req.resume(); // bodies are never read; drain them so keep-alive works
    void onRequest(req, res);
  });
  http.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => answerUpgrade(router, req, socket, head));
  const rawSockets = new Set<Socket>();
  http.on("connection", (s: Socket) => {
    rawSockets.add(s);
    s.on("close", () => rawSockets.delete(s));
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
        onRequest.cancel();
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
