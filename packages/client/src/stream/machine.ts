import { AuthenticationError, type DashboardError } from "../errors.js";
import { backoffDelay } from "../internal/backoff.js";
import type { RelayInfo } from "./events.js";
import type { OpenEvent, ReconnectingEvent, StreamEventMap, StreamState } from "./types.js";

// The connection state machine, pure: `transition(state, event)` returns the next state and the effects to
// run, in order. No socket, timer or clock: times come in on the events, jitter from the injected `random`.
// stream.ts runs the effects; data frames never come through here (they change no state). Resuming from a
// relay is split the same way: whether the next connection asks to resume is decided here (`connect.resume`);
// the last seq delivered is data-path state kept by the shell, which builds the URL from it.

export interface MachineState {
  readonly phase: StreamState;
  /** Consecutive failed connections, from 1; reset only by the stable timer. */
  readonly attempt: number;
  /** Connections that delivered the auth ping (the number in `open`). */
  readonly connections: number;
  /** A socket is current: from `connect` until it ends or is dropped. */
  readonly socket: boolean;
  /** The reconnect timer is pending (the backoff wait). */
  readonly waiting: boolean;
  /** What the last connection that delivered its ping said about the relay; `null`: plain ductor (or none yet). */
  readonly relay: RelayInfo | null;
}

export interface MachineConfig {
  minDelayMs: number;
  maxDelayMs: number;
  stableAfterMs: number;
  random: () => number;
}

export const initialState: MachineState = { phase: "connecting", attempt: 0, connections: 0, socket: false, waiting: false, relay: null };

export type MachineEvent =
  | { type: "start" }
  /** The platform refused to open a socket for the URL. */
  | { type: "connect-failed"; error: DashboardError }
  /**
   * `{"type":"ping"}` arrived: the only proof that the token was accepted. `relay`: what a relay's ping said
   * (absent or null: plain ductor); `since`: what this connection's URL asked to resume after, if anything.
   */
  | { type: "auth-ping"; now: number; relay?: RelayInfo | null | undefined; since?: number | undefined }
  /** The stable timer fired. */
  | { type: "stable" }
  /** The current socket closed (by the server, a drop, or ws itself). */
  | { type: "socket-ended"; code: number; reason: string; error?: DashboardError | undefined; now: number }
  /** Liveness gave up on a socket that still looks open (connect timeout, stale, probe failed, offline). */
  | { type: "abandon"; reason: string; error: DashboardError; now: number }
  /** The reconnect timer fired. */
  | { type: "retry-due" }
  /** The browser came back online or the tab became visible: skip the rest of the backoff wait. */
  | { type: "wake" }
  /** `close()`, abort, a loop left early, 1008, an unusable URL: over for good. */
  | { type: "close"; code: number; reason: string; error?: DashboardError | undefined };

type Emit = { [K in "open" | "reconnecting" | "error"]: { type: "emit"; name: K; event: StreamEventMap[K] } }[
  | "open"
  | "reconnecting"
  | "error"];
type Timer = "retry" | "stable";
export type Effect =
  /**
   * Open a socket and watch it with the connect timeout (on failure, feed back `connect-failed`). `resume`:
   * ask to resume after the last seq delivered, if there is one (a relay, or no server heard from yet).
   */
  | { type: "connect"; resume: boolean }
  /** The connection is authenticated: watch it with the open-phase liveness limits. */
  | { type: "watch-open" }
  /** Clear the stable timer, stop watching the socket, detach from it and close it (`kill`: destroy at once). */
  | { type: "drop"; kill: boolean }
  | { type: "set-timer"; timer: Timer; ms: number }
  | { type: "clear-timer"; timer: Timer }
  | Emit
  /** Over for good: end the loops with `error`, emit `close`, forget the listeners and global hooks. */
  | { type: "end"; code: number; reason: string; error?: DashboardError | undefined }
  /**
   * Feed `event` back in, after the effects before it have run. Used where a listener of an effect before it
   * may itself close the stream (1008's `error`): then that close wins, as a listener would expect.
   */
  | { type: "then"; event: MachineEvent };

export interface Transition {
  state: MachineState;
  effects: Effect[];
}

const none = (state: MachineState): Transition => ({ state, effects: [] });

