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
  gapEnd(at: Date): void;
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
      on((ev: { data: string }) => sink.text(ev.data)),
    ),
    stream.on(
      "tool_activity",
      on((ev: { data: string }) => sink.tool(ev.data)),
    ),
    stream.on(
      "system_status",
      on((ev: { data: string | null }) => sink.status(ev.data)),
    ),
    stream.on(
      "open",
      on(() => {
        if (gapOpen) sink.gapEnd(new Date());
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
