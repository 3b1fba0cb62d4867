/**
 * The `/dashboard/stream` sockets: auth (101 then Close 1008 on a bad token), the `{"type": "ping"}`
 * proof of auth, aiohttp-style heartbeat, broadcasting, the `sent()` log and the stream faults
 * (the per-event ones wrap its send, from stream-faults.ts; the timed ones and `noPing` are here).
 *
 * Broadcasting never waits for a socket. Each socket has a bounded backlog instead (`maxBacklogBytes`,
 * measured by `ws.bufferedAmount`, which counts both unsent socket writes and the frames waiting in
 * ws's asynchronous permessage-deflate queue): a socket found over it when the next frame is due is
 * terminated on its own (the client sees 1006, like any dead link) and everyone else goes on. One frame
 * bigger than the limit must still reach a reader that keeps up (ductor sends 10 MB deltas when an agent
 * pastes a file), so the limit is counted on top of the largest frame sent so far.
 */
import type { WebSocket } from "ws";
import type { Faults } from "./faults.js";
import { pyJson } from "./pyjson.js";
import { type EventCounters, type Frame, withEventFaults } from "./stream-faults.js";

export interface SentFrame {
  /** Authenticated stream connection number, from 1 in connection order. */
  connection: number;
  /** Frame number on that connection, from 1 (the auth `{"type": "ping"}` is seq 1). */
  seq: number;
  /** Text frames as strings, binary frames as Uint8Array. */
  data: string | Uint8Array;
  /** `Date.now()` when it was handed to the socket. */
  at: number;
}

/** ductor waits this long for the client's Close reply after a 1008 before giving up. */
const UNAUTHORIZED_CLOSE_WAIT_MS = 10_000;

/** Default per-socket backlog before a socket counts as a slow consumer and is dropped. */
export const DEFAULT_MAX_BACKLOG_BYTES = 8 * 1024 * 1024;
/** Speed 0 holds back while even the fastest socket has this much queued (or half the limit, if lower). */
const PACE_BACKLOG_BYTES = 1024 * 1024;

export interface StreamHubOptions {
  faults: Faults;
  /** Protocol ping interval; 0 disables. */
  heartbeatMs: number;
  /** How many `sent()` frames are kept. */
  sentLimit: number;
  /** A socket with more than this queued when a frame is due is dropped (terminated). */
  maxBacklogBytes: number;
  /** Called after every authenticated connection (the replay's "first-client" autoplay). */
  onAuthenticated: () => void;
}

interface Conn extends EventCounters {
  id: number;
  ws: WebSocket;
  seq: number;
  /** Frames handed to ws whose write has not completed yet. */
  inFlight: number;
  /** Set once a terminate-style drop is decided: no more frames, cut when the writes are out. */
  dropping: boolean;
  heartbeat?: NodeJS.Timeout;
  pongWait?: NodeJS.Timeout;
  dropTimer?: NodeJS.Timeout;
}

export class StreamHub {
  private readonly conns = new Set<Conn>();
  private readonly rejected = new Map<WebSocket, NodeJS.Timeout>();
  private nextId = 1;
  /** Ring buffer of the last `sentLimit` frames. */
  private readonly log: SentFrame[] = [];
  private logStart = 0;
  private closing = false;
  private faults: Faults;
  private readonly heartbeatMs: number;
  private readonly sentLimit: number;
  private readonly maxBacklogBytes: number;
  private readonly paceBytes: number;
  /** The largest frame broadcast so far (a healthy backlog may hold one such frame on top of the limit). */
  private largestFrameBytes = 0;
  private readonly onAuthenticated: () => void;
  /** Sends one event to one socket, with the per-event faults around it (stream-faults.ts). */
  private readonly sendEvent = withEventFaults<Conn>(() => this.faults, {
    send: (c, frame) => this.sendTo(c, frame),
    drop: (c, code) => this.drop(c, code),
  });

