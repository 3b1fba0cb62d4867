import { ConnectionError, FrameTooLargeError, type DashboardError } from "../errors.js";
import { noop } from "../internal/abort.js";
import { utf8LengthExceeds } from "../internal/utf8.js";
import { resolveMode, type Activity, type LivenessMode } from "./liveness.js";
import type { StreamOptions, StreamTransport } from "./types.js";

// The I/O shell around one WebSocket: opens it, turns its events into calls, and closes it. No policy here:
// what a close or an error means is decided by the state machine (machine.ts).

/** The part of the WHATWG WebSocket interface the stream uses; `ws` (Node) and browsers both have it. */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  close(code?: number, reason?: string): void;
  // biome-ignore lint/suspicious/noExplicitAny: the browser's and ws's event types differ; both must fit here.
  addEventListener(type: string, listener: (event: any) => void): void;
  // biome-ignore lint/suspicious/noExplicitAny: as for addEventListener.
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

/** The code ws gives the error for a frame over `maxPayload`. */
const WS_FRAME_TOO_LARGE = "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH";

/** ws reads `maxPayload` as a 32-bit integer where 0 means no limit. */
function wsMaxPayload(maxFrameBytes: number): number {
  return maxFrameBytes >= 2 ** 31 ? 0 : maxFrameBytes;
}

export interface SocketHandlers {
  /** Every frame within the cap, as the socket delivered it (called synchronously from the message event). */
  frame(data: unknown): void;
  /** An error to report now (a frame over the cap); the stream goes on or the socket closes by itself. */
  error(error: DashboardError): void;
  /** The socket closed; `error` is the last error it reported, if any. */
  closed(code: number, reason: string, error: DashboardError | undefined): void;
}

export interface OpenSocket {
  /** How this socket's liveness is watched: `"ping"` only where ws exposes protocol pings. */
  readonly mode: LivenessMode;
  /** Stop listening and close; `kill` destroys a Node socket at once (a dead link will not answer a close). */
  drop(kill: boolean): void;
}

/**
 * Opens a socket and wires its events to `on`. Throws if the platform refuses the URL. Every frame and
 * (in `"ping"` mode) every protocol ping stamps `activity.at`, which is all the liveness watchdog reads.
 */
export function openSocket(
  url: string,
  transport: StreamTransport,
  options: Required<Pick<StreamOptions, "maxFrameBytes" | "liveness">>,
  activity: Activity,
  on: SocketHandlers,
): OpenSocket {
  const maxFrameBytes = options.maxFrameBytes;
  const ws = new transport.WebSocket(url, undefined, { maxPayload: wsMaxPayload(maxFrameBytes) });
  ws.binaryType = "arraybuffer";
  const node = isNodeSocket(ws);
  const mode = resolveMode(options.liveness, node);
  const frame = on.frame;

  let lastError: DashboardError | undefined;
  // Up to a third of the cap in UTF-16 units is within it whatever the characters: one comparison per frame.
  const surelySmall = Math.floor(maxFrameBytes / 3);
  const onMessage = (event: { data: unknown }) => {
    activity.at = Date.now();
    const data = event.data;
    // Where the socket did not cap frames while reading (browsers), a frame over the cap is skipped.
    if (typeof data === "string" && data.length > surelySmall && utf8LengthExceeds(data, maxFrameBytes)) {
      on.error(new FrameTooLargeError(maxFrameBytes));
      return;
    }
    frame(data);
  };
  const onPing = () => {
    activity.at = Date.now();
  };
  const onError = (event: { message?: string; error?: unknown }) => {
    if ((event.error as { code?: unknown } | undefined)?.code === WS_FRAME_TOO_LARGE) {
      // ws refused a frame over maxPayload and is closing (1009); the reconnect carries the same error.
      lastError = new FrameTooLargeError(maxFrameBytes, { cause: event.error });
      on.error(lastError);
      return;
    }
    lastError = new ConnectionError(`stream: ${event.message || "WebSocket error"}`, { cause: event.error });
  };
  const onClose = (event: { code: number; reason: string }) => {
    // ws closed with 1009 itself but, no longer reading, reports 1006: say what really ended it.
    if (lastError instanceof FrameTooLargeError) on.closed(1009, "message too big", lastError);
    else on.closed(event.code, event.reason, lastError);
  };
  ws.addEventListener("message", onMessage);
  ws.addEventListener("error", onError);
  ws.addEventListener("close", onClose);
  if (mode === "ping") (ws as NodeWebSocket).on("ping", onPing);

  return {
    mode,
    drop(kill) {
      ws.removeEventListener("message", onMessage);
      ws.removeEventListener("close", onClose);
      if (mode === "ping") (ws as NodeWebSocket).off("ping", onPing);
      // Keep one error listener: ws (an EventEmitter) throws an 'error' that has none, e.g. when a
      // socket closed mid-handshake reports the abort.
      ws.removeEventListener("error", onError);
      ws.addEventListener("error", noop);
      if (ws.readyState >= 2) return; // CLOSING or CLOSED already
      if (node && (kill || ws.readyState === 0)) (ws as NodeWebSocket).terminate();
      else ws.close(1000);
    },
  };
}

/** The stream URL asking a relay to resume after `since` (unchanged without one). */
export function withSince(url: string, since: number | undefined): string {
  if (since === undefined) return url;
  const hash = url.indexOf("#");
  const base = hash === -1 ? url : url.slice(0, hash);
  return `${base}${base.includes("?") ? "&" : "?"}since=${since}`;
}

/** The token travels in the stream URL; never put it in an error message. */
export function redact(url: string): string {
  return url.replace(/([?&]token=)[^&]*/, "$1***");
}
