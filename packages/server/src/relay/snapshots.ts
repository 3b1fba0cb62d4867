/**
 * REST snapshots for history (status, sessions, tasks), polled through the client so that they are checked like
 * everything else the dashboard reads; the store keeps one only when it differs from the last for its path.
 * What is stored is ductor's body as it came (the mock server's recordings hold the same), taken by a tapping
 * `fetch` once the client has accepted the answer. Polls never overlap and never touch the stream.
 */
import type { DashboardClient, RequestOptions } from "@ductor/dashboard-client";
import type { HistoryStore } from "../history/store.js";

const SNAPSHOT_PATHS = ["/dashboard/status", "/dashboard/sessions", "/dashboard/tasks"] as const;
type SnapshotPath = (typeof SNAPSHOT_PATHS)[number];

/**
 * What decides whether a snapshot changed. ductor's status counts `uptime_seconds` up on every poll, so comparing
 * its whole body would store a row every poll (8,640 a day at 10 s) for nothing a chart or a reader needs: the
 * status is compared without it (the stored body keeps it). Other paths compare their body as it came.
 */
function snapshotChangeKey(path: string, body: string): string {
  if (path !== "/dashboard/status") return body;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return body;
    const { uptime_seconds: _uptime, ...rest } = parsed as Record<string, unknown>;
    return JSON.stringify(rest);
  } catch {
    return body;
  }
}

/** Larger bodies are left to the client (its own cap applies) and not snapshotted. */
const MAX_SNAPSHOT_BYTES = 4 * 1024 * 1024;

/** A `fetch` that keeps the last raw body of each snapshot path; everything else passes through untouched. */
export function tappingFetch(bodies: Map<string, string>, inner: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    const res = await inner(input, init);
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const path = SNAPSHOT_PATHS.find((p) => new URL(url).pathname.endsWith(p));
    const length = Number(res.headers.get("content-length") ?? Number.NaN);
    if (path === undefined || res.status !== 200 || !(length <= MAX_SNAPSHOT_BYTES)) return res;
    const text = await res.text();
    bodies.set(path, text);
    return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

export class SnapshotPoller {
  readonly #client: DashboardClient;
  readonly #bodies: Map<string, string>;
  readonly #store: Pick<HistoryStore, "snapshot">;
  readonly #everyMs: number;
  readonly #abort = new AbortController();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The change key of the last snapshot stored per path (see snapshotChangeKey). */
  readonly #lastKey = new Map<string, string>();
  /** Resolves when the poll in flight (if any) has ended. */
  #running: Promise<void> = Promise.resolve();

  constructor(client: DashboardClient, bodies: Map<string, string>, store: Pick<HistoryStore, "snapshot">, everyMs: number) {
    this.#client = client;
    this.#bodies = bodies;
    this.#store = store;
    this.#everyMs = everyMs;
  }

  start(): void {
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** One round: the three paths in turn. A failure skips that path this round (ductor down: the stream says so). */
  async poll(): Promise<void> {
    const opts: RequestOptions = { signal: this.#abort.signal, maxRetries: 0, timeoutMs: 5_000 };
    const calls: Record<SnapshotPath, () => Promise<unknown>> = {
      "/dashboard/status": () => this.#client.status(opts),
      "/dashboard/sessions": () => this.#client.sessions(opts),
      "/dashboard/tasks": () => this.#client.tasks(opts),
    };
    for (const path of SNAPSHOT_PATHS) {
      if (this.#abort.signal.aborted) return;
      this.#bodies.delete(path);
      try {
        await calls[path]();
      } catch {
        continue;
      }
      const body = this.#bodies.get(path);
      if (body === undefined) continue;
      const key = snapshotChangeKey(path, body);
      if (this.#lastKey.get(path) === key) continue;
      this.#lastKey.set(path, key);
      this.#store.snapshot(path, body, Date.now());
    }
  }

  #schedule(ms: number): void {
    if (this.#abort.signal.aborted) return;
    this.#timer = setTimeout(() => {
      this.#running = this.poll()
        .catch(() => undefined)
        .then(() => this.#schedule(this.#everyMs));
    }, ms);
    this.#timer.unref();
  }
}
