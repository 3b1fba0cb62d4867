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
  /** The seq of the last event shown, when the server numbers them (a relay). */
  seen?(seq: number): void;
  protocolError?(err: unknown): void;
}

export interface Live {
  readonly state: LinkState;
  close(): void;
}

export function createLive(
  client: Client,
  sink: LiveSink,
  onRefused: (reason: string) => void,
  streamOptions?: Parameters<Client["stream"]>[0],
): Live {
  let state: LinkState = { kind: "connecting" };
  let hadOpen = false;
  let gapOpen = false;
  let closed = false;
  const set = (s: LinkState): void => {
    state = s;
    sink.link(s);
  };
  set(state);
  const stream: Stream = client.stream(streamOptions);
  const offs: Array<() => void> = [];
  // Every stream event has one argument: no rest/spread, which would allocate per streamed frame.
  const on =
    <T>(fn: (event: T) => unknown): ((event: T) => void) =>
    (event: T) => {
      if (!closed) fn(event);
    };

  offs.push(
    stream.on(
      "text_delta",
      on((ev: { data: string; seq?: number }) => {
        sink.text(ev.data);
        if (ev.seq !== undefined) sink.seen?.(ev.seq);
      }),
    ),
    stream.on(
      "tool_activity",
      on((ev: { data: string; seq?: number }) => {
        sink.tool(ev.data);
        if (ev.seq !== undefined) sink.seen?.(ev.seq);
      }),
    ),
    stream.on(
      "system_status",
      on((ev: { data: string | null; seq?: number }) => {
        sink.status(ev.data);
        if (ev.seq !== undefined) sink.seen?.(ev.seq);
      }),
    ),
    stream.on(
      "upstream",
      on((ev: { data: string; seq?: number; at?: number }) => {
        sink.upstream?.(ev.data, new Date(ev.at ?? Date.now()));
        if (ev.seq !== undefined) sink.seen?.(ev.seq);
      }),
    ),
    stream.on(
      "gap",
      on((ev: { fromSeq: number; toSeq: number }) => sink.pruned?.(ev.fromSeq, ev.toSeq)),
    ),
    stream.on(
      "open",
      on((ev: { resumed?: boolean }) => {
        if (gapOpen) sink.gapEnd(new Date(), ev.resumed === true);
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
