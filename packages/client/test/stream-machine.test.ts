import { describe, expect, it } from "vitest";
import { AuthenticationError, ConnectionError, TimeoutError } from "../src/errors.js";
import { initialState, transition, type Effect, type MachineConfig, type MachineEvent, type MachineState } from "../src/stream/machine.js";

// The connection state machine alone: no socket, no timers, no clock. Jitter is a fixed draw.
const config: MachineConfig = { minDelayMs: 100, maxDelayMs: 1_000, stableAfterMs: 5_000, random: () => 1 };

/** Feeds events in order, following `then` effects the way the shell does; returns the state and every effect. */
function run(events: MachineEvent[], state: MachineState = initialState): { state: MachineState; effects: Effect[] } {
  const effects: Effect[] = [];
  const step = (event: MachineEvent) => {
    const t = transition(state, event, config);
    state = t.state;
    for (const e of t.effects) {
      effects.push(e);
      if (e.type === "then") step(e.event);
    }
  };
  events.forEach(step);
  return { state, effects };
}
const kinds = (effects: Effect[]) =>
  effects.map((e) =>
    e.type === "emit" ? `emit ${e.name}` : e.type === "set-timer" || e.type === "clear-timer" ? `${e.type} ${e.timer}` : e.type,
  );
const ended = (code: number, reason = ""): MachineEvent => ({ type: "socket-ended", code, reason, now: 1_000 });
const ping: MachineEvent = { type: "auth-ping", now: 500 };
const connected = run([{ type: "start" }]).state;
const opened = run([ping], connected).state;

