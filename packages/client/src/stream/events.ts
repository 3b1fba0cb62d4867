import { ProtocolError, quoteJson } from "../errors.js";

/** A chunk of assistant output (Markdown, possibly multi-line; not token-level). */
export interface TextDeltaEvent {
  type: "text_delta";
  data: string;
}
/** A tool the agent started (`Shell`, `Read`, `mcp__x__y`…); may be `""` with Gemini. */
export interface ToolActivityEvent {
  type: "tool_activity";
  data: string;
}
/** A status label (`thinking`, `compacting`, `recovering`, …) or `null` to clear it. */
export interface SystemStatusEvent {
  type: "system_status";
  data: string | null;
}
/** The events ductor broadcasts; what `for await` yields and what data listeners receive. */
export type StreamDataEvent = TextDeltaEvent | ToolActivityEvent | SystemStatusEvent;
/** Sent once right after a good token: the only proof that auth succeeded. */
export interface PingFrame {
  type: "ping";
}
export type StreamFrame = StreamDataEvent | PingFrame;

/**
 * One WebSocket message → a typed frame, or a ProtocolError that says what was wrong (the stream
 * reports it and goes on). Frames carry nothing but `type` and `data` (protocol.md §3.2); extra
 * keys are ignored so a newer server does not break an older client.
 */
export function decodeFrame(message: unknown): StreamFrame {
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
  const { type, data } = frame as { type?: unknown; data?: unknown };
  switch (type) {
    case "ping":
      return { type };
    case "text_delta":
    case "tool_activity":
      if (typeof data !== "string") throw new ProtocolError(`stream: ${type}.data must be a string`, message);
      return { type, data };
    case "system_status":
      if (typeof data !== "string" && data !== null)
        throw new ProtocolError("stream: system_status.data must be a string or null", message);
      return { type, data };
    default:
      // quoteJson: `type` may be a hostile, deeply nested value that JSON.stringify cannot take.
      throw new ProtocolError(`stream: unknown frame type ${quoteJson(type)}`, message);
  }
}
