/**
 * Which `upstream` row (if any) the relay records when its link to ductor changes. Pure. The rows make a gap
 * in history explicit: between "disconnected" and the next "connected", ductor's events were not received.
 * One row per change: a reconnect loop of twenty failed attempts is one outage, one "disconnected".
 */
export type LinkRow = "connected" | "disconnected" | "refused";

export type LinkSignal =
  /** ductor's `{"type":"ping"}` arrived: authenticated and live. */
  | "open"
  /** The link dropped, or an attempt failed, and the client will retry. */
  | "reconnecting"
  /** Close 1008: ductor refused the token; the client stops for good. */
  | "refused"
  /** The relay itself is stopping. */
  | "stopping";

/** `last`: the last row recorded by this relay process (undefined before the first). */
export function lifecycleRow(last: LinkRow | undefined, signal: LinkSignal): LinkRow | undefined {
  switch (signal) {
    case "open":
      return last === "connected" ? undefined : "connected";
    case "reconnecting":
      // The first failure at start counts too: history then says ductor was not reachable from the beginning.
      return last === "disconnected" || last === "refused" ? undefined : "disconnected";
    case "refused":
      return last === "refused" ? undefined : "refused";
    case "stopping":
      return last === "connected" ? "disconnected" : undefined;
  }
}
