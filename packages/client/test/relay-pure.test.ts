import { describe, expect, it } from "vitest";
import { ProtocolError } from "../src/errors.js";
import { decodeFrame } from "../src/stream/events.js";
import {
  initialState,
  resumedLosslessly,
  transition,
  type MachineConfig,
  type MachineEvent,
  type MachineState,
} from "../src/stream/machine.js";
import { withSince } from "../src/stream/socket.js";

// The relay's additions to the pure cores: frame decoding, the resume decision and the lossless verdict.

function decode(frame: string): { frame: unknown; warnings: ProtocolError[] } {
  const warnings: ProtocolError[] = [];
  return { frame: decodeFrame(frame, (e) => warnings.push(e)), warnings };
}

describe("decodeFrame: the relay's frames", () => {
  it("keeps seq and at on every data event, and decodes upstream rows", () => {
    expect(decode('{"type": "text_delta", "data": "hi", "seq": 7, "at": 1776762012553}')).toEqual({
      frame: { type: "text_delta", data: "hi", seq: 7, at: 1776762012553 },
      warnings: [],
    });
    expect(decodeFrame('{"type": "system_status", "data": null, "seq": 0, "at": 1}')).toEqual({
      type: "system_status",
      data: null,
      seq: 0,
      at: 1,
    });
    expect(decodeFrame('{"type": "tool_activity", "data": "", "seq": 3, "at": 5}')).toEqual({
      type: "tool_activity",
      data: "",
      seq: 3,
      at: 5,
    });
    expect(decodeFrame('{"type": "upstream", "data": "disconnected", "seq": 9, "at": 5}')).toEqual({
      type: "upstream",
      data: "disconnected",
      seq: 9,
      at: 5,
    });
    // Plain ductor's frames have no such keys, and get none (not even undefined ones).
    expect(Object.keys(decodeFrame('{"type": "text_delta", "data": "x"}'))).toEqual(["type", "data"]);
  });

  it.each([
    ["a float seq", '{"type": "text_delta", "data": "x", "seq": 1.5, "at": 2}', { seq: undefined, at: 2 }, /seq must be/],
    ["a string seq", '{"type": "text_delta", "data": "x", "seq": "1", "at": 2}', { seq: undefined, at: 2 }, /seq must be/],
    ["a negative seq", '{"type": "upstream", "data": "x", "seq": -1, "at": 2}', { seq: undefined, at: 2 }, /seq must be/],
    ["a float at", '{"type": "system_status", "data": null, "seq": 4, "at": 2.5}', { seq: 4, at: undefined }, /at must be/],
    ["a null at", '{"type": "text_delta", "data": "x", "seq": 4, "at": null}', { seq: 4, at: undefined }, /at must be/],
    ["an unsafe seq", `{"type": "text_delta", "data": "x", "seq": ${2 ** 60}, "at": 1}`, { seq: undefined, at: 1 }, /seq must be/],
  ])("delivers a frame with %s without that field, and warns", (_what, raw, fields, message) => {
    const { frame, warnings } = decode(raw);
    expect(frame).toMatchObject({ type: JSON.parse(raw).type, data: JSON.parse(raw).data });
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) expect(frame).not.toHaveProperty(key);
      else expect(frame).toHaveProperty(key, value);
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toBeInstanceOf(ProtocolError);
    expect(warnings[0]!.message).toMatch(message);
    expect(warnings[0]!.snippet).toBe(raw);
  });

  it("keeps a lone valid seq (or at) without a warning", () => {
    expect(decode('{"type": "text_delta", "data": "x", "seq": 4}')).toEqual({
      frame: { type: "text_delta", data: "x", seq: 4 },
      warnings: [],
    });
  });

  it("reads the relay's ping; a bad relay object is plain ductor plus a warning, never a lost ping", () => {
    expect(decode('{"type": "ping", "relay": {"version": 1, "head": 42, "oldest": 3}}')).toEqual({
      frame: { type: "ping", relay: { version: 1, head: 42, oldest: 3 } },
      warnings: [],
    });
    // Nothing stored yet: oldest = head + 1.
    expect(decode('{"type": "ping", "relay": {"version": 1, "head": 0, "oldest": 1}}').warnings).toEqual([]);
    for (const [relay, message] of [
      ['{"version": 2, "head": 1, "oldest": 1}', /relay version 2 is not supported/],
      ['{"head": 1, "oldest": 1}', /relay.version is missing/],
      ['"yes"', /relay.version is missing/],
      ['{"version": 1, "head": 1.5, "oldest": 1}', /integers head/],
      ['{"version": 1, "head": 5, "oldest": "1"}', /integers head/],
      ['{"version": 1, "head": 5, "oldest": 7}', /oldest <= head \+ 1/],
    ] as const) {
      const { frame, warnings } = decode(`{"type": "ping", "relay": ${relay}}`);
      expect(frame).toEqual({ type: "ping" });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.message).toMatch(message);
      expect(warnings[0]!.message).toMatch(/treated as plain ductor/);
    }
    // Without a warn callback (decodeFrame on its own) the same frames decode silently.
    expect(decodeFrame('{"type": "ping", "relay": {"version": 9}}')).toEqual({ type: "ping" });
  });

  it("decodes gap frames to camelCase and refuses bad ones (they carry nothing else)", () => {
    expect(decodeFrame('{"type": "gap", "from_seq": 3, "to_seq": 5}')).toEqual({ type: "gap", fromSeq: 3, toSeq: 5 });
    for (const bad of [
      '{"type": "gap", "from_seq": 5, "to_seq": 3}',
      '{"type": "gap", "from_seq": 3}',
      '{"type": "gap", "from_seq": "3", "to_seq": 5}',
    ]) {
      expect(() => decodeFrame(bad)).toThrow(/gap needs integers/);
    }
    expect(() => decodeFrame('{"type": "upstream", "data": 1}')).toThrow(/upstream\.data must be a string/);
  });
});

