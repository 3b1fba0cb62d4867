/**
 * One viewer socket of the relay: the ping, the catch-up from history (when it gave `since`), then live frames
 * from the fan-out. Its queue is the socket's own send buffer, bounded in bytes: a viewer whose backlog is over
 * the bound when the next live frame is due is terminated (it sees 1006 and resumes with `since`); nobody
 * waits for it. Catch-up is paced by the viewer instead (a page is read from the store only once the previous
 * one has left the process), so resuming never needs the bound.
 */
import type { WebSocket } from "ws";
import type { HistoryStore } from "../history/store.js";
import { catchUpPage } from "./catch-up.js";
import { pingFrame } from "./frames.js";

export interface ViewerLimits {
  /** A live viewer with more than this queued (bytes) when a frame is due is dropped. */
  maxQueueBytes: number;
  /** Events per catch-up page at most. */
  pageEvents: number;
  /** Aim for catch-up pages of about this many characters (the page size adapts to the events' size). */
  pageChars: number;
}

export interface ViewerHost {
  readonly store: Pick<HistoryStore, "head" | "oldest" | "range">;
  /** Start receiving live frames (called in the tick in which catch-up reached the head). */
  goLive(viewer: Viewer): void;
  /** The viewer is gone (closed, dropped). */
  gone(viewer: Viewer): void;
  /** A live viewer fell behind and was terminated. */
  dropped(viewer: Viewer, queuedBytes: number): void;
}

export class Viewer {
  #phase: "catching-up" | "live" | "closed" = "catching-up";
  /** Answered the last protocol ping (heartbeat). */
  alive = true;

  constructor(
    readonly socket: WebSocket,
    readonly host: ViewerHost,
    readonly limits: ViewerLimits,
  ) {
    socket.on("close", () => this.#closed());
    socket.on("error", () => socket.terminate());
    socket.on("pong", () => {
      this.alive = true;
    });
  }

  get phase(): "catching-up" | "live" | "closed" {
    return this.#phase;
  }

  /** The ping, then either live at once (no `since`) or the catch-up from `since`. */
  start(since: number | undefined): void {
    const { store } = this.host;
    this.socket.send(pingFrame(store.head(), store.oldest()));
    // A viewer without `since` wants what happens from now on: live in this very tick.
    if (since === undefined) this.#goLive();
    else void this.#catchUp(since);
  }

  /** A live frame (encoded once for every viewer). Never waits: a viewer too far behind is dropped instead. */
  deliver(frame: Buffer): void {
    if (this.#phase !== "live") return;
    const queued = this.socket.bufferedAmount;
    if (queued > this.limits.maxQueueBytes) {
      this.drop(queued);
      return;
    }
    this.socket.send(frame, { binary: false });
  }

  /** Terminate (the viewer sees 1006 and may resume with `since`). */
  drop(queuedBytes = this.socket.bufferedAmount): void {
    if (this.#phase === "closed") return;
    this.host.dropped(this, queuedBytes);
    this.socket.terminate();
    this.#closed();
  }

  #goLive(): void {
    if (this.#phase !== "catching-up") return;
    this.#phase = "live";
    this.host.goLive(this);
  }

  #closed(): void {
    if (this.#phase === "closed") return;
    this.#phase = "closed";
    this.host.gone(this);
  }

  async #catchUp(since: number): Promise<void> {
    let cursor = since;
    let limit = Math.min(64, this.limits.pageEvents);
    for (;;) {
      if (this.#phase !== "catching-up") return;
      const page = catchUpPage(this.host.store, cursor, limit);
      const written = this.#sendPage(page.frames);
      cursor = page.cursor;
      // Same tick as the store read that found nothing after `cursor`: no event can slip in between.
      if (page.caughtUp) return this.#goLive();
      // Size the next page from this one: about pageChars per page, at least one event.
      const perEvent = page.chars / Math.max(1, page.frames.length);
      limit = Math.max(1, Math.min(this.limits.pageEvents, Math.floor(this.limits.pageChars / Math.max(1, perEvent))));
      // Wait until this page has left the process (a viewer that never reads stays here, holding one page,
      // until the heartbeat finds it dead), then let ingest run before reading on.
      await written;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Send in order; resolves once the last frame is written to the socket, or the socket is gone. */
  #sendPage(frames: readonly string[]): Promise<void> {
    return new Promise<void>((resolve) => {
      if (frames.length === 0 || this.socket.readyState !== this.socket.OPEN) return resolve();
      const done = (): void => {
        this.socket.off("close", done);
        resolve();
      };
      this.socket.once("close", done);
      const last = frames.length - 1;
      for (let i = 0; i < last; i++) this.socket.send(frames[i]!);
      this.socket.send(frames[last]!, done);
    });
  }
}
