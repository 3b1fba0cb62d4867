import { formatBytes } from "./internal/bytes.js";
import type { StreamEventType } from "./stream/types.js";

/**
 * The whole error tree in one place, so `instanceof` is the only thing callers need:
 *
 * DashboardError
 * ├── APIError { status, body, headers }      the server answered with a non-2xx status
 * │   ├── BadRequestError            400
 * │   ├── AuthenticationError        401      (also: stream closed with 1008)
 * │   ├── NotFoundError              404
 * │   ├── RangeNotSatisfiableError   416 { totalSize }
 * │   ├── ServiceUnavailableError    503
 * │   └── InternalServerError        other 5xx
 * ├── ConnectionError                no usable answer (DNS, refused, reset, body cut off)
 * │   └── TimeoutError
 * ├── AbortError                     the caller's AbortSignal fired
 * ├── ListenerError { eventType }    a stream listener threw (reported as an `error` event; cause = the throw)
 * └── ProtocolError { snippet }      a 2xx answer that is not what the endpoint promises
 *     ├── ResponseTooLargeError { limitBytes }   a 2xx body over `maxBodyBytes` (cancelled there)
 *     └── FrameTooLargeError { limitBytes }      a stream frame over `maxFrameBytes`
 *
 * Each class sets `name` from a string literal rather than `new.target.name`, because minifiers
 * rename classes and the name is what ends up in logs.
 */

export class DashboardError extends Error {
  override name = "DashboardError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The server answered with a status outside 2xx. `body` is parsed JSON when the response said JSON, else text. */
export class APIError extends DashboardError {
  override name = "APIError";
  readonly status: number;
  readonly body: unknown;
  readonly headers: Headers;

  constructor(status: number, body: unknown, headers: Headers, message?: string) {
    super(message ?? APIError.describe(status, body));
    this.status = status;
    this.body = body;
    this.headers = headers;
  }

  /** Picks the subclass for a status. Bodies are ductor's `{"error": "..."}` JSON or a text/HTML page. */
  static from(status: number, body: unknown, headers: Headers, message?: string): APIError {
    switch (status) {
      case 400:
        return new BadRequestError(status, body, headers, message);
      case 401:
        return new AuthenticationError(status, body, headers, message);
      case 404:
        return new NotFoundError(status, body, headers, message);
      case 416:
        return new RangeNotSatisfiableError(status, body, headers, message);
      case 503:
        return new ServiceUnavailableError(status, body, headers, message);
    }
    if (status >= 500) return new InternalServerError(status, body, headers, message);
    return new APIError(status, body, headers, message);
  }

