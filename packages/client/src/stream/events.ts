import { ProtocolError, quoteJson } from "../errors.js";

/**
 * Where an event sits in a relay's history (`@ductor/dashboard-server`): present on every event a relay
 * sends, absent on plain ductor's. Non-negative integers; an ill-typed one is left out (see decodeFrame).
 */
export interface Numbered {
  /** Per relay, increasing by one per event viewers receive, never reused. */
  seq?: number;
  /** When the relay received the event, ms since the epoch. */
  at?: number;
}
/** A chunk of assistant output (Markdown, possibly multi-line; not token-level). */
export interface TextDeltaEvent extends Numbered {
  type: "text_delta";
  data: string;
}
/** A tool the agent started (`Shell`, `Read`, `mcp__x__y`…); may be `""` with Gemini. */
export interface ToolActivityEvent extends Numbered {
  type: "tool_activity";
  data: string;
}
/** A status label (`thinking`, `compacting`, `recovering`, …) or `null` to clear it. */
export interface SystemStatusEvent extends Numbered {
  type: "system_status";
  data: string | null;
}
/** The relay's link to ductor: `"connected"`, `"disconnected"` (events ductor sent meanwhile are lost), `"refused"`. */
export type UpstreamState = "connected" | "disconnected" | "refused" | (string & {});
/** Relay only: a change of the relay's own link to ductor, numbered like the events around it. */
export interface UpstreamEvent extends Numbered {
  type: "upstream";
  data: UpstreamState;
}
/**
 * What `for await` yields and what data listeners receive: the events ductor broadcasts, plus (from a relay
 * only) its `upstream` rows. Against a relay every one carries `seq` and `at`, and `seq` counts exactly these.
 */
export type StreamDataEvent = TextDeltaEvent | ToolActivityEvent | SystemStatusEvent | UpstreamEvent;

/**
 * Relay only: the events `fromSeq`..`toSeq` (inclusive) were pruned from the relay's history before this
 * connection could resume through them (wire: `{"type": "gap", "from_seq", "to_seq"}`). Sent during the
 * catch-up after `since`: usually first, before the retained events; also later in it if pruning overtook the
 * catch-up. Not itself numbered.
 */
export interface GapEvent {
  type: "gap";
  fromSeq: number;
  toSeq: number;
}

/** What a relay says about itself in its first frame (wire: `"relay": {"version": 1, "head", "oldest"}`). */
export interface RelayInfo {
  /** The relay protocol version; this client speaks 1. */
  version: 1;
  /** The last seq the relay had stored when the connection opened (0: none ever). */
  head: number;
  /** The oldest seq it still retains (`head + 1` when it retains none). */
  oldest: number;
}
/** Sent once right after a good token: the only proof that auth succeeded. A relay adds `relay`. */
export interface PingFrame {
  type: "ping";
  relay?: RelayInfo;
}
export type StreamFrame = StreamDataEvent | GapEvent | PingFrame;

/** Receives what is wrong with a frame that is still delivered (an ill-typed `seq`/`at`, an unusable `relay`). */
export type FrameWarning = (error: ProtocolError) => void;

/** seq, at, head, oldest, from_seq, to_seq: all non-negative integers a double holds exactly. */
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/**
 * One WebSocket message → a typed frame, or a ProtocolError that says what was wrong (the stream reports it
 * and goes on). Frames carry `type` and `data` (protocol.md §3.2), a relay adds `seq` and `at`; other keys are
 * ignored so a newer server does not break an older client.
 *
 * A frame whose `seq` or `at` is not a non-negative integer, or a ping whose `relay` is unusable (not version 1,
 * not integers), is still returned, without that field (a ping without `relay`: plain ductor), and `warn` gets a
 * ProtocolError saying why; without `warn` that is silent. Losing the field rather than the frame: its text
 * still reaches the reader, and a stream that cannot trust a seq simply does not resume from it.
 */
