/**
 * The app-level live connection: one stream for the lifetime of the mounted app, whatever view is
 * on screen. It turns the client's stream events into calls on a sink (the stream view, the badge).
 */
import { AuthenticationError } from "@ductor/dashboard-client";
import type { Client, Stream } from "./types.js";

export type LinkState =
  | { kind: "connecting" }
  | { kind: "open"; since: number }
  | { kind: "reconnecting"; retryAt: number; attempt: number; code?: number | undefined }
  | { kind: "refused" }
  | { kind: "closed"; code?: number | undefined; reason?: string | undefined };

export interface LiveSink {
  text(data: string): void;
  tool(name: string): void;
  status(label: string | null): void;
  link(state: LinkState): void;
  gapStart(at: Date): void;
  /** The link is back. `resumed`: a relay sent everything from while it was down, so nothing was missed. */
  gapEnd(at: Date, resumed: boolean): void;
  /** Relay only: events `fromSeq`..`toSeq` were pruned from its history before they could be resent. */
  pruned?(fromSeq: number, toSeq: number): void;
  /** Relay only: its own link to ductor changed ("connected", "disconnected", "refused"); `at` is when. */
  upstream?(state: string, at: Date): void;
  /**
   * Relay only: the same change, told even while `intercept` takes the event (a person browsing history still needs
   * the connection pill to say whether ductor is reachable). Called in stream order, after any held history.
   */
  upstreamLink?(state: string): void;
  /**
   * Every data event before it is drawn: return true to take it instead (the view shows history meanwhile).
   * Called once per streamed event, so it must stay cheap.
   */
  intercept?(event: DataEvent): boolean;
  /** The seq of the last event shown, when the server numbers them (a relay). */
  seen?(seq: number): void;
  protocolError?(err: unknown): void;
}

export interface Live {
  readonly state: LinkState;
  /** The client's stream (for trackers that follow it, such as the activity tracker). */
  readonly stream: Stream;
  close(): void;
}

/** Events of a relay's history or its live stream, as the sink draws them. */
export type DataEvent = { type: string; data: string | null; seq?: number; at?: number };

export interface LiveOptions {
  streamOptions?: Parameters<Client["stream"]>[0];
  /**
   * Called once, on the first open when the server is a relay (its ping said what it holds): the page fetches
   * recent history up to `head` and draws it. Live events that arrive meanwhile are held and drawn after it,
   * so history and live meet without a duplicate or a hole (the relay's live frames all have seq > head).
   */
  onRelayOpen?: (relay: { head: number; oldest: number }) => Promise<void>;
}

export function createLive(client: Client, sink: LiveSink, onRefused: (reason: string) => void, options: LiveOptions = {}): Live {
  let state: LinkState = { kind: "connecting" };
  let hadOpen = false;
  let gapOpen = false;
  let closed = false;
  /** Live events waiting while the relay's history is fetched; null when drawing directly. */
  let held: DataEvent[] | null = null;
  const set = (s: LinkState): void => {
    state = s;
    sink.link(s);
  };
  set(state);
  const stream: Stream = client.stream(options.streamOptions);
  const offs: Array<() => void> = [];

  const draw = (ev: DataEvent): void => {
    if (ev.type === "upstream") sink.upstreamLink?.(ev.data ?? "");
    if (sink.intercept?.(ev)) return;
    if (ev.type === "text_delta") sink.text(ev.data ?? "");
    else if (ev.type === "tool_activity") sink.tool(ev.data ?? "");
    else if (ev.type === "system_status") sink.status(ev.data);
    else if (ev.type === "upstream") sink.upstream?.(ev.data ?? "", new Date(ev.at ?? Date.now()));
    if (ev.seq !== undefined) sink.seen?.(ev.seq);
  };
  // One handler for every data event: one argument, no rest/spread (no allocation per streamed frame).
  const onData = (ev: DataEvent): void => {
    if (closed) return;
    if (held) held.push(ev);
    else draw(ev);
  };
  const on =
    <T>(fn: (event: T) => unknown): ((event: T) => void) =>
    (event: T) => {
      if (!closed) fn(event);
    };

  const holdForHistory = (
    relay: { head: number; oldest: number },
    fetchHistory: (relay: { head: number; oldest: number }) => Promise<void>,
  ): void => {
    held = [];
    const release = (): void => {
      const waiting = held ?? [];
      held = null;
      if (!closed) for (const ev of waiting) draw(ev);
    };
    fetchHistory(relay).then(release, release);
  };

  offs.push(
    stream.on("text_delta", onData),
    stream.on("tool_activity", onData),
    stream.on("system_status", onData),
    stream.on("upstream", onData),
    stream.on(
      "gap",
      on((ev: { fromSeq: number; toSeq: number }) => sink.pruned?.(ev.fromSeq, ev.toSeq)),
    ),
    stream.on(
      "open",
      on((ev: { resumed?: boolean; relay?: { head: number; oldest: number } | null }) => {
        if (gapOpen) sink.gapEnd(new Date(), ev.resumed === true);
        if (!hadOpen && ev.relay && options.onRelayOpen) holdForHistory(ev.relay, options.onRelayOpen);
        gapOpen = false;
        hadOpen = true;
        set({ kind: "open", since: Date.now() });
      }),
    ),
    stream.on(
      "reconnecting",
      on((ev: { attempt: number; delayMs: number; at?: number; code?: number }) => {
        if (hadOpen && !gapOpen) {
          gapOpen = true;
          sink.gapStart(new Date());
          sink.status(null);
        }
        set({
          kind: "reconnecting",
          retryAt: typeof ev.at === "number" ? ev.at : Date.now() + ev.delayMs,
          attempt: ev.attempt,
          code: ev.code,
        });
      }),
    ),
    stream.on(
      "error",
      on((err: unknown) => {
        if (err instanceof AuthenticationError) {
          set({ kind: "refused" });
          closed = true;
          stream.close();
          onRefused("The server refused the token (the live stream was closed with 1008 unauthorized).");
        } else sink.protocolError?.(err);
      }),
    ),
    stream.on(
      "close",
      on((ev: { code?: number; reason?: string }) => {
        if (state.kind !== "refused") set({ kind: "closed", code: ev?.code, reason: ev?.reason });
      }),
    ),
  );

  return {
    stream,
    get state() {
      return state;
    },
    close(): void {
      closed = true;
      for (const off of offs) off();
      stream.close();
    },
  };
}
