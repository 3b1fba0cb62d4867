/**
 * Support for the relay tests: a tiny in-memory history store (the contract of src/history/store.ts, plus
 * `prune` to fake retention), a viewer socket that collects parsed frames, and waiting helpers.
 */
import { WebSocket } from "ws";
import { HistoryQueryError, type HistoryEvent, type HistoryStore, type SearchHit } from "../src/history/store.js";

export class FakeStore implements HistoryStore {
  events: HistoryEvent[] = [];
  snapshots: { path: string; body: string; at: number }[] = [];
  degraded: string | null = null;
  closed = false;
  #head = 0;
  #oldest = 1;

  append(type: string, data: string | null, at: number): HistoryEvent {
    const event = { seq: ++this.#head, at, type, data };
    this.events.push(event);
    return event;
  }
  head(): number {
    return this.#head;
  }
  oldest(): number {
    return this.#oldest;
  }
  range(query: { after: number; limit: number } | { before: number; limit: number }): HistoryEvent[] {
    const first = this.events[0]?.seq ?? this.#head + 1;
    if ("after" in query) {
      const from = Math.max(0, query.after + 1 - first);
      return this.events.slice(from, from + query.limit);
    }
    const end = Math.max(0, Math.min(this.events.length, query.before - first));
    return this.events.slice(Math.max(0, end - query.limit), end);
  }
  search(query: string, limit: number): SearchHit[] {
    if ((query.match(/"/g)?.length ?? 0) % 2 === 1) throw new HistoryQueryError(`unbalanced quote in ${JSON.stringify(query)}`);
    const hits: SearchHit[] = [];
    for (let i = this.events.length - 1; i >= 0 && hits.length < limit; i--) {
      const e = this.events[i]!;
      if (e.type === "text_delta" && e.data?.includes(query)) hits.push({ seq: e.seq, at: e.at, snippet: e.data.slice(0, 80) });
    }
    return hits;
  }
  snapshot(path: string, body: string, at: number): void {
    const last = this.snapshots.filter((s) => s.path === path).at(-1);
    if (last?.body !== body) this.snapshots.push({ path, body, at });
  }
  close(): void {
    this.closed = true;
  }
  /** Retention: forget every event before `keepFrom`. */
  prune(keepFrom: number): void {
    this.events = this.events.filter((e) => e.seq >= keepFrom);
    this.#oldest = Math.max(this.#oldest, Math.min(keepFrom, this.#head + 1));
  }
}

export interface Frame {
  type: string;
  data?: string | null;
  seq?: number;
  at?: number;
  relay?: { version: number; head: number; oldest: number };
  from_seq?: number;
  to_seq?: number;
}

/** A raw `ws` viewer (not our client: the wire itself is under test) that parses and keeps every frame. */
export class ViewerSocket {
  readonly frames: Frame[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: (() => void)[] = [];

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve());
      this.ws.once("error", reject);
    });
    this.closed = new Promise((resolve) => this.ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    this.ws.on("error", () => undefined);
    this.ws.on("message", (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  /** Frames with a seq (events and upstream rows). */
  numbered(): Frame[] {
    return this.frames.filter((f) => f.seq !== undefined);
  }

  lastSeq(): number {
    return this.numbered().at(-1)?.seq ?? 0;
  }

  /** Resolve once `check` holds (re-checked on every frame), or reject after `timeoutMs`. */
  async until(check: (frames: Frame[]) => boolean, timeoutMs = 10_000, what = "frames"): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this.frames)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${what}; got ${this.frames.length} frames, last ${JSON.stringify(this.frames.at(-1))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

/** Poll `check` until it holds. */
export async function waitFor(check: () => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The relay's stream URL for a viewer. */
export function viewerUrl(dashUrl: string, token: string, since?: number): string {
  const url = new URL("/dashboard/stream", dashUrl);
  url.protocol = "ws:";
  url.search = `?token=${encodeURIComponent(token)}${since === undefined ? "" : `&since=${since}`}`;
  return url.toString();
}

/** Fast reconnects for tests (ductor restarts are seconds apart at most here). */
export const FAST_UPSTREAM = { upstream: { minDelayMs: 20, maxDelayMs: 200 } } as const;
