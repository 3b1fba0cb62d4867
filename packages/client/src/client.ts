import WebSocketImpl from "isomorphic-ws";
import { joinUrl, type RequestConfig, type RequestOptions } from "./core/request.js";
import { checkByteLimit } from "./internal/bytes.js";
import { getHealth, type Health } from "./resources/health.js";
import {
  historyExport,
  historyPage,
  historySearch,
  historyUsage,
  type HistoryExportOptions,
  type HistoryPage,
  type HistoryPageOptions,
  type HistoryPosition,
  type HistorySearchOptions,
  type HistoryUsageOptions,
  type SearchHit,
  type UsageSample,
} from "./resources/history.js";
import { listLogs, readLog, type LogChunk, type LogFileList, type LogReadOptions } from "./resources/logs.js";
import { listServers, serverBaseUrl, type RelayServer } from "./resources/servers.js";
import { getSessions, type SessionList } from "./resources/sessions.js";
import { getStatus, type Status } from "./resources/status.js";
import { getTasks, type TaskList } from "./resources/tasks.js";
import type { WebSocketConstructor } from "./stream/socket.js";
import { DashboardStream } from "./stream/stream.js";
import type { StreamOptions } from "./stream/types.js";

export interface DashboardClientOptions {
  /** `http://host:8741`, or a same-origin proxy prefix (a relative URL works in browsers). */
  baseUrl: string;
  /**
   * One ductor behind a relay that serves several (`ductor-dashboard serve --ductor home=URL --ductor work=URL`):
   * its name. Every call then goes to `<baseUrl>/s/<name>/`, with that ductor's own token. `servers()` lists
   * the names. Leave it out for ductor itself or a single-ductor relay.
   */
  server?: string;
  /** ductor's `api.token`. ASCII only: ductor answers a non-ASCII token with 500, so it is refused here. */
  token?: string;
  /** Default: the platform `fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Default: `isomorphic-ws` (ws in Node, the global WebSocket in browsers). */
  WebSocket?: WebSocketConstructor;
  /** Per attempt. Default 10 000. */
  timeoutMs?: number;
  /** Retries for ConnectionError and 5xx. Default 2. */
  maxRetries?: number;
  /** Retry backoff floor, ms. Default 250. (Same formula as the stream: uniform in [min, min(max, min·2^n)].) */
  retryMinDelayMs?: number;
  /** Retry backoff ceiling, ms. Default 4 000. */
  retryMaxDelayMs?: number;
  /**
   * Cap on a response body, in bytes; past it the body is cancelled and the call fails with
   * ResponseTooLargeError (not retried). Also per call. Default 16 MiB: ductor's JSON answers are far
   * smaller and agent.log rotates at 5 MiB; read larger files by `range`/`tail`. `Infinity` turns it off.
   */
  maxBodyBytes?: number;
  /** Jitter source for retries, for tests. Default Math.random. */
  random?: () => number;
}

/** 16 MiB: see DashboardClientOptions.maxBodyBytes. */
const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** The log endpoints, grouped like ductor's routes (`/dashboard/logs`, `/dashboard/logs/{name}`). */
export interface LogsResource {
  /** Every file in ductor's logs folder, newest first. */
  list(options?: RequestOptions): Promise<LogFileList>;
  /** A log file, whole, by `range` or by `tail`. */
  read(name: string, options?: LogReadOptions): Promise<LogChunk>;
}

/**
 * The history of a relay (`ductor-dashboard serve --ductor URL`): plain ductor has none and answers 404
 * (NotFoundError). `stream.relay` (non-null once the stream is open) says whether the server is a relay.
 */
export interface HistoryResource {
  /** A page of events just before or just after a seq, ascending, with the relay's `oldest` and `head` now. */
  page(position: HistoryPosition, options?: HistoryPageOptions): Promise<HistoryPage>;
  /** Full-text search over the stored text, newest first. A query the relay cannot run: BadRequestError with its message. */
  search(query: string, options?: HistorySearchOptions): Promise<SearchHit[]>;
  /** A range of seqs as text: `jsonl` (a mock-server recording) or `md` (a transcript). */
  export(options: HistoryExportOptions): Promise<string>;
  /** Cost and tokens as they went up between the relay's sessions snapshots in `(from, to]`, ascending by time. */
  usage(options?: HistoryUsageOptions): Promise<UsageSample[]>;
}

