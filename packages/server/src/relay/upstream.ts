/**
 * The relay's one stream from ductor, through our own client SDK (`DashboardClient.stream()`, `ws` in Node).
 * Every data event is handed to `record` synchronously from the socket's message event, so nothing here ever
 * waits for a viewer or a disk. Events of a type the client does not know (ductor may add some) are recorded
 * too: a tapping WebSocket keeps the raw text of the frame being decoded, and when the client reports it as a
 * ProtocolError the relay reads its type and data from that text.
 */
import {
  AuthenticationError,
  DashboardClient,
  ProtocolError,
  type DashboardStream,
  type WebSocketConstructor,
} from "@ductor/dashboard-client";
import WebSocket, { type ClientOptions, type RawData } from "ws";
import { lifecycleRow, type LinkRow, type LinkSignal } from "./lifecycle.js";

/** The stream's reconnect tuning (the client's defaults otherwise, but a ceiling of 10 s rather than 30 s). */
export interface UpstreamTuning {
  minDelayMs?: number;
  maxDelayMs?: number;
  staleAfterMs?: number;
  connectTimeoutMs?: number;
}

export interface UpstreamOptions {
  ductor: string;
  token: string;
  /** One stored frame: a data event, or an `upstream` lifecycle row. Called synchronously, in arrival order. */
  record(type: string, data: string | null): void;
  tuning?: UpstreamTuning;
  /** The link as history last recorded it (a relay restarted on a non-empty store starts "disconnected"). */
  initial?: LinkRow;
  /** ductor refused the token (1008): nothing more will be read with it. */
  onRefused?: () => void;
  /** Lines for the operator (the link's changes). */
  log?: (line: string, level: "info" | "warn") => void;
}

/** Types the client delivers as typed events, and types that are the relay's own (a ductor frame claiming one is not recorded). */
const CLIENT_TYPES = new Set(["text_delta", "tool_activity", "system_status"]);
const NOT_DUCTOR_TYPES = new Set(["ping", "upstream", "gap"]);

/** Keep the wire type `data: string | null`: a future type's structured data is kept as its JSON text. */
function storedData(data: unknown): string | null {
  if (data === undefined || data === null) return null;
  return typeof data === "string" ? data : JSON.stringify(data);
}

/**
 * Whether to offer permessage-deflate to ductor at `url`. On loopback, compression only costs: aiohttp (and the
 * mock) compress each frame in a thread and the relay inflates it again, which capped ingest near 14,000 events/s
 * with nothing saved. Over a network link it stays on, as a browser would ask.
 */
export function offersCompression(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return true;
  }
  return !(host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host));
}

/** A `ws` WebSocket that shows every text frame to `tap` before the client's own listener sees it. */
function tappingWebSocket(tap: (data: RawData, isBinary: boolean) => void): WebSocketConstructor {
  class TappingWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[], options?: ClientOptions) {
      super(url, protocols, { ...options, perMessageDeflate: offersCompression(url) });
      // Registered in the constructor, so before the client's addEventListener("message"): it runs first.
      this.on("message", tap);
    }
  }
  return TappingWebSocket as unknown as WebSocketConstructor;
}

export class Upstream {
  readonly client: DashboardClient;
  readonly #stream: DashboardStream;
  readonly #options: UpstreamOptions;
  #last: LinkRow | undefined;
  /** The frame the client is decoding right now (only read when it reports that frame as bad). */
  #current: Buffer | undefined;
  #stopped = false;

  constructor(options: UpstreamOptions) {
    this.#options = options;
    this.#last = options.initial;
    this.client = new DashboardClient({
      baseUrl: options.ductor,
      token: options.token,
      WebSocket: tappingWebSocket((data, isBinary) => {
        this.#current = !isBinary && Buffer.isBuffer(data) ? data : undefined;
      }),
    });
    const { record } = options;
    const tuning = options.tuning ?? {};
    this.#stream = this.client.stream({ maxDelayMs: 10_000, ...tuning });
    this.#stream.on("text_delta", (ev) => record(ev.type, ev.data));
    this.#stream.on("tool_activity", (ev) => record(ev.type, ev.data));
    this.#stream.on("system_status", (ev) => record(ev.type, ev.data));
    this.#stream.on("open", () => this.#signal("open"));
    this.#stream.on("reconnecting", () => this.#signal("reconnecting"));
    this.#stream.on("error", (error) => {
      if (error instanceof AuthenticationError) this.#signal("refused");
      else if (error instanceof ProtocolError) this.#unknownType();
    });
  }

  /** The last lifecycle row recorded. */
  get link(): LinkRow | undefined {
    return this.#last;
  }

  /** Stop reading (records "disconnected" when the link was up). Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#signal("stopping");
    this.#stopped = true;
    this.#stream.close();
  }

  #signal(signal: LinkSignal): void {
    if (this.#stopped) return;
    const row = lifecycleRow(this.#last, signal);
    if (row === undefined) return;
    this.#last = row;
    this.#options.record("upstream", row);
    if (row === "refused") this.#options.onRefused?.();
    this.#options.log?.(
      row === "refused"
        ? "ductor refused the token (1008): the relay stopped reading; history and viewers stay up. Restart with the right token."
        : `ductor ${row}`,
      row === "refused" ? "warn" : "info",
    );
  }

  /** A frame the client refused: recorded when it is a well-formed frame of a type the client does not know yet. */
  #unknownType(): void {
    const raw = this.#current;
    this.#current = undefined;
    if (raw === undefined) return;
    let frame: unknown;
    try {
      frame = JSON.parse(raw.toString());
    } catch {
      return; // not JSON: ductor never sends that; nothing to keep
    }
    if (typeof frame !== "object" || frame === null || Array.isArray(frame)) return;
    const { type, data } = frame as { type?: unknown; data?: unknown };
    if (typeof type !== "string" || type === "" || type.length > 64) return;
    // A malformed known frame (text_delta without a string) stays refused, and ductor cannot forge relay rows.
    if (CLIENT_TYPES.has(type) || NOT_DUCTOR_TYPES.has(type)) return;
    this.#options.record(type, storedData(data));
  }
}