  constructor(options: StreamHubOptions) {
    this.faults = options.faults;
    this.heartbeatMs = options.heartbeatMs;
    this.sentLimit = options.sentLimit;
    this.maxBacklogBytes = options.maxBacklogBytes;
    this.paceBytes = Math.min(PACE_BACKLOG_BYTES, Math.floor(options.maxBacklogBytes / 2));
    this.onAuthenticated = options.onAuthenticated;
  }

  /** Sockets counted by /dashboard/status: authenticated and not yet fully closed. */
  get connections(): number {
    return this.conns.size;
  }

  /** Authenticated sockets that are open right now. */
  get openClients(): number {
    let n = 0;
    for (const c of this.conns) if (c.ws.readyState === c.ws.OPEN) n++;
    return n;
  }

  /**
   * Back-pressure for speed 0: true while even the fastest healthy socket still has a sizeable
   * backlog. Pacing on the fastest (not the slowest) socket is what keeps one reader that never reads
   * from freezing the replay for everyone: it falls behind alone until its backlog passes the limit
   * and it is dropped. With no socket at all there is nothing to wait for.
   */
  congested(): boolean {
    let fastest = Infinity;
    for (const c of this.conns) {
      if (c.ws.readyState !== c.ws.OPEN || c.dropping) continue;
      fastest = Math.min(fastest, c.ws.bufferedAmount);
    }
    return fastest !== Infinity && fastest > this.paceBytes;
  }

  sent(): SentFrame[] {
    return [...this.log.slice(this.logStart), ...this.log.slice(0, this.logStart)];
  }

  setFaults(faults: Faults): void {
    this.faults = faults;
    // Re-arm the timers that depend on faults for sockets that are already open.
    for (const c of this.conns) {
      this.armHeartbeat(c);
      this.armDropTimer(c);
    }
  }

  /** A socket whose token was wrong: Close 1008 right after the 101, then wait for the reply. */
  reject(ws: WebSocket): void {
    ws.close(1008, "unauthorized");
    const timer = setTimeout(() => ws.terminate(), UNAUTHORIZED_CLOSE_WAIT_MS);
    this.rejected.set(ws, timer);
    ws.on("close", () => {
      clearTimeout(this.rejected.get(ws));
      this.rejected.delete(ws);
    });
    ws.on("error", () => {});
  }

  accept(ws: WebSocket): void {
    const conn: Conn = { id: this.nextId++, ws, seq: 0, events: 0, malformedNext: 0, inFlight: 0, dropping: false };
    this.conns.add(conn);
    ws.on("close", () => {
      this.clearTimers(conn);
      this.conns.delete(conn);
    });
    ws.on("error", () => {}); // a reset peer shows up as "close" too; nothing to report
    // Anything from the client proves it is alive (aiohttp resets its heartbeat on every message).
    ws.on("message", () => this.armHeartbeat(conn));
    ws.on("pong", () => this.armHeartbeat(conn));
    ws.on("ping", (payload) => {
      this.armHeartbeat(conn);
      if (!this.faults.noPing) ws.pong(payload); // autoPong is off so noPing can swallow pongs
    });
    this.sendTo(conn, pyJson({ type: "ping" }));
    this.armHeartbeat(conn);
    this.armDropTimer(conn);
    if (this.faults.dropAfterEvents === 0) this.drop(conn, this.faults.dropCloseCode);
    this.onAuthenticated();
  }

  /** Send one event frame to every authenticated socket, applying the stream faults. */
  broadcast(frame: object | string | Uint8Array): void {
    if (this.faults.noPing) return; // a stale link delivers nothing
    const data = typeof frame === "string" || frame instanceof Uint8Array ? frame : pyJson(frame);
    // Checked before this frame is queued: the frame in hand is not yet part of any backlog.
    const checkFrom = this.largestFrameBytes;
    this.largestFrameBytes = Math.max(this.largestFrameBytes, typeof data === "string" ? data.length : data.byteLength);
    for (const c of [...this.conns]) {
      if (c.ws.readyState !== c.ws.OPEN || c.dropping) continue;
      if (c.ws.bufferedAmount > this.maxBacklogBytes + checkFrom) {
        this.dropSlowConsumer(c);
        continue;
      }
      this.sendEvent(c, data);
    }
  }

