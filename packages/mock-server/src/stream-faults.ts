/**
 * The per-event stream faults as a wrapper around "send one event to one socket": after every Nth
 * event a malformed frame (round-robin), and the drop after N events. The hub keeps the faults that
 * are about time, not events (`dropEveryMs`'s timer, `noPing`'s silence).
 */
import { malformedFrame, type Faults } from "./faults.js";

export type Frame = string | Uint8Array;

/** What the wrapper counts per socket. */
export interface EventCounters {
  /** Events sent on this socket (injected frames and the auth ping are not events). */
  events: number;
  /** Index into `faults.malformed` of the next frame to inject. */
  malformedNext: number;
}

export interface EventFaultHooks<C> {
  /** Sends any frame on the socket (events and injected frames alike). */
  send(conn: C, frame: Frame): void;
  /** Drops the socket: terminate without a code (or 1006), else a Close frame with it. */
  drop(conn: C, code: number | undefined): void;
}

export function withEventFaults<C extends EventCounters>(faults: () => Faults, hooks: EventFaultHooks<C>): (conn: C, event: Frame) => void {
  return (conn, event) => {
    hooks.send(conn, event);
    conn.events++;
    const { malformed, malformedEvery, dropAfterEvents, dropCloseCode } = faults();
    if (malformed?.length && malformedEvery && conn.events % malformedEvery === 0) {
      const kind = malformed[conn.malformedNext++ % malformed.length];
      if (kind) hooks.send(conn, malformedFrame(kind));
    }
    if (dropAfterEvents !== undefined && conn.events >= dropAfterEvents) hooks.drop(conn, dropCloseCode);
  };
}
