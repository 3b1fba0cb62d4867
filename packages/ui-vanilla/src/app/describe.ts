import {
  APIError,
  AbortError,
  AuthenticationError,
  ConnectionError,
  InternalServerError,
  NotFoundError,
  ProtocolError,
  ServiceUnavailableError,
  TimeoutError,
} from "@ductor/dashboard-client";

/**
 * The reason a server gave with an error status, when it said one in words: ductor's `{"error": "…"}` or a
 * short plain-text body. Not an HTML page (a proxy's), and not ductor's bare status words, which the
 * description already says.
 */
function serverReason(err: APIError): string | null {
  const { body } = err;
  let reason: string | null = null;
  if (body && typeof body === "object" && typeof (body as { error?: unknown }).error === "string")
    reason = (body as { error: string }).error;
  else if (typeof body === "string" && !/^\s*</.test(body)) reason = body;
  if (!reason) return null;
  reason = reason.replace(/\s+/g, " ").trim();
  if (!reason || /^(\d{3}:? )?(unauthorized|not found|service unavailable|internal server error)$/i.test(reason)) return null;
  return reason.length > 160 ? `${reason.slice(0, 159)}…` : reason;
}

/** A typed client error in plain words, with the server's own reason when it gave one. */
export function describeError(err: unknown): string {
  const base = describeBase(err);
  const reason = err instanceof APIError ? serverReason(err) : null;
  return reason ? `${base} The server said: “${reason}”.` : base;
}

function describeBase(err: unknown): string {
  if (err instanceof AuthenticationError) return "The server refused the token (401 unauthorized).";
  if (err instanceof TimeoutError) return "The server did not answer in time.";
  if (err instanceof ConnectionError) return "Could not reach the server (connection failed).";
  if (err instanceof NotFoundError) return "Not found (404): is this a ductor server with the dashboard API enabled?";
  if (err instanceof ServiceUnavailableError) return "The server said it is unavailable (503).";
  if (err instanceof InternalServerError && (err.status === 502 || err.status === 504)) {
    return `ductor did not answer the dashboard's proxy (${err.status}); is ductor running?`;
  }
  if (err instanceof InternalServerError) return `The server failed (${err.status}); it may be busy or rotating files.`;
  if (err instanceof APIError) return `The server answered ${err.status}.`;
  if (err instanceof ProtocolError) return "The server sent something unexpected (not the documented format).";
  if (err instanceof AbortError) return "The request was cancelled.";
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

export function isAuthError(err: unknown): boolean {
  return err instanceof AuthenticationError;
}

export function isAbort(err: unknown): boolean {
  return err instanceof AbortError || (err instanceof Error && err.name === "AbortError");
}