  private static describe(status: number, body: unknown): string {
    if (typeof body === "string") return `${status} ${snippetOf(body) || "(empty body)"}`;
    if (body && typeof body === "object" && typeof (body as { error?: unknown }).error === "string") {
      return `${status} ${(body as { error: string }).error}`;
    }
    return body === undefined ? `${status} (no body)` : `${status} ${snippetOf(quoteJson(body))}`;
  }
}

export class BadRequestError extends APIError {
  override name = "BadRequestError";
}

export class AuthenticationError extends APIError {
  override name = "AuthenticationError";
}

export class NotFoundError extends APIError {
  override name = "NotFoundError";
}

/** 416: the requested byte range starts past the end of the file. `totalSize` is the file's size now (NaN if unknown). */
export class RangeNotSatisfiableError extends APIError {
  override name = "RangeNotSatisfiableError";
  readonly totalSize: number;
  constructor(status: number, body: unknown, headers: Headers, message?: string) {
    super(status, body, headers, message);
    // aiohttp sends `Content-Range: bytes */<size>` with a 416; a smaller size than last seen means rotation.
    const m = /^bytes \*\/(\d+)$/.exec(headers.get("content-range")?.trim() ?? "");
    this.totalSize = m ? Number(m[1]) : Number.NaN;
  }
}

export class ServiceUnavailableError extends APIError {
  override name = "ServiceUnavailableError";
}

export class InternalServerError extends APIError {
  override name = "InternalServerError";
}

/** No usable response: the connection failed, was reset, or the body was cut off. Retried by GETs. */
export class ConnectionError extends DashboardError {
  override name = "ConnectionError";
  constructor(message = "Connection error.", options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class TimeoutError extends ConnectionError {
  override name = "TimeoutError";
  constructor(message = "Request timed out.", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The caller's AbortSignal fired. `cause` holds the signal's reason. Never retried. */
export class AbortError extends DashboardError {
  override name = "AbortError";
  constructor(message = "Request was aborted.", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A stream listener threw. The stream reports it as an `error` event and goes on: a bug in one
 * listener must cost neither the process (an uncaught throw ends Node) nor the stream its later frames.
 */
export class ListenerError extends DashboardError {
  override name = "ListenerError";
  /** The event the listener was called for. */
  readonly eventType: StreamEventType;
  constructor(eventType: StreamEventType, thrown: unknown) {
    super(`stream: a "${eventType}" listener threw: ${describeThrown(thrown)}`, { cause: thrown });
    this.eventType = eventType;
  }
}

function describeThrown(thrown: unknown): string {
  try {
    return thrown instanceof Error ? thrown.message : String(thrown);
  } catch {
    return "(a value that cannot be printed)";
  }
}

/** A successful answer (or a stream frame) whose content breaks the protocol. `snippet` holds its first bytes. */
export class ProtocolError extends DashboardError {
  override name = "ProtocolError";
  readonly snippet: string;
  constructor(message: string, snippet: string, options?: { cause?: unknown }) {
    super(snippet ? `${message}: ${snippetOf(snippet)}` : message, options);
    this.snippet = snippetOf(snippet);
  }
}

/**
 * A successful answer whose body is larger than `maxBodyBytes`. Reading stopped at the cap (or before
 * reading, when Content-Length said so) and the body was cancelled. Not retried: the next answer would
 * be as large. Raise the cap for the call (`{ maxBodyBytes }`) or read a log by range.
 */
export class ResponseTooLargeError extends ProtocolError {
  override name = "ResponseTooLargeError";
  /** The cap that was crossed, in bytes. */
  readonly limitBytes: number;
  /**
   * @param what the request, e.g. `GET /dashboard/sessions`
   * @param declaredBytes the Content-Length, when that is what gave it away
   */
  constructor(what: string, limitBytes: number, declaredBytes?: number) {
    super(
      declaredBytes === undefined
        ? `${what}: response body exceeded the ${formatBytes(limitBytes)} cap (maxBodyBytes)`
        : `${what}: response body of ${formatBytes(declaredBytes)} (Content-Length) exceeds the ${formatBytes(limitBytes)} cap (maxBodyBytes)`,
      "",
    );
    this.limitBytes = limitBytes;
  }
}

/**
 * A stream frame larger than `maxFrameBytes`. In Node the socket refuses it while reading (ws closes
 * with 1009) and the stream reconnects; where the frame was already received (browsers) it is skipped
 * and the stream goes on.
 */
export class FrameTooLargeError extends ProtocolError {
  override name = "FrameTooLargeError";
  /** The cap that was crossed, in bytes. */
  readonly limitBytes: number;
  constructor(limitBytes: number, options?: { cause?: unknown }) {
    super(`stream: a frame exceeded the ${formatBytes(limitBytes)} cap (maxFrameBytes)`, "", options);
    this.limitBytes = limitBytes;
  }
}

/** First ~200 characters with runs of whitespace collapsed, so an HTML error page reads as one line. */
function snippetOf(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/**
 * A value as JSON, for a message. JSON.parse takes any depth, but JSON.stringify (and String) recurse:
 * a hostile 100k-level body would turn the error being built into a RangeError, so depth is caught here.
 */
export function quoteJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Array.isArray(value) ? "[… too deeply nested to quote]" : "{… too deeply nested to quote}";
  }
}
