import { APIError, AbortError, ConnectionError, DashboardError, ProtocolError, TimeoutError } from "../errors.js";
import { abortErrorFrom, linkAbort, throwIfAborted } from "../internal/abort.js";
import { isJsonContentType } from "../internal/content-type.js";
import { checkByteLimit } from "../internal/bytes.js";
import { sleep } from "../internal/sleep.js";
import { decodeLenient } from "../internal/utf8.js";
import { backoffDelay } from "../internal/backoff.js";
import { readBody } from "./body.js";

/** Per-call options every REST method takes. */
export interface RequestOptions {
  /** Aborting rejects the call with AbortError promptly, also while it waits to retry. */
  signal?: AbortSignal;
  /** Per attempt, covering headers and body. Defaults to the client's `timeoutMs`. */
  timeoutMs?: number;
  /** Retries after a ConnectionError (incl. timeout) or a 5xx. Defaults to the client's `maxRetries`. */
  maxRetries?: number;
  /** Cap on the response body, in bytes (ResponseTooLargeError past it). Defaults to the client's `maxBodyBytes`. */
  maxBodyBytes?: number;
}

/** What the pipeline needs from the client; resolved once in the DashboardClient constructor. */
export interface RequestConfig {
  baseUrl: string;
  token: string;
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  maxRetries: number;
  retryMinDelayMs: number;
  retryMaxDelayMs: number;
  maxBodyBytes: number;
  random: () => number;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
}

export interface GetInit {
  headers?: Record<string, string>;
  /** Send the Bearer token (false for /health, which needs none). */
  auth?: boolean;
}

/** Joins a root-relative API path onto the base URL, keeping any path prefix a proxy puts in front. */
export function joinUrl(baseUrl: string, path: string): string {
  const base = new URL(baseUrl, (globalThis as { location?: { href: string } }).location?.href);
  if (!base.pathname.endsWith("/")) base.pathname += "/";
  return new URL(path.replace(/^\/+/, ""), base).toString();
}

/**
 * The single GET pipeline: one attempt at a time, each under its own timeout, linked to the
 * caller's signal; ConnectionError and 5xx are retried with capped, jittered backoff; 4xx and the
 * caller's abort never are. Resolves only for 2xx; everything else is a typed error.
 */
export async function get(config: RequestConfig, path: string, options: RequestOptions = {}, init: GetInit = {}): Promise<RawResponse> {
  const url = joinUrl(config.baseUrl, path);
  const maxRetries = Math.max(0, options.maxRetries ?? config.maxRetries);
  const timeoutMs = options.timeoutMs ?? config.timeoutMs;
  const maxBodyBytes = options.maxBodyBytes === undefined ? config.maxBodyBytes : checkByteLimit(options.maxBodyBytes, "maxBodyBytes");
  const what = `GET ${path}`;
  const headers: Record<string, string> = { ...init.headers };
  if (init.auth !== false) headers.Authorization = `Bearer ${config.token}`;

  for (let retry = 0; ; retry++) {
    throwIfAborted(options.signal);
    try {
      return await attempt(config.fetch, url, headers, { timeoutMs, maxBodyBytes, what }, options.signal);
    } catch (error) {
      if (options.signal?.aborted) throw abortErrorFrom(options.signal);
      if (retry >= maxRetries || !isRetryable(error)) throw error;
      const delay =
        retryAfterMs(error, config.retryMaxDelayMs) ??
        backoffDelay(retry + 1, { minDelayMs: config.retryMinDelayMs, maxDelayMs: config.retryMaxDelayMs }, config.random);
      await sleep(delay, options.signal);
    }
  }
}

interface AttemptLimits {
  timeoutMs: number;
  maxBodyBytes: number;
  /** `GET /path`, for messages. */
  what: string;
}

async function attempt(
  fetchImpl: typeof globalThis.fetch,
  url: string,
  headers: Record<string, string>,
  { timeoutMs, maxBodyBytes, what }: AttemptLimits,
  callerSignal: AbortSignal | undefined,
): Promise<RawResponse> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new TimeoutError(`Request timed out after ${timeoutMs} ms.`));
  }, timeoutMs);
  const unlink = linkAbort(callerSignal, controller);
  let response: Response;
  let bytes: Uint8Array;
  try {
    response = await fetchImpl(url, { method: "GET", headers, signal: controller.signal });
    // The body is read under the same timeout: a server that stalls mid-body is as dead as one that never answers.
    const ok = response.status >= 200 && response.status < 300;
    bytes = await readBody(response, maxBodyBytes, ok ? "refuse" : "truncate", what);
  } catch (cause) {
    if (callerSignal?.aborted) throw abortErrorFrom(callerSignal);
    if (timedOut) throw new TimeoutError(`Request timed out after ${timeoutMs} ms.`, { cause });
    if (cause instanceof DashboardError) throw cause;
    throw new ConnectionError(`Connection error: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  } finally {
    clearTimeout(timer);
    unlink();
  }
  const { status, headers: responseHeaders } = response;
  if (status >= 200 && status < 300) return { status, headers: responseHeaders, bytes };
  throw APIError.from(status, parseErrorBody(responseHeaders, bytes), responseHeaders);
}

function isRetryable(error: unknown): boolean {
  if (error instanceof AbortError) return false;
  if (error instanceof ConnectionError) return true;
  return error instanceof APIError && error.status >= 500;
}

/** A 503 from a proxy may say when to come back; honoured when it is within our own cap. */
function retryAfterMs(error: unknown, capMs: number): number | undefined {
  if (!(error instanceof APIError)) return undefined;
  const header = error.headers.get("retry-after");
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) && ms >= 0 && ms <= capMs ? ms : undefined;
}

/** ductor's own errors are `{"error": "..."}` JSON; framework and proxy errors are text or HTML pages. */
function parseErrorBody(headers: Headers, bytes: Uint8Array): unknown {
  if (bytes.length === 0) return undefined;
  const text = decodeLenient(bytes);
  if (isJsonContentType(headers.get("content-type"))) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // A JSON label on a broken body: keep the text so the message still shows what came back.
    }
  }
  return text;
}

/**
 * A 2xx body as JSON. Parsed only when labelled JSON: a proxy's login page or a captive portal
 * answers 200 text/html, and must not be mistaken for data.
 */
function parseJsonBody(response: RawResponse, what: string): unknown {
  const text = decodeLenient(response.bytes);
  const contentType = response.headers.get("content-type");
  if (!isJsonContentType(contentType)) {
    throw new ProtocolError(`${what}: expected JSON, got ${contentType ?? "no content type"}`, text);
  }
  if (text.trim() === "") throw new ProtocolError(`${what}: empty body`, "");
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ProtocolError(`${what}: invalid or truncated JSON`, text, { cause });
  }
}

/** GET + JSON parse, the common case for every endpoint but the log file. */
export async function getJson(config: RequestConfig, path: string, options?: RequestOptions, init?: GetInit): Promise<unknown> {
  return parseJsonBody(
    await get(config, path, options, { ...init, headers: { Accept: "application/json", ...init?.headers } }),
    `GET ${path}`,
  );
}