describe("resume: pure decisions", () => {
  it("calls a resume lossless only when the relay still holds every event after since", () => {
    const relay = (head: number, oldest: number) => ({ version: 1 as const, head, oldest });
    expect(resumedLosslessly(relay(10, 1), 4)).toBe(true);
    expect(resumedLosslessly(relay(10, 5), 4)).toBe(true); // oldest is the very next one
    expect(resumedLosslessly(relay(10, 6), 4)).toBe(false); // seq 5 was pruned
    expect(resumedLosslessly(relay(10, 1), 10)).toBe(true); // at the head: only live events to come
    expect(resumedLosslessly(relay(10, 11), 10)).toBe(true); // nothing retained, nothing missed
    expect(resumedLosslessly(relay(10, 11), 9)).toBe(false);
    expect(resumedLosslessly(relay(10, 1), 11)).toBe(false); // beyond its head: its history was reset
    expect(resumedLosslessly(relay(10, 1), undefined)).toBe(false); // a first connection without since
    expect(resumedLosslessly(null, 4)).toBe(false); // plain ductor cannot resume
  });

  it("adds since to the stream URL, keeping the token and any fragment out of the way", () => {
    expect(withSince("ws://h/dashboard/stream?token=abc", 12)).toBe("ws://h/dashboard/stream?token=abc&since=12");
    expect(withSince("ws://h/dashboard/stream?token=abc", 0)).toBe("ws://h/dashboard/stream?token=abc&since=0");
    expect(withSince("ws://h/dashboard/stream", 3)).toBe("ws://h/dashboard/stream?since=3");
    expect(withSince("ws://h/s?token=a#x", 3)).toBe("ws://h/s?token=a&since=3");
    expect(withSince("ws://h/dashboard/stream?token=abc", undefined)).toBe("ws://h/dashboard/stream?token=abc");
  });

  const config: MachineConfig = { minDelayMs: 100, maxDelayMs: 1_000, stableAfterMs: 5_000, random: () => 1 };
  function run(events: MachineEvent[], state: MachineState = initialState) {
    const effects: ReturnType<typeof transition>["effects"] = [];
    for (const event of events) {
      const t = transition(state, event, config);
      state = t.state;
      effects.push(...t.effects);
    }
    return { state, effects };
  }
  const relay = { version: 1 as const, head: 20, oldest: 1 };
  const drop: MachineEvent = { type: "socket-ended", code: 1006, reason: "", now: 0 };
  const connects = (effects: ReturnType<typeof run>["effects"]) => effects.filter((e) => e.type === "connect");

  it("asks to resume on the first connections (a caller's since) and after a relay, never after plain ductor", () => {
    expect(connects(run([{ type: "start" }]).effects)).toEqual([{ type: "connect", resume: true }]);
    // Not heard from any server yet: keep asking.
    expect(connects(run([{ type: "start" }, drop, { type: "retry-due" }]).effects)).toEqual([
      { type: "connect", resume: true },
      { type: "connect", resume: true },
    ]);
    const viaRelay = run([{ type: "start" }, { type: "auth-ping", now: 1, relay }, drop, { type: "retry-due" }]);
    expect(viaRelay.state.relay).toEqual(relay);
    expect(connects(viaRelay.effects).at(-1)).toEqual({ type: "connect", resume: true });
    const viaDuctor = run([{ type: "start" }, { type: "auth-ping", now: 1 }, drop, { type: "retry-due" }]);
    expect(viaDuctor.state.relay).toBeNull();
    expect(connects(viaDuctor.effects).at(-1)).toEqual({ type: "connect", resume: false });
    // A relay replaced by plain ductor: resuming stops there; `wake` follows the same rule.
    const swapped = run([drop, { type: "retry-due" }, { type: "auth-ping", now: 2, relay: null }, drop, { type: "wake" }], viaRelay.state);
    expect(connects(swapped.effects).map((e) => (e as { resume: boolean }).resume)).toEqual([true, false]);
  });

  it("says on `open` what the relay holds and whether the resume lost nothing", () => {
    const open = (event: MachineEvent, state = run([{ type: "start" }]).state) =>
      run([event], state).effects.find((e) => e.type === "emit" && e.name === "open");
    expect(open({ type: "auth-ping", now: 7 })).toMatchObject({ event: { at: 7, connection: 1, relay: null, resumed: false } });
    expect(open({ type: "auth-ping", now: 7, relay, since: 12 })).toEqual({
      type: "emit",
      name: "open",
      event: { at: 7, connection: 1, relay, resumed: true, since: 12 },
    });
    expect(open({ type: "auth-ping", now: 7, relay: { ...relay, oldest: 15 }, since: 12 })).toMatchObject({
      event: { resumed: false, since: 12 },
    });
    // Plain ductor ignores a since it was sent: not reported as one.
    expect((open({ type: "auth-ping", now: 7, relay: null, since: 12 }) as { event: object }).event).not.toHaveProperty("since");
  });
});
