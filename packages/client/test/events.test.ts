import { describe, expect, it } from "vitest";
import { ProtocolError } from "../src/errors.js";
import { decodeFrame } from "../src/stream/events.js";

describe("decodeFrame", () => {
  it("decodes ductor's frames, in Python's spacing", () => {
    expect(decodeFrame('{"type": "ping"}')).toEqual({ type: "ping" });
    expect(decodeFrame('{"type": "text_delta", "data": "Hello\\n\\u00e9"}')).toEqual({ type: "text_delta", data: "Hello\né" });
    expect(decodeFrame('{"type": "tool_activity", "data": ""}')).toEqual({ type: "tool_activity", data: "" });
    expect(decodeFrame('{"type": "system_status", "data": null}')).toEqual({ type: "system_status", data: null });
    expect(decodeFrame('{"type": "system_status", "data": "thinking", "extra": 1}')).toEqual({ type: "system_status", data: "thinking" });
  });

  it.each([
    ["not JSON", "{not json", /not JSON/],
    ["a JSON array", "[1,2]", /not a JSON object/],
    ["JSON null", "null", /not a JSON object/],
    ["an unknown type", '{"type": "result", "data": "x"}', /unknown frame type "result"/],
    ["a missing type", '{"data": "x"}', /unknown frame type undefined/],
    ["text_delta without data", '{"type": "text_delta"}', /text_delta\.data must be a string/],
    ["tool_activity with a number", '{"type": "tool_activity", "data": 3}', /tool_activity\.data must be a string/],
    ["system_status missing data", '{"type": "system_status"}', /system_status\.data must be a string or null/],
  ])("rejects %s with a ProtocolError that quotes the frame", (_what, frame, message) => {
    const error = (() => {
      try {
        decodeFrame(frame);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).message).toMatch(message);
    expect((error as ProtocolError).snippet).toBe(frame);
  });

  it("rejects binary frames, whatever their container", () => {
    expect(() => decodeFrame(new ArrayBuffer(4))).toThrow(/binary frame \(4 bytes\)/);
    expect(() => decodeFrame(Buffer.from("hi"))).toThrow(ProtocolError);
    expect(() => decodeFrame(undefined)).toThrow(/binary frame/);
  });

  it("cuts the snippet of a huge frame to about 200 characters", () => {
    try {
      decodeFrame(`{"type": "x", "data": "${"a".repeat(5000)}"}`);
      expect.unreachable();
    } catch (e) {
      expect((e as ProtocolError).snippet.length).toBeLessThanOrEqual(201);
    }
  });
});
