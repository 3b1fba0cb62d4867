/**
 * The relay's `/dashboard/stream` for viewers: the upgrade (auth like ductor's), the live fan-out, the
 * heartbeat. Each stored event is encoded once and handed to every live viewer; sending never waits for one.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { HistoryEvent, HistoryStore } from "../history/store.js";
import { refuseUpgrade } from "../serve/refusal.js";
import { tokenMatches } from "./auth.js";
import { eventFrame } from "./frames.js";
import { parseSince } from "./params.js";
import { Viewer, type ViewerHost, type ViewerLimits } from "./viewer.js";

export interface ViewerServerOptions extends ViewerLimits {
  token: string;
  store: Pick<HistoryStore, "head" | "oldest" | "range">;
  /** Protocol ping interval; a viewer that has not answered the previous ping is terminated. ductor: 30 000. */
  heartbeatMs: number;
  /** Told about every viewer dropped for falling behind. */
  onDrop?: (queuedBytes: number) => void;
}

/** How long a refused (1008) socket may take to answer our Close before it is cut, as ductor waits. */
const REFUSED_CLOSE_WAIT_MS = 10_000;

export class ViewerServer implements ViewerHost {
  readonly store: Pick<HistoryStore, "head" | "oldest" | "range">;
  readonly #options: ViewerServerOptions;
  readonly #wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024, clientTracking: false });
  readonly #live = new Set<Viewer>();
  readonly #all = new Set<Viewer>();
  /** Sockets refused with 1008 that have not closed yet. */
  readonly #refused = new Set<WebSocket>();
  readonly #heartbeat: ReturnType<typeof setInterval>;
  #dropped = 0;

  constructor(options: ViewerServerOptions) {
    this.#options = options;
    this.store = options.store;
    this.#heartbeat = setInterval(() => this.#beat(), options.heartbeatMs);
    this.#heartbeat.unref();
  }

  /** Viewers connected (catching up or live), live ones, dropped for falling behind, and bytes queued to all of them. */
  stats(): { viewers: number; live: number; dropped: number; queuedBytes: number } {
    let queuedBytes = 0;
    for (const viewer of this.#all) queuedBytes += viewer.socket.bufferedAmount;
    return { viewers: this.#all.size, live: this.#live.size, dropped: this.#dropped, queuedBytes };
  }

  /** Every viewer socket, for tests and the drop fault. */
  viewers(): readonly Viewer[] {
    return [...this.#all];
  }

  /**
   * An upgrade the gate let through for `/dashboard/stream` (`url`: its normalised path and query). A bad token
   * gets 101 then Close 1008 "unauthorized", like ductor (so nothing is said about `since` to a stranger); with a
   * good token, a malformed `since` is a 400 before the upgrade.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: string): void {
    const query = new URLSearchParams(url.includes("?") ? url.slice(url.indexOf("?") + 1) : "");
    const authorized = tokenMatches(query.get("token"), this.#options.token);
    let since: number | undefined;
    if (authorized) {
      const parsed = parseSince(query);
      if (!parsed.ok) return refuseUpgrade(socket, { status: 400, reason: parsed.error });
      since = parsed.value;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      if (!authorized) return this.#refuse(ws);
      const viewer = new Viewer(ws, this, this.#options);
      this.#all.add(viewer);
      viewer.start(since);
    });
  }

  /** Fan one stored event out to every live viewer. */
  publish(event: HistoryEvent): void {
    if (this.#live.size === 0) return;
    const frame = Buffer.from(eventFrame(event), "utf8");
    for (const viewer of this.#live) viewer.deliver(frame);
  }

  goLive(viewer: Viewer): void {
    this.#live.add(viewer);
  }

  gone(viewer: Viewer): void {
    this.#live.delete(viewer);
    this.#all.delete(viewer);
  }

  dropped(_viewer: Viewer, queuedBytes: number): void {
    this.#dropped += 1;
    this.#options.onDrop?.(queuedBytes);
  }

  /** Close 1001 "server shutdown" to every viewer (like ductor's orderly stop), then stop. */
  close(): void {
    clearInterval(this.#heartbeat);
    for (const viewer of this.#all) {
      viewer.socket.close(1001, "server shutdown");
      // A viewer that does not answer the Close must not hold the process.
      setTimeout(() => viewer.socket.terminate(), 1_000).unref();
    }
    for (const ws of this.#refused) ws.terminate();
    this.#wss.close();
  }

  #refuse(ws: WebSocket): void {
    this.#refused.add(ws);
    ws.on("error", () => ws.terminate());
    ws.close(1008, "unauthorized");
    const cut = setTimeout(() => ws.terminate(), REFUSED_CLOSE_WAIT_MS);
    cut.unref();
    ws.once("close", () => {
      clearTimeout(cut);
      this.#refused.delete(ws);
    });
  }

  /** Every viewer must answer each protocol ping before the next one; the ping also keeps clients' stale-link watch quiet. */
  #beat(): void {
    for (const viewer of this.#all) {
      if (!viewer.alive) {
        viewer.socket.terminate();
        continue;
      }
      viewer.alive = false;
      viewer.socket.ping();
    }
  }
}
