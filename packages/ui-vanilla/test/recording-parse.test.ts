/** Recordings read in the browser, in Node: the parser (the mock's format, typed errors, size limits) and `#recording=` paths. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseRecording as mockParse } from "@ductor/mock-server";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MAX_RECORDING_CHARS,
  MAX_RECORDING_LINES,
  parseRecording,
  RecordingParseError,
  checkRecordingSize,
} from "../src/recording/parse.js";
import { recordingName, recordingPathFromHash, resolveRecordingUrl } from "../src/recording/source.js";

const bundled = readFileSync(fileURLToPath(new URL("../../mock-server/recordings/coding-session.jsonl", import.meta.url)), "utf8");
const HEADER = '{"ductorRecording":1,"recordedAt":"2026-04-21T10:03:17.120Z","source":"synthetic"}';

/** The typed error `parseRecording` threw for `text`, or a failure when it threw none (or another kind). */
function errorOf(text: string, limits?: Parameters<typeof parseRecording>[1]): RecordingParseError {
  try {
    parseRecording(text, limits);
  } catch (err) {
    expect(err).toBeInstanceOf(RecordingParseError);
    return err as RecordingParseError;
  }
  throw new Error("expected a RecordingParseError");
}

describe("parseRecording", () => {
  it("reads the bundled recording: every event line in order, REST snapshots left out, as the mock reads it", () => {
    const rec = parseRecording(bundled);
    const mock = mockParse(bundled);
    const mockEvents = mock.entries.flatMap((e) => ("event" in e ? [{ at: e.t, type: e.event.type, data: e.event.data ?? null }] : []));
    expect(rec.header).toEqual(mock.header);
    expect(rec.events).toEqual(mockEvents);
    expect(rec.events.length).toBeGreaterThan(10);
    expect(mock.entries.some((e) => "snapshot" in e)).toBe(true);
    expect(rec.skipped).toBe(0);
  });

  it("takes CRLF line ends, a byte-order mark, blank lines and no final newline", () => {
    const text = `\ufeff${HEADER}\r\n\r\n{"t":5,"event":{"type":"text_delta","data":"a"}}\r\n{"t":5,"event":{"type":"system_status","data":null}}`;
    expect(parseRecording(text).events).toEqual([
      { at: 5, type: "text_delta", data: "a" },
      { at: 5, type: "system_status", data: null },
    ]);
  });

  it("keeps a hostile event's text as it came (drawing it is the renderer's job, as text)", () => {
    const evil = "<img src=x onerror=window.__pwned=1></pre><script>window.__pwned=1</script>";
    const rec = parseRecording(`${HEADER}\n${JSON.stringify({ t: 0, event: { type: "text_delta", data: evil } })}\n`);
    expect(rec.events[0]?.data).toBe(evil);
  });

  it("leaves out events whose data is neither text nor null, and counts them", () => {
    const rec = parseRecording(
      `${HEADER}\n{"t":1,"event":{"type":"text_delta","data":{"x":1}}}\n{"t":2,"event":{"type":"text_delta","data":"ok"}}`,
    );
    expect(rec.events).toEqual([{ at: 2, type: "text_delta", data: "ok" }]);
    expect(rec.skipped).toBe(1);
  });

  it.each([
    ["", undefined, /empty file/],
    ["\n\n", undefined, /empty file/],
    ["hello", 1, /not valid JSON: is this a \.jsonl recording/],
    ['{"t":0,"event":{"type":"text_delta"}}', 1, /first line must be the header/],
    ['{"ductorRecording":2,"recordedAt":"x","source":"y"}', 1, /first line must be the header/],
    ['{"ductorRecording":1,"source":"y"}', 1, /"recordedAt" must be a string/],
    [`${HEADER}\n{"t":0,"event":{"type":"text_delta"}}\n{oops`, 3, /not valid JSON/],
    [`${HEADER}\n[1]`, 2, /expected a JSON object/],
    [`${HEADER}\n{"t":-1,"event":{"type":"a"}}`, 2, /"t" must be a number >= 0/],
    [`${HEADER}\n{"t":"0","event":{"type":"a"}}`, 2, /"t" must be a number/],
    [`${HEADER}\n{"t":9,"event":{"type":"a"}}\n\n{"t":3,"event":{"type":"a"}}`, 4, /"t" must not decrease \(3 after 9\)/],
    [`${HEADER}\n{"t":1}`, 2, /exactly one of "event" or "snapshot"/],
    [`${HEADER}\n{"t":1,"event":{"type":"a"},"snapshot":{}}`, 2, /exactly one/],
    [`${HEADER}\n{"t":1,"event":{"data":"x"}}`, 2, /string "type"/],
  ])("refuses %j with a typed error naming line %s", (text, line, pattern) => {
    const err = errorOf(text);
    expect(err.line).toBe(line);
    expect(err.message).toMatch(pattern);
    if (line !== undefined) expect(err.message).toMatch(new RegExp(`^line ${line}: `));
  });

  it("refuses absurd sizes in words, before reading them line by line", () => {
    expect(MAX_RECORDING_CHARS).toBe(256 * 1024 * 1024);
    expect(MAX_RECORDING_LINES).toBe(5_000_000);
    expect(errorOf(`${HEADER}\n${"x".repeat(2_000)}`, { maxChars: 1_024 }).message).toMatch(
      /is 3 KiB, more than the 1 KiB this page opens/,
    );
    expect(() => checkRecordingSize(300 * 1024 * 1024)).toThrow(/300 MiB, more than the 256 MiB this page opens/);
    expect(() => checkRecordingSize(1024)).not.toThrow();
    const lines = `${HEADER}\n${'{"t":0,"event":{"type":"text_delta","data":"x"}}\n'.repeat(10)}`;
    expect(parseRecording(lines, { maxLines: 11 }).events).toHaveLength(10);
    expect(errorOf(lines, { maxLines: 10 }).message).toMatch(/more than 10 lines/);
    // The real limit: 5M blank lines are counted without splitting the text.
    expect(errorOf(`${HEADER}${"\n".repeat(MAX_RECORDING_LINES + 1)}`).message).toMatch(/more than 5,000,000 lines/);
  });

  it("throws nothing but RecordingParseError for arbitrary text", () => {
    const check = (text: string): void => {
      try {
        parseRecording(text);
      } catch (err) {
        if (!(err instanceof RecordingParseError)) throw err;
      }
    };
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 400 }), check), { numRuns: 2_000 });
    // Text that looks more like a recording: a header then JSON values of any shape, joined with any line ends.
    const line = fc.oneof(
      fc.json(),
      fc.record({ t: fc.oneof(fc.double(), fc.nat(), fc.string()), event: fc.anything() }).map((v) => JSON.stringify(v)),
      fc.record({ t: fc.nat(), event: fc.record({ type: fc.string(), data: fc.anything() }) }).map((v) => JSON.stringify(v)),
      fc.record({ t: fc.nat(), snapshot: fc.anything() }).map((v) => JSON.stringify(v) ?? "null"),
    );
    fc.assert(
      fc.property(fc.boolean(), fc.array(line, { maxLength: 20 }), fc.constantFrom("\n", "\r\n"), (withHeader, lines, eol) =>
        check([...(withHeader ? [HEADER] : []), ...lines].join(eol)),
      ),
      { numRuns: 1_000 },
    );
  });
});

