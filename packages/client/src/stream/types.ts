import type { DashboardError } from "../errors.js";
import type { GapEvent, RelayInfo, SystemStatusEvent, TextDeltaEvent, ToolActivityEvent, UpstreamEvent } from "./events.js";
import type { WebSocketConstructor } from "./socket.js";

export type StreamState = "connecting" | "open" | "reconnecting" | "closed";

/** Options of `client.stream()` (documented in the package README). */
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
  /**
   * Relay only: resume after this seq from the first connection (a page that reloads passes the last seq it
   * showed). The relay then sends every retained event after it, then live ones. A non-negative integer.
   * Sent as `&since=` until a server proves to be plain ductor (which ignores it); later reconnects resume
   * from the last seq delivered whether or not this was given.
   */
  since?: number;
}

export interface OpenEvent {
  /** Epoch ms when `{"type":"ping"}` arrived. */
  at: number;
  /**
   * 1 for the first connection. Against plain ductor anything higher means events were missed in between,
   * unless `resumed` says otherwise.
   */
  connection: number;
  /** The relay's ping said what it holds; `null`: plain ductor (or a relay this client cannot resume with). */
  relay: RelayInfo | null;
  /**
   * True when this connection resumed after `since` and the relay still holds every event after it: the
   * events sent while disconnected follow now, in order, so nothing was missed (no gap to show). False on a
   * first connection without `since`, against plain ductor, and when history after `since` was pruned (a `gap`
   * event follows) or the relay knows nothing up to `since` (its history was reset).
   */
  resumed: boolean;
  /** The seq this connection asked to resume after (`&since=`), when it went to a relay. */
  since?: number;
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
  /** Relay only: its link to ductor changed (numbered, in history, and yielded by `for await` too). */
  upstream: UpstreamEvent;
  /** Relay only: events after `since` were pruned before this connection could resume through them. */
  gap: GapEvent;
  /** The server's `{"type":"ping"}` arrived: authenticated and live. */
  open: OpenEvent;
  reconnecting: ReconnectingEvent;
  /** Once, when the stream is over for good. */
  close: CloseEvent;
  /**
   * ProtocolError for a malformed frame (the stream goes on; one whose `seq`/`at` or ping `relay` is ill-typed
   * is still delivered, without that field), FrameTooLargeError for one over
   * `maxFrameBytes`, AuthenticationError before a 1008 close, ListenerError when a listener threw (the stream goes on).
   */
  error: DashboardError;
}
export type StreamEventType = keyof StreamEventMap;

/**
 * Everything a DashboardStream needs from its owner; `client.stream()` builds one from the client's options.
 * Public so that `new DashboardStream(transport, options)` can be typed by callers (a custom socket or probe).
 */
export interface StreamTransport {
  /** `ws(s)://…/dashboard/stream?token=…` */
  url: string;
  WebSocket: WebSocketConstructor;
  /** `GET /health`, rejecting when the server cannot be reached. */
  probe(signal: AbortSignal): Promise<unknown>;
}