export function decodeFrame(message: unknown, warn?: FrameWarning): StreamFrame {
  if (typeof message !== "string") {
    const size = (message as { byteLength?: number; size?: number } | null)?.byteLength ?? (message as { size?: number } | null)?.size;
    throw new ProtocolError(`stream: binary frame${size === undefined ? "" : ` (${size} bytes)`}; ductor sends text only`, "");
  }
  let frame: unknown;
  try {
    frame = JSON.parse(message);
  } catch (cause) {
    throw new ProtocolError("stream: frame is not JSON", message, { cause });
  }
  if (typeof frame !== "object" || frame === null || Array.isArray(frame)) {
    throw new ProtocolError("stream: frame is not a JSON object", message);
  }
  const { type, data, seq, at } = frame as { type?: unknown; data?: unknown; seq?: unknown; at?: unknown };
  switch (type) {
    case "text_delta":
    case "tool_activity":
    case "upstream":
      if (typeof data !== "string") throw new ProtocolError(`stream: ${type}.data must be a string`, message);
      // The common case first, and one object per frame either way.
      if (seq === undefined && at === undefined) return { type, data };
      return numbered(type, data, seq, at, message, warn);
    case "system_status":
      if (typeof data !== "string" && data !== null)
        throw new ProtocolError("stream: system_status.data must be a string or null", message);
      if (seq === undefined && at === undefined) return { type, data };
      return numbered(type, data, seq, at, message, warn);
    case "ping": {
      const relay = (frame as { relay?: unknown }).relay;
      if (relay === undefined) return { type };
      const info = relayInfo(relay, message, warn);
      return info ? { type, relay: info } : { type };
    }
    case "gap": {
      const { from_seq: fromSeq, to_seq: toSeq } = frame as { from_seq?: unknown; to_seq?: unknown };
      if (!isCount(fromSeq) || !isCount(toSeq) || fromSeq > toSeq) {
        throw new ProtocolError("stream: gap needs integers from_seq <= to_seq", message);
      }
      return { type, fromSeq, toSeq };
    }
    default:
      // quoteJson: `type` may be a hostile, deeply nested value that JSON.stringify cannot take.
      throw new ProtocolError(`stream: unknown frame type ${quoteJson(type)}`, message);
  }
}

/** A relay's event: keeps each of `seq`/`at` that is a non-negative integer, reports the others. */
function numbered(
  type: StreamDataEvent["type"],
  data: string | null,
  seq: unknown,
  at: unknown,
  message: string,
  warn: FrameWarning | undefined,
): StreamDataEvent {
  const goodSeq = isCount(seq);
  const goodAt = isCount(at);
  if (goodSeq && goodAt) return { type, data, seq, at } as StreamDataEvent;
  if (seq !== undefined && !goodSeq)
    warn?.(new ProtocolError(`stream: ${type}.seq must be a non-negative integer; delivered without it`, message));
  if (at !== undefined && !goodAt)
    warn?.(new ProtocolError(`stream: ${type}.at must be a non-negative integer; delivered without it`, message));
  const event = { type, data } as StreamDataEvent;
  if (goodSeq) event.seq = seq;
  if (goodAt) event.at = at;
  return event;
}

function relayInfo(relay: unknown, message: string, warn: FrameWarning | undefined): RelayInfo | undefined {
  const { version, head, oldest } = (typeof relay === "object" && relay !== null ? relay : {}) as Record<string, unknown>;
  if (version !== 1) {
    const why = Number.isInteger(version) ? `relay version ${version} is not supported (this client speaks 1)` : "relay.version is missing";
    warn?.(new ProtocolError(`stream: ${why}; treated as plain ductor (no resume)`, message));
    return undefined;
  }
  if (!isCount(head) || !isCount(oldest) || oldest > head + 1) {
    warn?.(
      new ProtocolError("stream: relay needs integers head >= 0 and oldest <= head + 1; treated as plain ductor (no resume)", message),
    );
    return undefined;
  }
  return { version, head, oldest };
}