  /** Drop every socket: terminate (1006) without a code, or a Close frame with it. */
  dropAll(code?: number, reason?: string): void {
    for (const c of [...this.conns]) this.drop(c, code, reason);
  }

  /** Close 1001 "server shutdown" to everyone; resolves when all sockets are gone (or after `waitMs`). */
  async shutdown(waitMs: number): Promise<void> {
    this.closing = true;
    const sockets: WebSocket[] = [];
    for (const c of this.conns) {
      this.clearTimers(c);
      if (c.ws.readyState === c.ws.OPEN) c.ws.close(1001, "server shutdown");
      sockets.push(c.ws);
    }
    for (const [ws, timer] of this.rejected) {
      clearTimeout(timer);
      sockets.push(ws);
    }
    await Promise.all(
      sockets.map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === ws.CLOSED) return resolve();
            const t = setTimeout(() => {
              ws.terminate();
              resolve();
            }, waitMs);
            ws.once("close", () => {
              clearTimeout(t);
              resolve();
            });
          }),
      ),
    );
    this.conns.clear();
    this.rejected.clear();
  }

  private sendTo(c: Conn, data: Frame): void {
    c.inFlight++;
    c.ws.send(data, { binary: typeof data !== "string" }, () => {
      c.inFlight--;
      if (c.dropping && c.inFlight === 0) c.ws.terminate();
    });
    const entry: SentFrame = { connection: c.id, seq: ++c.seq, data, at: Date.now() };
    if (this.log.length < this.sentLimit) this.log.push(entry);
    else if (this.sentLimit > 0) {
      this.log[this.logStart] = entry;
      this.logStart = (this.logStart + 1) % this.sentLimit;
    }
  }

  /** No code (or 1006): terminate, the client sees 1006. Otherwise a Close frame with that code. */
  private drop(c: Conn, code: number | undefined, reason = ""): void {
    this.clearTimers(c);
    if (code === undefined || code === 1006) {
      // Cut the TCP connection without a Close frame (the client sees 1006), but only after the
      // frames already sent have been written: "dropped after N events" must deliver those N.
      c.dropping = true;
      if (c.inFlight === 0) c.ws.terminate();
    } else if (c.ws.readyState === c.ws.OPEN) c.ws.close(code, reason);
  }

  /**
   * A socket that fell `maxBacklogBytes` behind. Terminated at once, without a Close frame: a Close
   * (say 1013 "try again later") would queue behind megabytes the peer is not reading, so it would
   * never arrive, and the point is to free that memory now. The client sees 1006 and reconnects.
   */
  private dropSlowConsumer(c: Conn): void {
    this.clearTimers(c);
    c.dropping = true;
    c.ws.terminate();
  }

  /**
   * aiohttp's heartbeat: after `heartbeatMs` without hearing from the client, send a protocol Ping;
   * no Pong within half of that, drop the connection without a Close frame (the client sees 1006).
   */
  private armHeartbeat(c: Conn): void {
    clearTimeout(c.heartbeat);
    clearTimeout(c.pongWait);
    c.heartbeat = c.pongWait = undefined;
    if (this.closing || this.faults.noPing || this.heartbeatMs <= 0) return;
    c.heartbeat = setTimeout(() => {
      if (c.ws.readyState !== c.ws.OPEN) return;
      c.ws.ping();
      c.pongWait = setTimeout(() => c.ws.terminate(), this.heartbeatMs / 2);
    }, this.heartbeatMs);
  }

  private armDropTimer(c: Conn): void {
    clearTimeout(c.dropTimer);
    c.dropTimer = undefined;
    const every = this.faults.dropEveryMs;
    if (this.closing || !every) return;
    c.dropTimer = setTimeout(() => this.drop(c, this.faults.dropCloseCode), every);
  }

  private clearTimers(c: Conn): void {
    clearTimeout(c.heartbeat);
    clearTimeout(c.pongWait);
    clearTimeout(c.dropTimer);
    c.heartbeat = c.pongWait = c.dropTimer = undefined;
  }
}