export function transition(state: MachineState, event: MachineEvent, config: MachineConfig): Transition {
  if (state.phase === "closed") return none(state);
  switch (event.type) {
    case "start":
    case "retry-due":
      return { state: { ...state, socket: true, waiting: false }, effects: [connect(state)] };
    case "wake":
      if (!state.waiting) return none(state);
      return { state: { ...state, socket: true, waiting: false }, effects: [{ type: "clear-timer", timer: "retry" }, connect(state)] };
    case "connect-failed":
      // A URL the platform rejects will not get better by retrying.
      return {
        state: { ...state, socket: false },
        effects: [
          { type: "emit", name: "error", event: event.error },
          { type: "then", event: { type: "close", code: 1006, reason: "invalid url" } },
        ],
      };
    case "auth-ping": {
      if (state.phase === "open") return none(state);
      const connections = state.connections + 1;
      const relay = event.relay ?? null;
      const open: OpenEvent = { at: event.now, connection: connections, relay, resumed: resumedLosslessly(relay, event.since) };
      if (relay && event.since !== undefined) open.since = event.since;
      return {
        state: { ...state, phase: "open", connections, relay },
        effects: [
          // Only a connection that stays up proves the server is healthy; a flapping one keeps backing off.
          { type: "set-timer", timer: "stable", ms: config.stableAfterMs },
          { type: "watch-open" },
          { type: "emit", name: "open", event: open },
        ],
      };
    }
    case "stable":
      return none({ ...state, attempt: 0 });
    case "socket-ended":
      return socketEnded(state, event.code, event.reason, event.error, event.now, config);
    case "abandon": {
      if (!state.socket) return none(state);
      const ended = socketEnded({ ...state, socket: false }, 1006, event.reason, event.error, event.now, config);
      return { state: ended.state, effects: [{ type: "drop", kill: true }, ...ended.effects] };
    }
    case "close":
      return {
        state: { ...state, phase: "closed", socket: false, waiting: false },
        effects: [
          { type: "clear-timer", timer: "retry" },
          { type: "drop", kill: false },
          { type: "end", code: event.code, reason: event.reason, error: event.error },
        ],
      };
  }
}

/**
 * Resume after the last seq delivered where that can work: a relay answered last time, or nobody has yet (the
 * caller's `since` option goes out on the first connections). Once plain ductor answered, no `since` is sent.
 */
const connect = (state: MachineState): Effect => ({ type: "connect", resume: state.relay !== null || state.connections === 0 });

/**
 * Did a connection that asked for `since` lose nothing? Only a relay resumes; it holds every event after
 * `since` when its oldest retained seq is at most `since + 1` (none pruned; `oldest = head + 1` when it holds
 * none), and `since` is one it has numbered (`since > head`: its history was reset, what it counts now is new).
 */
export function resumedLosslessly(relay: RelayInfo | null, since: number | undefined): boolean {
  return relay !== null && since !== undefined && since <= relay.head && relay.oldest <= since + 1;
}

/** 1008 is terminal; anything else backs off (full jitter with a floor) and reconnects. */
function socketEnded(
  state: MachineState,
  code: number,
  reason: string,
  error: DashboardError | undefined,
  now: number,
  config: MachineConfig,
): Transition {
  const effects: Effect[] = [];
  if (state.socket) effects.push({ type: "drop", kill: false });
  const after = { ...state, socket: false };
  if (code === 1008) {
    // ductor accepts the upgrade and then closes with 1008 on a bad token: retrying cannot help.
    const why = reason || "unauthorized";
    const auth = new AuthenticationError(401, { error: why }, new Headers(), `stream closed with 1008 ${why}: check the token`);
    effects.push({ type: "emit", name: "error", event: auth }, { type: "then", event: { type: "close", code, reason: why, error: auth } });
    return { state: after, effects };
  }
  const attempt = state.attempt + 1;
  const delayMs = backoffDelay(attempt, config, config.random);
  const ev: ReconnectingEvent = { attempt, delayMs, at: now + delayMs, code };
  if (reason) ev.reason = reason;
  if (error) ev.error = error;
  effects.push({ type: "set-timer", timer: "retry", ms: delayMs }, { type: "emit", name: "reconnecting", event: ev });
  return { state: { ...after, phase: "reconnecting", attempt, waiting: true }, effects };
}
