import { ConnectionError, DashboardError, ProtocolError } from "../errors.js";
import { noop } from "../internal/abort.js";
import { checkByteLimit } from "../internal/bytes.js";
import { StreamEmitter } from "./emitter.js";
import { decodeFrame, type RelayInfo, type StreamDataEvent } from "./events.js";
import { browserEvents, onWake, startLiveness, type Activity, type BrowserEvents } from "./liveness.js";
import { initialState, transition, type Effect, type MachineEvent, type MachineState } from "./machine.js";
import { EventQueue } from "./queue.js";
import { openSocket, redact, withSince, type OpenSocket } from "./socket.js";
import type { StreamEventMap, StreamEventType, StreamOptions, StreamState, StreamTransport } from "./types.js";

/**
 * 16 MiB. ductor caps what *it* reads at aiohttp's 4 MiB (protocol.md §3.4), but nothing caps what it
 * sends: a text delta carries a whole tool output or answer, and one of 10 MB must still arrive whole.
 * 16 MiB leaves room for that while bounding what one frame can cost a browser tab or a Node process.
 */
const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * A reconnecting view of `/dashboard/stream`.
 *
 * While a socket is open every frame reaches listeners (and each `for await` loop) once, in order,
 * synchronously from the socket's message event. Plain ductor cannot replay what was sent while no
 * socket was open, so a reconnect is a visible gap (`reconnecting`, then `open` with connection > 1),
 * never papered over. A relay (detected from its ping) can: reconnects ask it to resume after the last
 * seq delivered (`&since=`), and `open.resumed` says whether that lost nothing.
 *
 * This class is the shell: the decisions are in machine.ts (connection states), liveness.ts (silent links),
 * emitter.ts and queue.ts (delivery); here they meet the socket, the timers and the caller's signal.
 */
export class DashboardStream implements AsyncIterable<StreamDataEvent> {
  #machine: MachineState = initialState;
  readonly #transport: StreamTransport;
  readonly #opts: Required<Omit<StreamOptions, "signal" | "since">>;
  readonly #signal: AbortSignal | undefined;
  readonly #emitter = new StreamEmitter();
  readonly #queues = new Set<EventQueue<StreamDataEvent>>();
  #finalError: DashboardError | undefined;
  /** The seq everything up to which has been delivered (or predates this stream): the next `since`. */
  #lastSeq: number | undefined;
  /** What the current socket's URL asked to resume after. */
  #sentSince: number | undefined;

  #socket: OpenSocket | undefined;
  readonly #activity: Activity = { at: 0 };
  readonly #browser: BrowserEvents | undefined = browserEvents();
  #stopLiveness: () => void = noop;
  #stopWake: () => void = noop;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #stableTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #onAbort = () => this.#dispatch({ type: "close", code: 1000, reason: "aborted" });

  constructor(transport: StreamTransport, options: StreamOptions = {}) {
    this.#transport = transport;
    this.#signal = options.signal;
    this.#opts = {
      minDelayMs: options.minDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      stableAfterMs: options.stableAfterMs ?? 5_000,
      staleAfterMs: options.staleAfterMs ?? 75_000,
      probeAfterMs: options.probeAfterMs ?? 60_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 15_000,
      liveness: options.liveness ?? "auto",
      maxBufferedEvents: options.maxBufferedEvents ?? 10_000,
      maxFrameBytes: checkByteLimit(options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES, "stream: maxFrameBytes"),
      random: options.random ?? Math.random,
    };
    const since = options.since;
    if (since !== undefined && !(Number.isSafeInteger(since) && since >= 0)) {
      throw new TypeError(`stream: \`since\` must be a non-negative integer, got ${String(since)}`);
    }
    this.#lastSeq = since;
    if (this.#signal?.aborted) {
      // Listeners are attached after construction; tell them on the next tick.
      this.#machine = { ...initialState, phase: "closed" };
      queueMicrotask(() => this.#emitter.emit("close", { code: 1000, reason: "aborted" }));
      return;
    }
    this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
    // Online again or the tab visible again: reconnect now instead of at the end of the backoff wait.
    this.#stopWake = onWake(this.#browser, () => this.#dispatch({ type: "wake" }));
    this.#dispatch({ type: "start" });
  }

  get state(): StreamState {
    return this.#machine.phase;
  }

  /**
   * What the last connection's ping said about the relay (`head`, `oldest` as of that `open`), or `null`
   * for plain ductor and before the first `open`. Non-null means resume and `client.history` are available.
   */
  get relay(): RelayInfo | null {
    return this.#machine.relay;
  }

  /**
   * Relay only: everything up to this seq has been delivered (or came before this stream started): the seq
   * of the last event delivered, else the relay's `head` when a connection opened without `since`, else the
   * `since` option. The next reconnect resumes after it. `undefined` until known.
   */
  get lastSeq(): number | undefined {
    return this.#lastSeq;
  }

  /** Subscribe; returns the unsubscribe function. */
  on<K extends StreamEventType>(type: K, listener: (event: StreamEventMap[K]) => void): () => void {
    return this.#emitter.on(type, listener);
  }

  /** Ends the stream for good: no socket, timer or listener is left behind. Idempotent. */
  close(): void {
    this.#dispatch({ type: "close", code: 1000, reason: "client closed" });
  }

