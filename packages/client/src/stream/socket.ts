import { AuthenticationError, ConnectionError, DashboardError, FrameTooLargeError, ListenerError, ProtocolError, TimeoutError } from "../errors.js";
import { noop } from "../internal/abort.js";
import { checkByteLimit } from "../internal/bytes.js";
import { utf8LengthExceeds } from "../internal/utf8.js";
import { backoffDelay } from "../internal/backoff.js";
import { decodeFrame, type StreamDataEvent, type SystemStatusEvent, type TextDeltaEvent, type ToolActivityEvent } from "./events.js";

/** The part of the WHATWG WebSocket interface the stream uses; `ws` (Node) and browsers both have it. */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: any) => void): void;
  removeEventListener(type: string, listener: (event: any) => void): void;
}
/**
 * How the stream opens a socket. The third argument is `ws`'s options (`{ maxPayload }`, the frame cap
 * applied while reading); browsers' WebSocket ignores it, and a constructor that takes only the URL is fine.
 */
export type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: { maxPayload?: number }) => WebSocketLike;

/** ws's extras in Node: protocol pings are visible there and a dead socket can be destroyed at once. */
interface NodeWebSocket extends WebSocketLike {
  on(event: "ping", listener: () => void): unknown;
  off(event: "ping", listener: () => void): unknown;
  terminate(): void;
}
const isNodeSocket = (ws: WebSocketLike): ws is NodeWebSocket =>
  typeof (ws as Partial<NodeWebSocket>).on === "function" && typeof (ws as Partial<NodeWebSocket>).terminate === "function";

export type StreamState = "connecting" | "open" | "reconnecting" | "closed";

/**
 * 16 MiB. ductor caps what *it* reads at aiohttp's 4 MiB (protocol.md §3.4), but nothing caps what it
 * sends: a text delta carries a whole tool output or answer, and one of 10 MB must still arrive whole.
 * 16 MiB leaves room for that while bounding what one frame can cost a browser tab or a Node process.
 */
const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** The code ws gives the error for a frame over `maxPayload`. */
const WS_FRAME_TOO_LARGE = "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH";

/** ws reads `maxPayload` as a 32-bit integer where 0 means no limit. */
function wsMaxPayload(maxFrameBytes: number): number {
  return maxFrameBytes >= 2 ** 31 ? 0 : maxFrameBytes;
}

export interface StreamOptions {
  /** Aborting ends the stream like `close()`. */
  signal?: AbortSignal;
  /** Backoff floor. Default 500. */
  minDelayMs?: number;
  /** Backoff ceiling. Default 30 000. */
  maxDelayMs?: number;
  /** The attempt counter resets only after a connection stayed `open` this long. Default 5 000. */
  stableAfterMs?: number;
  /**
   * Node (`ws`): no frame and no protocol ping for this long means the link is dead; the socket is
   * destroyed and the stream reconnects. Default 75 000 ≈ 2.5 × ductor's 30 s heartbeat.
   */
  staleAfterMs?: number;
  /** Browsers (pings are invisible): after this long without a frame, probe `GET /health`. Default 60 000. */
  probeAfterMs?: number;
  /** A connection that has not delivered `{"type":"ping"}` this long after it was started is retried. Default 15 000. */
  connectTimeoutMs?: number;
  /**
   * How a silent link is detected: `"ping"` watches ws protocol pings (Node only), `"probe"` polls
   * `/health` when idle (what browsers get). `"auto"` (default) picks `"ping"` when the socket exposes them.
   */
  liveness?: "auto" | "ping" | "probe";
  /** Per `for await` loop: events waiting for a slow consumer before that loop fails. Default 10 000. */
  maxBufferedEvents?: number;
  /**
   * Largest frame accepted, in UTF-8 bytes. Default 16 MiB (`Infinity`: none). Node (`ws`): refused while
   * reading, the socket closes (1009) and the stream reconnects. Browsers: the frame is skipped. Either
   * way an `error` event carries a FrameTooLargeError.
   */
  maxFrameBytes?: number;
  /** Source of jitter, for tests. Default Math.random. */
  random?: () => number;
}

