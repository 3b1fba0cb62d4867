/**
 * Fault injection: the ways a real link to ductor misbehaves (drops, stale sockets, garbage frames,
 * slow or failing HTTP behind a proxy), so clients can be tested against them on purpose.
 */

export type MalformedKind = "not-json" | "binary" | "unknown-type" | "missing-data" | "data-not-string";

export const MALFORMED_KINDS: readonly MalformedKind[] = [
  "not-json",
  "binary",
  "unknown-type",
  "missing-data",
  "data-not-string",
];

export interface Faults {
  /** Terminate (1006) each stream socket after it has been sent N events. */
  dropAfterEvents?: number;
  /** Terminate each stream socket T ms after it was opened (so a reconnecting client is dropped every T ms). */
  dropEveryMs?: number;
  /** Drop with a Close frame of this code instead of terminating (1006 still means terminate). */
  dropCloseCode?: number;
  /** Frames injected into the stream (round-robin). */
  malformed?: MalformedKind[];
  /** Inject one of `malformed` after every N events (per socket). */
  malformedEvery?: number;
  /** Delay every HTTP response by this many ms. */
  httpDelayMs?: number;
  /** Answer every /dashboard/* request (after auth; stream upgrades included) with this status. */
  httpStatus?: number;
  /** With httpStatus: an HTML page (like a proxy) instead of ductor's JSON/text body. */
  htmlErrors?: boolean;
  /** Stale link: no protocol pings, no pongs, no events; the socket stays open. */
  noPing?: boolean;
}

/** Reject nonsense early, with a message naming the field, instead of failing on the wire later. */
export function validateFaults(faults: Faults): Faults {
  const nonNegInt = (name: keyof Faults, v: unknown) => {
    if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < 0)) {
      throw new TypeError(`faults.${name} must be a non-negative integer, got ${String(v)}`);
    }
  };
  nonNegInt("dropAfterEvents", faults.dropAfterEvents);
  nonNegInt("dropEveryMs", faults.dropEveryMs);
  nonNegInt("malformedEvery", faults.malformedEvery);
  nonNegInt("httpDelayMs", faults.httpDelayMs);
  if (faults.dropCloseCode !== undefined && !isSendableCloseCode(faults.dropCloseCode)) {
    throw new TypeError(`faults.dropCloseCode ${faults.dropCloseCode} cannot be sent in a Close frame`);
  }
  if (faults.httpStatus !== undefined && !(Number.isInteger(faults.httpStatus) && faults.httpStatus >= 200 && faults.httpStatus <= 599)) {
    throw new TypeError(`faults.httpStatus must be an HTTP status (200-599), got ${faults.httpStatus}`);
  }
  for (const kind of faults.malformed ?? []) {
    if (!MALFORMED_KINDS.includes(kind)) {
      throw new TypeError(`faults.malformed: unknown kind "${kind}" (known: ${MALFORMED_KINDS.join(", ")})`);
    }
  }
  return { ...faults, malformed: faults.malformed ? [...faults.malformed] : undefined };
}

/** Codes a Close frame may carry (RFC 6455 §7.4); 1006 is accepted and means "terminate". */
export function isSendableCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (code === 1006) return true;
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005) || (code >= 3000 && code <= 4999);
}

/** The frame a malformed kind injects: a string is sent as a text frame, a Uint8Array as binary. */
export function malformedFrame(kind: MalformedKind): string | Uint8Array {
  switch (kind) {
    case "not-json":
      return '{"type": "text_delta", "data": "cut off';
    case "binary":
      return new TextEncoder().encode('{"type": "text_delta", "data": "binary frame"}');
    case "unknown-type":
      return '{"type": "mystery_event", "data": "from a newer ductor"}';
    case "missing-data":
      return '{"type": "text_delta"}';
    case "data-not-string":
      return '{"type": "text_delta", "data": 42}';
  }
}