describe("#recording= paths", () => {
  const page = "http://127.0.0.1:8080/index.html#recording=/demo.jsonl";

  it("reads the path from the fragment, decoded", () => {
    expect(recordingPathFromHash("#recording=/demo.jsonl")).toBe("/demo.jsonl");
    expect(recordingPathFromHash("#recording=%2Fa%20b.jsonl")).toBe("/a b.jsonl");
    expect(recordingPathFromHash("#recording=%E0%A4%A")).toBe("%E0%A4%A");
    expect(recordingPathFromHash("#/stream")).toBeNull();
    expect(recordingPathFromHash("#token=abc")).toBeNull();
  });

  it("resolves paths on the page's own origin", () => {
    expect(resolveRecordingUrl("/demo.jsonl", page)).toEqual({ ok: true, url: "http://127.0.0.1:8080/demo.jsonl" });
    expect(resolveRecordingUrl("rec/x.jsonl?v=1#frag", page)).toEqual({ ok: true, url: "http://127.0.0.1:8080/rec/x.jsonl?v=1" });
    expect(resolveRecordingUrl("../../x.jsonl", page)).toEqual({ ok: true, url: "http://127.0.0.1:8080/x.jsonl" });
  });

  it.each([
    "https://evil.example/x.jsonl",
    "http://127.0.0.1:8080/demo.jsonl",
    "//evil.example/x.jsonl",
    "/\\evil.example/x.jsonl",
    "\\\\evil.example\\x",
    "javascript:alert(1)",
    "data:text/plain,{}",
    "/a\nb",
  ])("refuses %j in words", (path) => {
    const result = resolveRecordingUrl(path, page);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/only from this site|not a path/);
  });

  it("refuses an empty path, and anything on a page with no origin", () => {
    expect(resolveRecordingUrl("", page)).toMatchObject({ ok: false, reason: expect.stringMatching(/names no file/) });
    expect(resolveRecordingUrl("/x.jsonl", "file:///tmp/index.html").ok).toBe(false);
  });

  it("names a recording by its file", () => {
    expect(recordingName("/recordings/coding%20session.jsonl?x=1")).toBe("coding session.jsonl");
    expect(recordingName("/")).toBe("recording");
  });
});
