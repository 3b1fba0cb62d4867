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

/** A typed client error in plain words. */
export function describeError(err: unknown): string {
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
