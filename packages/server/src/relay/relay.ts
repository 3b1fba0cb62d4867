/**
 * The recording relay: one upstream stream from ductor → the history store (seq, at) → every viewer, plus the
 * REST snapshots and the history endpoints. This module only wires the parts together:
 *
 *   upstream.ts    ductor's stream through the client SDK; lifecycle.ts decides the `upstream` rows
 *   snapshots.ts   status/sessions/tasks polled into store.snapshot
 *   viewers.ts     the viewers' /dashboard/stream (auth, fan-out, heartbeat); viewer.ts one socket;
 *                  catch-up.ts its resume from history; frames.ts the wire encoding
 *   history-api.ts the history REST endpoints; export.ts the jsonl/md encoders; params.ts their parameters
 *
 * Ingest is synchronous from the socket's message event: append (seq assigned at once) then fan out. Nothing
 * in that path awaits anything, so ductor's stream is read at the pace ductor sends it whatever viewers do.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { HistoryStore } from "../history/store.js";
import { handleHistoryRequest } from "./history-api.js";
import { SnapshotPoller, tappingFetch } from "./snapshots.js";
import { Upstream, type UpstreamTuning } from "./upstream.js";
import type { LinkRow } from "./lifecycle.js";
import { ViewerServer } from "./viewers.js";
import { DashboardClient } from "@ductor/dashboard-client";

export type RelayLog = (line: string, level: "info" | "warn") => void;

export interface RelayTuning {
  /** REST snapshot interval. Default 10 000 ms. */
  snapshotEveryMs?: number;
  /** Protocol ping interval to viewers (a viewer that misses one is cut). Default 30 000 ms, like ductor. */
  heartbeatMs?: number;
  /** A live viewer with more than this queued when a frame is due is dropped. Default 8 MiB. */
  maxViewerQueueBytes?: number;
  /** Catch-up pages: at most this many events… Default 500. */
  pageEvents?: number;
  /** …and about this many characters. Default 1 MiB. */
  pageChars?: number;
  /** The upstream stream's reconnect timing. */
  upstream?: UpstreamTuning;
}

export interface RelayOptions extends RelayTuning {
  ductor: string;
  token: string;
  store: HistoryStore;
  /** Operator lines: "info" for the link's changes, "warn" for what needs attention (refused, dropped viewers, store errors). */
  log?: RelayLog;
}

export interface RelayStats {
  /** Viewer sockets (catching up or live), live ones, viewers dropped for falling behind since start. */
  viewers: number;
  live: number;
  dropped: number;
  /** Bytes waiting in viewers' send buffers right now (the relay's part of the fan-out memory). */
  queuedBytes: number;
  /** The last lifecycle row recorded. */
  upstream: LinkRow | undefined;
  head: number;
  oldest: number;
  /** Events that could not be stored (the store threw); live viewers still got nothing for them. */
  appendFailures: number;
}

export interface Relay {
  readonly store: HistoryStore;
  /** A `/dashboard/stream` upgrade the gate let through (`url`: its normalised target). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: string): void;
  /** A `/dashboard/history…` request the gate let through. */
  handleHistory(req: IncomingMessage, res: ServerResponse, url: string): void;
  stats(): RelayStats;
  /** Terminate every viewer socket now (they see 1006 and resume with `since`): for tests and fault drills. */
  dropViewers(): void;
  /** Stop reading ductor (a final "disconnected" row), close viewers with 1001. Does not close the store. */
  close(): Promise<void>;
}

export function startRelay(options: RelayOptions): Relay {
  const { store, token } = options;
  const log = options.log ?? (() => undefined);
  let appendFailures = 0;
  let closed = false;

  const viewers = new ViewerServer({
    token,
    store,
    heartbeatMs: options.heartbeatMs ?? 30_000,
    maxQueueBytes: options.maxViewerQueueBytes ?? 8 * 1024 * 1024,
    pageEvents: options.pageEvents ?? 500,
    pageChars: options.pageChars ?? 1024 * 1024,
    onDrop: (queued) => log(`a viewer fell behind (${queued} bytes queued) and was dropped; it can resume with since=`, "warn"),
  });

  const record = (type: string, data: string | null): void => {
    let event: ReturnType<HistoryStore["append"]>;
    try {
      event = store.append(type, data, Date.now());
    } catch (err) {
      // Without a seq the event cannot be sent either: viewers count on seq to prove they missed nothing.
      appendFailures += 1;
      if (appendFailures === 1 || appendFailures % 1000 === 0)
        log(
          `history: an event could not be stored (${appendFailures} so far): ${err instanceof Error ? err.message : String(err)}`,
          "warn",
        );
      return;
    }
    viewers.publish(event);
  };

  // A store with history from an earlier run: that run's end is a gap. After a clean stop its last row is already
  // "disconnected"; after a crash (SIGKILL, power loss) it is not, so say it now, before anything new is stored.
  let initial: LinkRow | undefined;
  if (store.head() > 0) {
    const last = store.range({ before: store.head() + 1, limit: 1 })[0];
    if (!(last?.type === "upstream" && (last.data === "disconnected" || last.data === "refused"))) record("upstream", "disconnected");
    initial = "disconnected";
  }

  const bodies = new Map<string, string>();
  const rest = new DashboardClient({ baseUrl: options.ductor, token, fetch: tappingFetch(bodies) });
  const snapshots = new SnapshotPoller(rest, bodies, store, options.snapshotEveryMs ?? 10_000);
  const upstream = new Upstream({
    ductor: options.ductor,
    token,
    record,
    log,
    ...(initial ? { initial } : {}),
    // The token is wrong for ductor: polling its REST with it would only collect 401s.
    onRefused: () => void snapshots.stop(),
    ...(options.upstream ? { tuning: options.upstream } : {}),
  });
  snapshots.start();

  return {
    store,
    handleUpgrade: (req, socket, head, url) => viewers.handleUpgrade(req, socket, head, url),
    handleHistory: (req, res, url) => handleHistoryRequest(req, res, url, store, token),
    stats: () => ({ ...viewers.stats(), upstream: upstream.link, head: store.head(), oldest: store.oldest(), appendFailures }),
    dropViewers: () => {
      for (const viewer of viewers.viewers()) viewer.socket.terminate();
    },
    async close() {
      if (closed) return;
      closed = true;
      upstream.stop();
      viewers.close();
      await snapshots.stop();
    },
  };
}
