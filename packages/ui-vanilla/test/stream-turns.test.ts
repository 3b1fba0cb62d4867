/** What a turn's header says, in Node: durations and the header's parts from the client's Turn. */
import { TurnSegmenter } from "@ductor/dashboard-client";
import { describe, expect, it } from "vitest";
import { formatSpokenDuration as formatDuration } from "../src/format.js";
import { turnInfo } from "../src/views/stream-turns.js";

describe("formatSpokenDuration", () => {
  it("reads like a person would say it", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(12_400)).toBe("12 s");
    expect(formatDuration(60_000)).toBe("1 min");
    expect(formatDuration(130_000)).toBe("2 min 10 s");
    expect(formatDuration(3_600_000)).toBe("1 h");
    expect(formatDuration(3_840_000)).toBe("1 h 4 min");
    expect(formatDuration(-5)).toBe("0 s");
  });
});

describe("turnInfo", () => {
  it("an open turn counts up 'so far'; a closed one shows its duration, session, tools and a gap", () => {
    const turns = new TurnSegmenter();
    const t0 = Date.UTC(2026, 10, 25, 9, 30, 0);
    turns.push({ type: "text_delta", data: "**[alpha | claude]**\nhi\n" }, t0);
    turns.push({ type: "tool_activity", data: "Read" }, t0 + 1_000);
    turns.push({ type: "gap" }, t0 + 2_000);
    const open = turnInfo(turns.current!, t0 + 5_000);
    expect(open.title).toMatch(/^Turn at \d\d:\d\d:\d\d · alpha \(claude\)$/);
    expect(open.meta).toBe("5 s so far · some output may be missing");
    expect(open.summary).toBe("1 tool: Read");
    const closed = turns.close()!;
    expect(turnInfo(closed, t0 + 999_999).meta).toMatch(/^\d+ s · some output may be missing$/);
  });

  it("a turn without tools offers no summary", () => {
    const turns = new TurnSegmenter();
    turns.push({ type: "text_delta", data: "just text" }, 1_000);
    expect(turnInfo(turns.current!, 2_000).summary).toBe("");
  });
});