  /**
   * The data events, from the moment the loop starts. Ends when the stream closes (after the
   * buffered events), throwing AuthenticationError if a 1008 ended it. Leaving the loop early
   * (`break`, `return`, a throw) closes the stream (`close { code: 1000, reason: "loop exited" }`). Each loop buffers at most
   * `maxBufferedEvents` for a slow consumer; past that the loop throws instead of silently
   * dropping or growing without bound (listeners and other loops are not affected).
   */
  [Symbol.asyncIterator](): AsyncIterator<StreamDataEvent> {
    const closed = this.#machine.phase === "closed";
    const queue = new EventQueue<StreamDataEvent>(this.#opts.maxBufferedEvents, closed, this.#finalError);
    if (!closed) this.#queues.add(queue);
    return {
      next: () => queue.next(),
      // `break`, `return` or a throw in the loop body lands here. Like Node's readable streams, leaving
      // the loop ends the stream: otherwise its socket (and its reconnects) would keep the process alive
      // with nobody reading.
      return: () => {
        this.#queues.delete(queue);
        queue.release();
        this.#dispatch({ type: "close", code: 1000, reason: "loop exited" });
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  // ---- the hot path: one call per frame from the socket's message event -----------------

  readonly #onFrame = (data: unknown): void => {
    let frame: ReturnType<typeof decodeFrame>;
    try {
      frame = decodeFrame(data, this.#warn);
    } catch (error) {
      // decodeFrame throws only ProtocolError; anything else is a bug, still reported as a bad frame.
      this.#emitter.emit(
        "error",
        error instanceof DashboardError ? error : new ProtocolError("stream: frame could not be decoded", "", { cause: error }),
      );
      return;
    }
    if (frame.type === "ping") {
      if (this.#machine.phase !== "open") {
        const relay = frame.relay ?? null;
        // Without `since` a relay sends live events only, from the one after its head.
        if (relay && this.#sentSince === undefined) this.#lastSeq = relay.head;
        this.#dispatch({ type: "auth-ping", now: Date.now(), relay, since: this.#sentSince });
      }
      return;
    }
    if (frame.type === "gap") {
      // Not numbered, so the resume point stays: it moves with the first event after the gap.
      this.#emitter.emit("gap", frame);
      return;
    }
    if (frame.seq !== undefined) this.#lastSeq = frame.seq;
    for (const queue of this.#queues) if (!queue.push(frame)) this.#queues.delete(queue);
    this.#emitter.emit(frame.type, frame as never);
  };

  /** An ill-typed `seq`/`at` or `relay`: the frame is still delivered, without it. */
  readonly #warn = (error: ProtocolError): void => this.#emitter.emit("error", error);

  // ---- running the state machine ------------------------------------------------------------

  #dispatch(event: MachineEvent): void {
    const { state, effects } = transition(this.#machine, event, this.#opts);
    this.#machine = state;
    for (const effect of effects) this.#run(effect);
  }

  #run(effect: Effect): void {
    switch (effect.type) {
      case "connect":
        return this.#connect(effect.resume);
      case "watch-open":
        return this.#watch(true);
      case "drop":
        return this.#drop(effect.kill);
      case "set-timer":
        if (effect.timer === "retry") {
          this.#retryTimer = setTimeout(() => {
            this.#retryTimer = undefined;
            this.#dispatch({ type: "retry-due" });
          }, effect.ms);
        } else {
          this.#stableTimer = setTimeout(() => {
            this.#stableTimer = undefined;
            this.#dispatch({ type: "stable" });
          }, effect.ms);
        }
        return;
      case "clear-timer":
        if (effect.timer === "retry") {
          clearTimeout(this.#retryTimer);
          this.#retryTimer = undefined;
        } else {
          clearTimeout(this.#stableTimer);
          this.#stableTimer = undefined;
        }
        return;
      case "emit":
        return this.#emitter.emit(effect.name, effect.event as never);
      case "end":
        return this.#end(effect.code, effect.reason, effect.error);
      case "then":
        return this.#dispatch(effect.event);
    }
  }

  #connect(resume: boolean): void {
    let socket: OpenSocket;
    const since = resume ? this.#lastSeq : undefined;
    this.#sentSince = since;
    try {
      socket = openSocket(withSince(this.#transport.url, since), this.#transport, this.#opts, this.#activity, {
        frame: this.#onFrame,
        error: (error) => this.#emitter.emit("error", error),
        closed: (code, reason, error) => {
          if (socket === this.#socket) this.#dispatch({ type: "socket-ended", code, reason, error, now: Date.now() });
        },
      });
    } catch (cause) {
      this.#dispatch({
        type: "connect-failed",
        error: new ConnectionError(`stream: cannot open ${redact(this.#transport.url)}`, { cause }),
      });
      return;
    }
    this.#socket = socket;
    this.#activity.at = Date.now();
    this.#watch(false);
  }

  /** (Re)starts the liveness watchdog for the current socket: the connect timeout, or the open-phase checks. */
  #watch(open: boolean): void {
    const socket = this.#socket;
    this.#stopLiveness();
    if (!socket) return;
    this.#stopLiveness = startLiveness({
      open,
      mode: socket.mode,
      limits: this.#opts,
      activity: this.#activity,
      probe: (signal) => this.#transport.probe(signal),
      dead: (reason, error) => this.#dispatch({ type: "abandon", reason, error, now: Date.now() }),
      events: this.#browser,
    });
  }

  #drop(kill: boolean): void {
    clearTimeout(this.#stableTimer);
    this.#stableTimer = undefined;
    this.#stopLiveness();
    this.#stopLiveness = noop;
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.drop(kill);
  }

  #end(code: number, reason: string, error: DashboardError | undefined): void {
    this.#stopWake();
    this.#stopWake = noop;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#finalError = error;
    for (const queue of this.#queues) queue.end(error);
    this.#queues.clear();
    this.#emitter.emit("close", { code, reason });
    this.#emitter.clear();
  }
}