export interface OpenEvent {
  /** Epoch ms when `{"type":"ping"}` arrived. */
  at: number;
  /** 1 for the first connection; anything higher means events may have been missed in between. */
  connection: number;
}

export interface ReconnectingEvent {
  /** Consecutive failed connections, from 1; resets after `stableAfterMs` of `open`. */
  attempt: number;
  delayMs: number;
  /** Epoch ms of the next attempt (for a countdown). */
  at: number;
  /** Close code of the connection that ended, when there was one (1001, 1006…). */
  code?: number;
  reason?: string;
  /** Why, when known: a failed handshake, a stale link, a failed probe. */
  error?: DashboardError;
}

export interface CloseEvent {
  code: number;
  reason: string;
}

export interface StreamEventMap {
  text_delta: TextDeltaEvent;
  tool_activity: ToolActivityEvent;
  system_status: SystemStatusEvent;
  /** The server's `{"type":"ping"}` arrived: authenticated and live. */
  open: OpenEvent;
  reconnecting: ReconnectingEvent;
  /** Once, when the stream is over for good. */
  close: CloseEvent;
  /**
   * ProtocolError for a malformed frame (the stream goes on), FrameTooLargeError for one over
   * `maxFrameBytes`, AuthenticationError before a 1008 close, ListenerError when a listener threw (the stream goes on).
   */
  error: DashboardError;
}
export type StreamEventType = keyof StreamEventMap;

/** Everything the stream needs from the client. */
export interface StreamTransport {
  url: string;
  WebSocket: WebSocketConstructor;
  /** `GET /health`, rejecting when the server cannot be reached. */
  probe(signal: AbortSignal): Promise<unknown>;
}

interface IteratorSlot {
  queue: StreamDataEvent[];
  head: number;
  waiter?: { resolve(r: IteratorResult<StreamDataEvent>): void; reject(e: unknown): void };
  ended: boolean;
  error?: unknown;
}

/**
 * A reconnecting view of `/dashboard/stream`.
 *
 * While a socket is open every frame reaches listeners (and each `for await` loop) once, in order,
 * synchronously from the socket's message event. The server cannot replay what was sent while no
 * socket was open, so a reconnect is a visible gap (`reconnecting`, then `open` with connection > 1),
 * never papered over.
 */
export class DashboardStream implements AsyncIterable<StreamDataEvent> {
  #state: StreamState = "connecting";
  readonly #transport: StreamTransport;
  readonly #opts: Required<Omit<StreamOptions, "signal">>;
  readonly #signal: AbortSignal | undefined;
  // Copy-on-write arrays: subscribing is rare and events are many, so dispatch iterates a snapshot that
  // on()/off() replace, instead of copying the listeners for every frame.
  readonly #listeners = new Map<StreamEventType, ReadonlyArray<(ev: never) => void>>();
  readonly #iterators = new Set<IteratorSlot>();
  #finalError: DashboardError | undefined;
  #printedListenerError = false;

  #socket: WebSocketLike | undefined;
  #detachSocket: () => void = noop;
  #mode: "ping" | "probe" = "probe";
  #attempt = 0;
  #connections = 0;
  #lastActivity = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #stableTimer: ReturnType<typeof setTimeout> | undefined;
  #livenessTimer: ReturnType<typeof setTimeout> | undefined;
  #probe: AbortController | undefined;
  #removeGlobalListeners: () => void = noop;
  readonly #onAbort = () => this.#finish(1000, "aborted");