describe("stream state machine", () => {
  it("start connects; the socket's open is not `open`: only the auth ping is", () => {
    const r = run([{ type: "start" }]);
    expect(kinds(r.effects)).toEqual(["connect"]);
    expect(r.state).toMatchObject({ phase: "connecting", socket: true });

    const p = run([ping], r.state);
    expect(p.state).toMatchObject({ phase: "open", connections: 1 });
    expect(kinds(p.effects)).toEqual(["set-timer stable", "watch-open", "emit open"]);
    expect(p.effects[0]).toMatchObject({ ms: 5_000 });
    expect(p.effects[2]).toMatchObject({ event: { at: 500, connection: 1 } });
    // A second ping on the same connection changes nothing.
    expect(run([ping], p.state).effects).toEqual([]);
  });

  it("a drop backs off with full jitter and a floor, and reconnects when the timer fires", () => {
    const r = run([ended(1006)], opened);
    expect(r.state).toMatchObject({ phase: "reconnecting", attempt: 1, socket: false, waiting: true });
    expect(kinds(r.effects)).toEqual(["drop", "set-timer retry", "emit reconnecting"]);
    expect(r.effects[0]).toEqual({ type: "drop", kill: false });
    expect(r.effects[1]).toMatchObject({ ms: 200 }); // [100, min(1000, 100·2^1)] at random 1
    expect(r.effects[2]).toEqual({ type: "emit", name: "reconnecting", event: { attempt: 1, delayMs: 200, at: 1_200, code: 1006 } });

    const again = run([{ type: "retry-due" }], r.state);
    expect(kinds(again.effects)).toEqual(["connect"]);
    expect(again.state).toMatchObject({ phase: "reconnecting", socket: true, waiting: false });
    // Still "reconnecting" until the new connection's ping; then `open` says it is the second one.
    expect(run([ping], again.state).effects[2]).toMatchObject({ event: { connection: 2 } });
  });

  it("carries the close reason and error on `reconnecting`", () => {
    const error = new ConnectionError("stream: refused");
    const r = run([{ type: "socket-ended", code: 1001, reason: "server shutdown", error, now: 0 }], opened);
    expect(r.effects.at(-1)).toMatchObject({ event: { code: 1001, reason: "server shutdown", error } });
  });

  it("resets the backoff only after the auth ping and a stable period: a flapping server keeps backing off", () => {
    let s = run([ended(1006), { type: "retry-due" }, ping, ended(1006), { type: "retry-due" }], opened).state;
    expect(s.attempt).toBe(2);
    // Connections that never deliver the ping never start the stable timer.
    const neverAuthed = run([ended(1006), { type: "retry-due" }, ended(1006), { type: "retry-due" }, ended(1006)], s);
    expect(neverAuthed.state.attempt).toBe(5);
    expect(kinds(neverAuthed.effects)).not.toContain("set-timer stable");
    expect(neverAuthed.effects.at(-2)).toMatchObject({ ms: 1_000 }); // ceiling capped at maxDelayMs

    s = run([ping, { type: "stable" }], s).state;
    expect(s.attempt).toBe(0);
    expect(run([ended(1006)], s).state.attempt).toBe(1);
  });

  it("1008 is terminal: error (AuthenticationError), then close, never a retry", () => {
    const r = run([ended(1008, "unauthorized")], connected);
    expect(kinds(r.effects)).toEqual(["drop", "emit error", "then", "clear-timer retry", "drop", "end"]);
    const error = (r.effects[1] as { event: unknown }).event;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(r.effects.at(-1)).toEqual({ type: "end", code: 1008, reason: "unauthorized", error });
    expect(r.state).toMatchObject({ phase: "closed", attempt: 0, waiting: false });
    // Nothing brings it back.
    for (const event of [{ type: "retry-due" }, { type: "wake" }, ping, ended(1006), { type: "start" }] as MachineEvent[]) {
      expect(transition(r.state, event, config).effects).toEqual([]);
    }
  });

  it("1008 without a reason still says unauthorized", () => {
    expect(run([ended(1008)], connected).effects.at(-1)).toMatchObject({ code: 1008, reason: "unauthorized" });
  });

  it("abandon (stale, connect timeout, probe failed, offline) destroys the socket and goes through the 1006 path", () => {
    const error = new TimeoutError("stream: no frame and no ping for 75000 ms");
    const r = run([{ type: "abandon", reason: "stale", error, now: 0 }], opened);
    expect(kinds(r.effects)).toEqual(["drop", "set-timer retry", "emit reconnecting"]);
    expect(r.effects[0]).toEqual({ type: "drop", kill: true });
    expect(r.effects.at(-1)).toMatchObject({ event: { attempt: 1, code: 1006, reason: "stale", error } });
    // Without a socket (already waiting) there is nothing to abandon.
    expect(run([{ type: "abandon", reason: "offline", error, now: 0 }], r.state).effects).toEqual([]);
  });

  it("wake skips the backoff wait, and does nothing otherwise", () => {
    const waiting = run([ended(1006)], opened).state;
    const r = run([{ type: "wake" }], waiting);
    expect(kinds(r.effects)).toEqual(["clear-timer retry", "connect"]);
    expect(r.state).toMatchObject({ socket: true, waiting: false });
    expect(run([{ type: "wake" }], r.state).effects).toEqual([]);
    expect(run([{ type: "wake" }], opened).effects).toEqual([]);
  });

  it("close ends everything once, from any phase", () => {
    const close: MachineEvent = { type: "close", code: 1000, reason: "client closed" };
    for (const from of [connected, opened, run([ended(1006)], opened).state]) {
      const r = run([close], from);
      expect(r.state.phase).toBe("closed");
      expect(kinds(r.effects)).toEqual(["clear-timer retry", "drop", "end"]);
      expect(r.effects.at(-1)).toEqual({ type: "end", code: 1000, reason: "client closed", error: undefined });
      expect(run([close], r.state).effects).toEqual([]);
    }
  });

  it("a URL the platform refuses: error, then close 1006 'invalid url'", () => {
    const error = new ConnectionError("stream: cannot open ws://x/?token=***");
    const r = run([{ type: "connect-failed", error }], connected);
    expect(kinds(r.effects)).toEqual(["emit error", "then", "clear-timer retry", "drop", "end"]);
    expect(r.effects.at(-1)).toMatchObject({ code: 1006, reason: "invalid url" });
  });

  it("a `then` close loses to a close that a listener made first (the shell feeds it back after the emit)", () => {
    // What the shell sees when an `error` listener calls close() during 1008's error event.
    const t = transition(connected, ended(1008), config);
    const closedByListener = run([{ type: "close", code: 1000, reason: "client closed" }], t.state).state;
    const then = t.effects.find((e) => e.type === "then")!;
    expect(transition(closedByListener, (then as { event: MachineEvent }).event, config).effects).toEqual([]);
  });
});
