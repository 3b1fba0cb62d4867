import { AbortError } from "../errors.js";

/**
 * Makes `child` abort when `parent` does, and returns a function that undoes the link.
 * Hand-rolled instead of AbortSignal.any so the listener is removed as soon as a request ends:
 * a long-lived caller signal (one per page) would otherwise collect a listener per request.
 */
export function linkAbort(parent: AbortSignal | undefined, child: AbortController): () => void {
  if (!parent) return noop;
  if (parent.aborted) {
    child.abort(parent.reason);
    return noop;
  }
  const onAbort = () => child.abort(parent.reason);
  parent.addEventListener("abort", onAbort, { once: true });
  return () => parent.removeEventListener("abort", onAbort);
}

export function abortErrorFrom(signal: AbortSignal): AbortError {
  const reason: unknown = signal.reason;
  if (reason instanceof AbortError) return reason;
  return new AbortError(undefined, { cause: reason });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortErrorFrom(signal);
}

export function noop(): void {}