  constructor(transport: StreamTransport, options: StreamOptions = {}) {
    this.#transport = transport;
    this.#signal = options.signal;
    const staleAfterMs = options.staleAfterMs ?? 75_000;
    this.#opts = {
      minDelayMs: options.minDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      stableAfterMs: options.stableAfterMs ?? 5_000,
      staleAfterMs,
      probeAfterMs: options.probeAfterMs ?? 60_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 15_000,
      liveness: options.liveness ?? "auto",
      maxBufferedEvents: options.maxBufferedEvents ?? 10_000,
      maxFrameBytes: checkByteLimit(options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES, "stream: maxFrameBytes"),
      random: options.random ?? Math.random,
    };
    if (this.#signal?.aborted) {
      // Listeners are attached after construction; tell them on the next tick.
      this.#state = "closed";
      queueMicrotask(() => this.#emit("close", { code: 1000, reason: "aborted" }));
      return;
    }
    this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
    this.#listenToBrowser();
    this.#connect();
  }

  get state(): StreamState {
    return this.#state;
  }

  /** Subscribe; returns the unsubscribe function. */
  on<K extends StreamEventType>(type: K, listener: (event: StreamEventMap[K]) => void): () => void {
    const fn = listener as (ev: never) => void;
    const current = this.#listeners.get(type) ?? [];
    if (!current.includes(fn)) this.#listeners.set(type, [...current, fn]);
    return () => {
      const now = this.#listeners.get(type);
      if (now?.includes(fn)) this.#listeners.set(type, now.filter((f) => f !== fn));
    };
  }

  /** Ends the stream for good: no socket, timer or listener is left behind. Idempotent. */
  close(): void {
    this.#finish(1000, "client closed");
  }