/**
 * Typed access to ductor's dashboard API. Every REST call is a GET that takes
 * `{ signal?, timeoutMs?, maxRetries?, maxBodyBytes? }`, returns values checked and normalised at this edge, and
 * fails with a class from the DashboardError tree.
 */
export class DashboardClient {
  /** Where calls go: the `baseUrl` given, or with `server`, that ductor's base behind the relay. */
  readonly baseUrl: string;
  /** The relay's server name given, if any. */
  readonly server: string | undefined;
  /** The `baseUrl` given: the relay's root when `server` is set. */
  readonly #relayBase: string;
  readonly logs: LogsResource;
  readonly history: HistoryResource;
  // Private fields keep the token out of console.log / structured clones of the client.
  readonly #config: RequestConfig;
  readonly #WebSocket: WebSocketConstructor;

  constructor(options: DashboardClientOptions) {
    const token = options.token ?? "";
    if (!/^[\x21-\x7e]*$/.test(token)) {
      throw new TypeError("DashboardClient: the token must be printable ASCII (ductor answers others with 500)");
    }
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== "function") throw new TypeError("DashboardClient: no fetch available; pass options.fetch");
    // Validate the base URL now rather than on the first call.
    joinUrl(options.baseUrl, "/");
    this.#relayBase = options.baseUrl;
    this.server = options.server;
    this.baseUrl = options.server === undefined ? options.baseUrl : serverBaseUrl(options.baseUrl, options.server);
    this.#config = {
      baseUrl: this.baseUrl,
      token,
      // Bound so that a browser's window.fetch is never called with the config as `this`.
      fetch: (input, init) => fetchImpl(input, init),
      timeoutMs: options.timeoutMs ?? 10_000,
      maxRetries: options.maxRetries ?? 2,
      retryMinDelayMs: options.retryMinDelayMs ?? 250,
      retryMaxDelayMs: options.retryMaxDelayMs ?? 4_000,
      maxBodyBytes: checkByteLimit(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, "DashboardClient: maxBodyBytes"),
      random: options.random ?? Math.random,
    };
    this.#WebSocket = options.WebSocket ?? (WebSocketImpl as unknown as WebSocketConstructor);
    const config = this.#config;
    this.logs = {
      list: (opts) => listLogs(config, opts),
      read: (name, opts) => readLog(config, name, opts),
    };
    this.history = {
      page: (position, opts) => historyPage(config, position, opts),
      search: (query, opts) => historySearch(config, query, opts),
      export: (opts) => historyExport(config, opts),
      usage: (opts) => historyUsage(config, opts),
    };
  }

  /**
   * `GET /dashboard/servers` on a relay (no auth): the ductors it serves, by name. The relay's root is asked
   * even when this client talks to one `server`. A plain ductor answers 404: NotFoundError.
   */
  servers(options?: RequestOptions): Promise<RelayServer[]> {
    return listServers(this.#config, this.#relayBase, options);
  }

  /** `GET /health` (no auth). */
  health(options?: RequestOptions): Promise<Health> {
    return getHealth(this.#config, options);
  }

  /** `GET /dashboard/status`, with provider and model un-swapped. */
  status(options?: RequestOptions): Promise<Status> {
    return getStatus(this.#config, options);
  }

  /** `GET /dashboard/sessions` as a list, newest `lastActive` first; unreadable entries in `.skipped`. */
  sessions(options?: RequestOptions): Promise<SessionList> {
    return getSessions(this.#config, options);
  }

  /** `GET /dashboard/tasks`: background tasks in flight; unreadable entries in `.skipped`. */
  tasks(options?: RequestOptions): Promise<TaskList> {
    return getTasks(this.#config, options);
  }

  /** Opens the live event stream (`/dashboard/stream`), reconnecting until closed, aborted, or refused with 1008. */
  stream(options?: StreamOptions): DashboardStream {
    const url = new URL(joinUrl(this.#config.baseUrl, "/dashboard/stream"));
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.search = `?token=${encodeURIComponent(this.#config.token)}`;
    return new DashboardStream(
      {
        url: url.toString(),
        WebSocket: this.#WebSocket,
        // Cheap and unauthenticated; one attempt with a short timeout, since the answer is what we want to know.
        probe: (signal) => getHealth(this.#config, { signal, timeoutMs: 5_000, maxRetries: 0 }),
      },
      options,
    );
  }
}
