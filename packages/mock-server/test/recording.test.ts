import { describe, expect, it } from "vitest";
import { BUNDLED_RECORDINGS, parseRecording, readRecording, RecordingError, serializeRecording } from "../src/index.js";
import { pyJson, pyFloat, reformatPyJson } from "../src/pyjson.js";

const H = '{"ductorRecording":1,"recordedAt":"2026-04-21T10:00:00.000Z","source":"synthetic"}';

describe("recording format", () => {
  it("round-trips the bundled recordings", async () => {
    for (const name of BUNDLED_RECORDINGS) {
      const rec = await readRecording(name);
      expect(rec.entries.length).toBeGreaterThan(40);
      expect(parseRecording(serializeRecording(rec))).toEqual(rec);
    }
  });

  it("bundled coding-session is 2–4 minutes long", async () => {
    const rec = await readRecording("coding-session");
    const last = rec.entries.at(-1)!.t;
    expect(last).toBeGreaterThanOrEqual(120_000);
    expect(last).toBeLessThanOrEqual(240_000);
  });

  it("names the offending line in errors", () => {
    const cases: [string, RegExp][] = [
      ["", /no header/],
      ['{"t":0}', /line 1: the first line must be the header/],
      [`${H}\n{"t":0,"event":{"type":"x"}}\nnot json`, /line 3: not valid JSON/],
      [`${H}\n{"t":5,"event":{"type":"x"}}\n{"t":4,"event":{"type":"x"}}`, /line 3: "t" must not decrease \(4 after 5\)/],
      [`${H}\n{"t":0,"event":{"type":"x"},"snapshot":{}}`, /line 2: expected exactly one/],
      [`${H}\n{"t":0,"event":{"data":"x"}}`, /line 2: "event" must be an object/],
      [`${H}\n{"t":-1,"event":{"type":"x"}}`, /line 2: "t" must be a number/],
      [`${H}\n{"t":0,"snapshot":{"path":"x","status":200,"body":1}}`, /line 2: "snapshot" must/],
    ];
    for (const [text, re] of cases) {
      expect(() => parseRecording(text, "f.jsonl")).toThrow(RecordingError);
      expect(() => parseRecording(text, "f.jsonl")).toThrow(re);
    }
  });
});

describe("python json", () => {
  it("matches json.dumps for floats, escapes and spacing", () => {
    expect(pyJson({ a: 1, b: [1.5, null, true], c: 'é\u0001\u007f"\\/' })).toBe(
      '{"a": 1, "b": [1.5, null, true], "c": "\\u00e9\\u0001\\u007f\\"\\\\/"}',
    );
    const floats: [number, string][] = [
      [0, "0.0"],
      [1, "1.0"],
      [3.5e-5, "3.5e-05"],
      [1e-4, "0.0001"],
      [1e16, "1e+16"],
      [123456789.125, "123456789.125"],
      [-2.5, "-2.5"],
      [1e22, "1e+22"],
      [1.7976931348623157e308, "1.7976931348623157e+308"],
    ];
    for (const [v, s] of floats) expect(pyJson(pyFloat(v))).toBe(s);
    expect(pyJson("😀")).toBe('"\\ud83d\\ude00"');
  });

  it("reformats text like json.dumps(json.loads(text))", () => {
    expect(reformatPyJson('{ "b":1,"a" : [ 1.0 ,2e3, 0.5E-7],"b":2, "10": {}}')).toBe('{"b": 2, "a": [1.0, 2000.0, 5e-08], "10": {}}');
    for (const bad of ["{", "[1,]", '{"a" 1}', "\ufeff{}", "01", '"\u0001"', "{} x"]) expect(() => reformatPyJson(bad)).toThrow();
  });
});