  /**
   * The data events, from the moment the loop starts. Ends when the stream closes (after the
   * buffered events), throwing AuthenticationError if a 1008 ended it. Leaving the loop early
   * (`break`, `return`, a throw) closes the stream (`close { code: 1000, reason: "loop exited" }`). Each loop buffers at most
   * `maxBufferedEvents` for a slow consumer; past that the loop throws instead of silently
   * dropping or growing without bound (listeners and other loops are not affected).
   */
  [Symbol.asyncIterator](): AsyncIterator<StreamDataEvent> {
    const slot: IteratorSlot = { queue: [], head: 0, ended: this.#state === "closed", error: this.#finalError };
    if (!slot.ended) this.#iterators.add(slot);
    const release = () => {
      this.#iterators.delete(slot);
      slot.ended = true;
      slot.queue = [];
      slot.head = 0;
    };
    return {
      next: () => {
        if (slot.head < slot.queue.length) {
          const value = slot.queue[slot.head++]!;
          if (slot.head > 1024 && slot.head * 2 > slot.queue.length) {
            slot.queue = slot.queue.slice(slot.head);
            slot.head = 0;
          }
          return Promise.resolve({ value, done: false });
        }
        if (slot.ended) {
          const error = slot.error;
          slot.error = undefined;
          return error ? Promise.reject(error) : Promise.resolve({ value: undefined, done: true });
        }
        return new Promise((resolve, reject) => (slot.waiter = { resolve, reject }));
      },
      // `break`, `return` or a throw in the loop body lands here. Like Node's readable streams, leaving
      // the loop ends the stream: otherwise its socket (and its reconnects) would keep the process alive
      // with nobody reading.
      return: () => {
        release();
        this.#finish(1000, "loop exited");
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  // ---- connection lifecycle -------------------------------------------------------------

  #connect(): void {
    this.#reconnectTimer = undefined;
    let ws: WebSocketLike;
    try {
      ws = new this.#transport.WebSocket(this.#transport.url, undefined, { maxPayload: wsMaxPayload(this.#opts.maxFrameBytes) });
    } catch (cause) {
      // A URL the platform rejects will not get better by retrying.
      this.#emit("error", new ConnectionError(`stream: cannot open ${redact(this.#transport.url)}`, { cause }));
      this.#finish(1006, "invalid url");
      return;
    }
    ws.binaryType = "arraybuffer";
    this.#socket = ws;
    this.#mode = this.#opts.liveness === "auto" ? (isNodeSocket(ws) ? "ping" : "probe") : this.#opts.liveness;
    if (this.#mode === "ping" && !isNodeSocket(ws)) this.#mode = "probe";

    let lastError: DashboardError | undefined;
    const maxFrameBytes = this.#opts.maxFrameBytes;
    // Up to a third of the cap in UTF-16 units is within it whatever the characters: one comparison per frame.
    const surelySmall = Math.floor(maxFrameBytes / 3);
    const onMessage = (event: { data: unknown }) => {
      this.#lastActivity = Date.now();
      const data = event.data;
      // Where the socket did not cap frames while reading (browsers), a frame over the cap is skipped.
      if (typeof data === "string" && data.length > surelySmall && utf8LengthExceeds(data, maxFrameBytes)) {
        this.#emit("error", new FrameTooLargeError(maxFrameBytes));
        return;
      }
      this.#onFrame(data);
    };
    const onPing = () => {
      this.#lastActivity = Date.now();
    };
    const onError = (event: { message?: string; error?: unknown }) => {
      if ((event.error as { code?: unknown } | undefined)?.code === WS_FRAME_TOO_LARGE) {
        // ws refused a frame over maxPayload and is closing (1009); the reconnect carries the same error.
        lastError = new FrameTooLargeError(maxFrameBytes, { cause: event.error });
        this.#emit("error", lastError);
        return;
      }
      lastError = new ConnectionError(`stream: ${event.message || "WebSocket error"}`, { cause: event.error });
    };
    const onClose = (event: { code: number; reason: string }) => {
      if (ws !== this.#socket) return;
      // ws closed with 1009 itself but, no longer reading, reports 1006: say what really ended it.
      if (lastError instanceof FrameTooLargeError) this.#socketEnded(1009, "message too big", lastError);
      else this.#socketEnded(event.code, event.reason, lastError);
    };
    ws.addEventListener("message", onMessage);
    ws.addEventListener("error", onError);
    ws.addEventListener("close", onClose);
    if (this.#mode === "ping") (ws as NodeWebSocket).on("ping", onPing);
    this.#detachSocket = () => {
      ws.removeEventListener("message", onMessage);
      ws.removeEventListener("close", onClose);
      if (this.#mode === "ping") (ws as NodeWebSocket).off("ping", onPing);
      // Keep one error listener: ws (an EventEmitter) throws an 'error' that has none, e.g. when a
      // socket closed mid-handshake reports the abort.
      ws.removeEventListener("error", onError);
      ws.addEventListener("error", noop);
    };
    this.#lastActivity = Date.now();
    this.#armLiveness();
  }

  #onFrame(data: unknown): void {
    let frame;
    try {
      frame = decodeFrame(data);
    } catch (error) {
      // decodeFrame throws only ProtocolError; anything else is a bug, still reported as a bad frame.
      this.#emit("error", error instanceof DashboardError ? error : new ProtocolError("stream: frame could not be decoded", "", { cause: error }));
      return;
    }
    if (frame.type === "ping") {
      if (this.#state === "open") return;
      this.#state = "open";
      this.#connections++;
      // Only a connection that stays up proves the server is healthy; a flapping one keeps backing off.
      this.#stableTimer = setTimeout(() => {
        this.#stableTimer = undefined;
        this.#attempt = 0;
      }, this.#opts.stableAfterMs);
      this.#armLiveness();
      this.#emit("open", { at: Date.now(), connection: this.#connections });
      return;
    }
    for (const slot of this.#iterators) this.#enqueue(slot, frame);
    this.#emit(frame.type, frame as never);
  }

  /** The current socket ended (closed by the server, dropped, or abandoned by us). */
  #socketEnded(code: number, reason: string, error?: DashboardError): void {
    if (this.#state === "closed") return;
    this.#dropSocket(false);
    if (code === 1008) {
      // ductor accepts the upgrade and then closes with 1008 on a bad token: retrying cannot help.
      const auth = new AuthenticationError(401, { error: reason || "unauthorized" }, new Headers(), `stream closed with 1008 ${reason || "unauthorized"}: check the token`);
      this.#emit("error", auth);
      this.#finish(code, reason || "unauthorized", auth);
      return;
    }
    this.#attempt++;
    const delayMs = backoffDelay(this.#attempt, this.#opts, this.#opts.random);
    this.#state = "reconnecting";
    this.#reconnectTimer = setTimeout(() => this.#connect(), delayMs);
    const event: ReconnectingEvent = { attempt: this.#attempt, delayMs, at: Date.now() + delayMs, code };
    if (reason) event.reason = reason;
    if (error) event.error = error;
    this.#emit("reconnecting", event);
  }

  /** Detach and close the current socket; `kill` destroys it at once (a dead link will not answer a close). */
  #dropSocket(kill: boolean): void {
    clearTimeout(this.#stableTimer);
    clearTimeout(this.#livenessTimer);
    this.#stableTimer = this.#livenessTimer = undefined;
    this.#probe?.abort();
    this.#probe = undefined;
    const ws = this.#socket;
    if (!ws) return;
    this.#socket = undefined;
    this.#detachSocket();
    this.#detachSocket = noop;
    if (ws.readyState >= 2) return; // CLOSING or CLOSED already
    if (isNodeSocket(ws) && (kill || ws.readyState === 0)) ws.terminate();
    else ws.close(1000);
  }

  /** Give up on a socket that still looks open and go through the normal reconnect path. */
  #abandon(reason: string, error: DashboardError): void {
    this.#dropSocket(true);
    this.#socketEnded(1006, reason, error);
  }

  #finish(code: number, reason: string, error?: DashboardError): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#dropSocket(false);
    this.#removeGlobalListeners();
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#finalError = error;
    for (const slot of this.#iterators) {
      slot.ended = true;
      slot.error = error;
      this.#wake(slot);
    }
    this.#iterators.clear();
    this.#emit("close", { code, reason });
    this.#listeners.clear();
  }

  // ---- liveness ---------------------------------------------------------------------------

  /**
   * One timer, re-armed lazily: frames only stamp `#lastActivity`, and the timer re-checks when it
   * fires. A busy stream therefore costs no timer churn per frame.
   */
  #armLiveness(): void {
    clearTimeout(this.#livenessTimer);
    const due = this.#lastActivity + this.#livenessLimit();
    this.#livenessTimer = setTimeout(() => this.#checkLiveness(), Math.max(0, due - Date.now()));
  }

  #livenessLimit(): number {
    if (this.#state !== "open") return this.#opts.connectTimeoutMs;
    return this.#mode === "ping" ? this.#opts.staleAfterMs : this.#opts.probeAfterMs;
  }

  #checkLiveness(): void {
    this.#livenessTimer = undefined;
    if (!this.#socket || this.#probe) return;
    const limit = this.#livenessLimit();
    const idle = Date.now() - this.#lastActivity;
    if (idle < limit) return this.#armLiveness();
    if (this.#state !== "open") {
      this.#abandon("connect timeout", new TimeoutError(`stream: no {"type":"ping"} within ${limit} ms`));
    } else if (this.#mode === "ping") {
      this.#abandon("stale", new TimeoutError(`stream: no frame and no ping for ${limit} ms`));
    } else {
      this.#runProbe();
    }
  }

  /** Browsers: the socket may be half-open without anyone noticing; a failed /health forces a reconnect. */
  #runProbe(): void {
    if (this.#probe || this.#state !== "open") return;
    const controller = new AbortController();
    this.#probe = controller;
    this.#transport.probe(controller.signal).then(
      () => {
        if (controller.signal.aborted) return;
        this.#probe = undefined;
        this.#lastActivity = Date.now();
        this.#armLiveness();
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        this.#probe = undefined;
        const why = error instanceof DashboardError ? error : new ConnectionError("stream: health probe failed", { cause: error });
        this.#abandon("probe failed", why);
      },
    );
  }

  /** offline → drop now; online / tab visible again → reconnect now or probe a quiet link. */
  #listenToBrowser(): void {
    const g = globalThis as unknown as {
      addEventListener?: (t: string, f: () => void) => void;
      removeEventListener?: (t: string, f: () => void) => void;
      document?: { visibilityState?: string; addEventListener?: (t: string, f: () => void) => void; removeEventListener?: (t: string, f: () => void) => void };
    };
    if (typeof g.addEventListener !== "function" || typeof g.removeEventListener !== "function") return;
    const onOffline = () => {
      if (this.#socket) this.#abandon("offline", new ConnectionError("stream: the browser went offline"));
    };
    const wakeUp = () => {
      if (this.#state === "reconnecting" && this.#reconnectTimer !== undefined) {
        clearTimeout(this.#reconnectTimer);
        this.#connect();
      } else if (this.#state === "open" && this.#mode === "probe" && Date.now() - this.#lastActivity > 1_000) {
        this.#runProbe();
      }
    };
    const onVisibility = () => {
      if (g.document?.visibilityState === "visible") wakeUp();
    };
    g.addEventListener("offline", onOffline);
    g.addEventListener("online", wakeUp);
    g.document?.addEventListener?.("visibilitychange", onVisibility);
    this.#removeGlobalListeners = () => {
      g.removeEventListener!("offline", onOffline);
      g.removeEventListener!("online", wakeUp);
      g.document?.removeEventListener?.("visibilitychange", onVisibility);
    };
  }

  // ---- delivery ---------------------------------------------------------------------------

  #enqueue(slot: IteratorSlot, event: StreamDataEvent): void {
    if (slot.ended) return;
    if (slot.waiter) return this.#wake(slot, event);
    if (slot.queue.length - slot.head >= this.#opts.maxBufferedEvents) {
      slot.ended = true;
      slot.error = new DashboardError(`stream: a for-await loop fell ${this.#opts.maxBufferedEvents} events behind; raise maxBufferedEvents or consume faster`);
      this.#iterators.delete(slot);
      return;
    }
    slot.queue.push(event);
  }

  #wake(slot: IteratorSlot, event?: StreamDataEvent): void {
    const waiter = slot.waiter;
    if (!waiter) return;
    slot.waiter = undefined;
    if (event) return waiter.resolve({ value: event, done: false });
    const error = slot.error;
    slot.error = undefined;
    if (error) waiter.reject(error);
    else waiter.resolve({ value: undefined, done: true });
  }

  #emit<K extends StreamEventType>(type: K, event: StreamEventMap[K]): void {
    const listeners = this.#listeners.get(type);
    if (!listeners) return;
    for (const fn of listeners) {
      try {
        (fn as (ev: StreamEventMap[K]) => void)(event);
      } catch (error) {
        // A throwing listener must not cost the others their event, nor the stream its state.
        this.#listenerThrew(type, error);
      }
    }
  }

  /**
   * Reported as an `error` event, never rethrown: in Node (20 has no `reportError`) a rethrow in a
   * microtask is an uncaught exception that ends the process. What an `error` listener throws is not
   * fed back into `error` (that could loop); it, or a failure nobody listens for, is printed once per stream.
   */
  #listenerThrew(type: StreamEventType, thrown: unknown): void {
    const failure = new ListenerError(type, thrown);
    if (type !== "error" && this.#listeners.get("error")?.length) return this.#emit("error", failure);
    if (this.#printedListenerError) return;
    this.#printedListenerError = true;
    console.error(failure, "\n(further listener errors on this stream are not printed)");
  }
}

/** The token travels in the stream URL; never put it in an error message. */
export function redact(url: string): string {
  return url.replace(/([?&]token=)[^&]*/, "$1***");
}
