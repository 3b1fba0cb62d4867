import { parseRecording, type Recording, readRecording } from "@ductor/mock-server";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Turn, type TurnEvent, type TurnOptions, TurnSegmenter } from "../src/index.js";

const T0 = Date.UTC(2026, 3, 21, 10, 0, 0);

/** A recording's events with their recorded timing: `at` = T0 + t (+ offset). */
function eventsOf(rec: Recording, offset = 0): TurnEvent[] {
  const out: TurnEvent[] = [];
  for (const entry of rec.entries) {
    if ("event" in entry) out.push({ type: entry.event.type, data: entry.event.data as string | null, at: T0 + offset + entry.t });
  }
  return out;
}

/** Feeds everything, then ticks at `end` (default: the last event, so nothing closes by silence). */
function segment(events: TurnEvent[], options: TurnOptions = {}, end?: number): TurnSegmenter {
  const s = new TurnSegmenter(options);
  for (const ev of events) s.push(ev);
  if (end !== undefined) s.tick(end);
  return s;
}

const shape = (t: Turn) => ({
  index: t.index,
  startedBy: t.startedBy,
  startAt: t.startAt - T0,
  endAt: t.endAt - T0,
  open: t.open,
  session: t.session,
  tools: t.tools.map((c) => c.name),
  text: t.text(),
  gap: t.gap,
});

/**
 * Hand-written, with its turns known by construction. Times are ms from the start. Edge cases: a 4-minute
 * thinking pause inside a turn, a turn of tools without text, a header chunk mid-stream, a turn started by
 * `thinking` after a quick reply, a relay's upstream disconnect inside a turn, a header after status-only
 * events (it names the turn they began), and a last turn that ends on a tool and closes only by silence.
 */
const KNOWN = `{"ductorRecording":1,"recordedAt":"2026-04-21T10:00:00.000Z","source":"synthetic","provider":"claude","model":"opus"}
{"t":0,"event":{"type":"system_status","data":"thinking"}}
{"t":2000,"event":{"type":"text_delta","data":"Let me check the config."}}
{"t":3000,"event":{"type":"tool_activity","data":"Read"}}
{"t":5000,"event":{"type":"system_status","data":"thinking"}}
{"t":245000,"event":{"type":"text_delta","data":"The port is wrong."}}
{"t":246000,"event":{"type":"tool_activity","data":"Edit"}}
{"t":250000,"event":{"type":"text_delta","data":" Fixed."}}
{"t":370000,"event":{"type":"tool_activity","data":"Shell"}}
{"t":371000,"event":{"type":"tool_activity","data":"Shell"}}
{"t":375000,"event":{"type":"tool_activity","data":"Grep"}}
{"t":395000,"event":{"type":"text_delta","data":"**[docs | codex]**\\n"}}
{"t":395500,"event":{"type":"system_status","data":"thinking"}}
{"t":399000,"event":{"type":"text_delta","data":"Updated the README."}}
{"t":411000,"event":{"type":"system_status","data":"thinking"}}
{"t":413000,"event":{"type":"text_delta","data":"Checking the links."}}
{"t":414000,"event":{"type":"upstream","data":"disconnected"}}
{"t":434000,"event":{"type":"upstream","data":"connected"}}
{"t":440000,"event":{"type":"tool_activity","data":"WebFetch"}}
{"t":445000,"event":{"type":"text_delta","data":" All links work."}}
{"t":745000,"event":{"type":"system_status","data":"replay restarted"}}
{"t":745100,"event":{"type":"system_status","data":null}}
{"t":745200,"event":{"type":"text_delta","data":"**[x | claude]**\\nHello"}}
{"t":746000,"event":{"type":"tool_activity","data":"Shell"}}
`;

describe("TurnSegmenter on a hand-written recording with known turns", () => {
  const events = eventsOf(parseRecording(KNOWN, "known.jsonl"));

  it("finds the five turns, their boundaries and why each began", () => {
    const s = segment(events);
    expect(s.turns.map(shape)).toEqual([
      {
        // The 240 s between 5 000 and 245 000 follow a `thinking` status: busy, so the turn goes on.
        index: 0,
        startedBy: "start",
        startAt: 0,
        endAt: 250_000,
        open: false,
        session: null,
        tools: ["Read", "Edit"],
        text: "Let me check the config.The port is wrong. Fixed.",
        gap: false,
      },
      // 120 s after text: over quietMs (60 s). Tools only, no text.
      {
        index: 1,
        startedBy: "quiet",
        startAt: 370_000,
        endAt: 375_000,
        open: false,
        session: null,
        tools: ["Shell", "Shell", "Grep"],
        text: "",
        gap: false,
      },
      // A header chunk 20 s after a tool (not quiet long enough while busy): the header alone is the boundary.
      {
        index: 2,
        startedBy: "header",
        startAt: 395_000,
        endAt: 399_000,
        open: false,
        session: { name: "docs", provider: "codex" },
        tools: [],
        text: "Updated the README.",
        gap: false,
      },
      // `thinking` 12 s after text (>= thinkingGapMs 8 s). The upstream disconnect inside it marks a gap; the
      // 27 s from the last text to WebFetch is under quietMs, so the turn continues after it.
      {
        index: 3,
        startedBy: "thinking",
        startAt: 411_000,
        endAt: 445_000,
        open: false,
        session: null,
        tools: ["WebFetch"],
        text: "Checking the links. All links work.",
        gap: true,
      },
      // 300 s later; the header follows two statuses within 200 ms and names the turn they began.
      {
        index: 4,
        startedBy: "quiet",
        startAt: 745_000,
        endAt: 746_000,
        open: true,
        session: { name: "x", provider: "claude" },
        tools: ["Shell"],
        text: "Hello",
        gap: false,
      },
    ]);
    expect(s.current).toBe(s.turns[4]);
  });

  it("closes the last turn only after busyQuietMs of silence when it ended on a tool", () => {
    const s = segment(events);
    expect(s.closesAt).toBe(T0 + 746_000 + 600_000);
    expect(s.tick(T0 + 746_000 + 599_999)).toBeUndefined();
    const closed = s.tick(T0 + 746_000 + 600_000);
    expect(closed).toBe(s.turns[4]);
    expect(closed?.open).toBe(false);
    expect(closed?.endAt).toBe(T0 + 746_000); // the last event, not the tick
    expect(s.current).toBeUndefined();
    expect(s.closesAt).toBeUndefined();
  });

  it("gives the same turns whether or not tick() runs between events (a live timer), at any times", () => {
    const reference = segment(events).turns.map(shape);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 800_000 }), { maxLength: 40 }), (ticks) => {
        const s = new TurnSegmenter();
        const sorted = [...ticks].sort((a, b) => a - b);
        let i = 0;
        for (const ev of events) {
          // Ticks never run ahead of the next event: a live clock cannot see the future.
          while (i < sorted.length && T0 + (sorted[i] as number) <= (ev.at as number)) s.tick(T0 + (sorted[i++] as number));
          s.push(ev);
        }
        expect(s.turns.map(shape)).toEqual(reference);
      }),
    );
  });
});

describe("TurnSegmenter on the mock server's bundled recordings, with their recorded timing", () => {
  it("coding-session is one turn of 34 tools (its longest pause, 9.2 s of compaction, is inside it)", async () => {
    const rec = await readRecording("coding-session");
    const events = eventsOf(rec);
    const s = segment(events);
    s.close();
    expect(s.turns).toHaveLength(1);
    const [turn] = s.turns as [Turn];
    expect(turn.startAt - T0).toBe(480);
    expect(turn.endAt - T0).toBe(164_299);
    expect(turn.durationMs).toBe(164_299 - 480);
    expect(turn.session).toBeNull();
    expect(turn.tools).toHaveLength(34);
    // Ties (TodoWrite, Grep, Edit ×4) keep first-use order; the other 9 calls are counted, not named.
    expect(turn.toolSummary).toBe("34 tools: Read ×9, Shell ×8, TodoWrite ×4, Grep ×4, +9 more");
    const text = events.filter((e) => e.type === "text_delta").map((e) => e.data);
    expect(turn.text()).toBe(text.join(""));
    expect(turn.textLength).toBe(turn.text().length);
    expect(turn.text()).toContain("Session recovered"); // the recovery notice is part of the turn
    expect(turn.gap).toBe(false);
  });

  it("coding-session: the compaction pause stays inside only because a status is showing (busyQuietMs)", async () => {
    const events = eventsOf(await readRecording("coding-session"));
    // `compacting` at 108 987, its `null` at 118 174: 9 187 ms of silence while busy.
    const s = segment(events, { busyQuietMs: 9_000 });
    expect(s.turns.map((t) => [t.startedBy, t.startAt - T0])).toEqual([
      ["start", 480],
      ["quiet", 118_174],
    ]);
  });

  it("long-output is one named-session turn: the header chunk gives name and provider and is not text", async () => {
    const events = eventsOf(await readRecording("long-output"));
    const s = segment(events);
    expect(s.turns).toHaveLength(1);
    const [turn] = s.turns as [Turn];
    expect(turn.session).toEqual({ name: "release-notes", provider: "codex" });
    expect(turn.startAt - T0).toBe(202);
    expect(turn.endAt - T0).toBe(58_894);
    expect(turn.text().startsWith("# Release notes — v3.0.0")).toBe(true);
    const text = events.filter((e) => e.type === "text_delta").map((e) => e.data);
    expect(turn.textLength).toBe(text.join("").length - "**[release-notes | codex]**\n".length);
    expect(turn.toolSummary).toBe("7 tools: Shell ×2, (unnamed), run_shell_command, read_file, +2 more");
  });

  it("long-output: with thinkingGapMs under its 734 ms text→thinking pause, that pause becomes a boundary", async () => {
    const events = eventsOf(await readRecording("long-output"));
    const s = segment(events, { thinkingGapMs: 500 });
    expect(s.turns.map((t) => [t.startedBy, t.startAt - T0])).toEqual([
      ["start", 202],
      ["thinking", 29_517],
    ]);
  });

  it("recordings played back to back: header 20 s later, then 5 min of quiet → three turns", async () => {
    const coding = await readRecording("coding-session");
    const long = await readRecording("long-output");
    const afterCoding = 164_299 + 20_000; // long-output's header comes 20 s after coding-session's last text
    const afterLong = afterCoding + 58_894 + 300_000;
    const events = [...eventsOf(coding), ...eventsOf(long, afterCoding - 202), ...eventsOf(coding, afterLong - 480)];
    const s = segment(events);
    expect(s.turns.map((t) => [t.startedBy, t.startAt - T0, t.tools.length, t.session?.name ?? null])).toEqual([
      ["start", 480, 34, null],
      ["header", afterCoding, 7, "release-notes"],
      ["quiet", afterLong, 34, null],
    ]);
  });
});

describe("TurnSegmenter details", () => {
  it("a gap (reconnect) marks the open turn and the next one, and does not split by itself", () => {
    const s = new TurnSegmenter();
    s.push({ type: "text_delta", data: "a", at: 1_000 });
    s.push({ type: "gap" });
    s.push({ type: "text_delta", data: "b", at: 30_000 });
    expect(s.turns).toHaveLength(1);
    expect(s.turns[0]?.gap).toBe(true);
    s.tick(200_000);
    s.push({ type: "gap" }); // while no turn is open: the next one may have lost its start
    s.push({ type: "tool_activity", data: "Read", at: 210_000 });
    s.push({ type: "tool_activity", data: "Read", at: 211_000 });
    expect(s.turns.map((t) => [t.startedBy, t.gap])).toEqual([
      ["start", true],
      ["quiet", true],
    ]);
    s.close();
    s.push({ type: "tool_activity", data: "Read", at: 212_000 });
    expect(s.turns.map((t) => [t.startedBy, t.gap])).toEqual([
      ["start", true],
      ["quiet", true],
      ["start", false],
    ]);
    // Lost events, then a new turn: the one that was open is marked at once, not only the next one.
    const ended = new TurnSegmenter();
    ended.push({ type: "text_delta", data: "a", at: 0 });
    ended.push({ type: "upstream", data: "disconnected", at: 1 });
    ended.push({ type: "text_delta", data: "b", at: 500_000 });
    expect(ended.turns.map((t) => [t.startedBy, t.gap])).toEqual([
      ["start", true],
      ["quiet", true],
    ]);
  });

  it("ignores unknown types and upstream 'connected'; a time going back counts as the previous one", () => {
    const s = new TurnSegmenter();
    expect(s.push({ type: "ping" })).toBeUndefined();
    expect(s.push({ type: "upstream", data: "connected", at: 5 })).toBeUndefined();
    s.push({ type: "text_delta", data: "a", at: 100_000 });
    const turn = s.push({ type: "text_delta", data: "b", at: 50_000 }); // a clock step back
    expect(turn?.endAt).toBe(100_000);
    expect(s.turns).toHaveLength(1);
  });

  it("the at argument overrides event.at; a content event without any time is a TypeError", () => {
    const s = new TurnSegmenter();
    expect(s.push({ type: "text_delta", data: "a", at: 1 }, 2_000)?.startAt).toBe(2_000);
    expect(() => s.push({ type: "text_delta", data: "a" })).toThrow(TypeError);
    expect(() => s.push({ type: "tool_activity", data: "x", at: Number.NaN })).toThrow(TypeError);
  });

  it("a header is only a header at the start of a chunk; with nothing but statuses before it, it names that turn", () => {
    const s = new TurnSegmenter();
    s.push({ type: "text_delta", data: "Done ✓\n\n**[x | claude]**\n", at: 0 });
    expect(s.turns[0]?.session).toBeNull();
    s.push({ type: "text_delta", data: "**[x | claude]**", at: 1_000 }); // without newline, at the end of a chunk
    expect(s.turns.map((t) => [t.startedBy, t.session?.name ?? null, t.text()])).toEqual([
      ["start", null, "Done ✓\n\n**[x | claude]**\n"],
      ["header", "x", ""],
    ]);
    // Statuses, then a header more than thinkingGapMs later: a new turn after all.
    const late = new TurnSegmenter();
    late.push({ type: "system_status", data: "compacting", at: 0 });
    late.push({ type: "text_delta", data: "**[y | codex]**\n", at: 9_000 });
    expect(late.turns.map((t) => [t.startedBy, t.session?.name ?? null])).toEqual([
      ["start", null],
      ["header", "y"],
    ]);
  });

  it("thinking right after text, or after a tool however long, stays in the turn", () => {
    const s = new TurnSegmenter();
    s.push({ type: "text_delta", data: "Session recovered.\n\n", at: 0 });
    s.push({ type: "system_status", data: "thinking", at: 1_000 });
    s.push({ type: "tool_activity", data: "Shell", at: 2_000 });
    s.push({ type: "system_status", data: "thinking", at: 500_000 }); // an 8-minute test run
    s.push({ type: "text_delta", data: "ok", at: 501_000 });
    s.push({ type: "system_status", data: null, at: 505_000 }); // a cleared label changes nothing
    s.push({ type: "system_status", data: "thinking", at: 507_000 }); // 2 s after the cleared label: < thinkingGapMs
    expect(s.turns).toHaveLength(1);
  });

  it("keeps maxTurns; index keeps counting; onTurnStart/onTurnEnd are called once per turn, in order", () => {
    const log: string[] = [];
    const s = new TurnSegmenter({
      maxTurns: 2,
      quietMs: 10,
      onTurnStart: (t) => log.push(`start ${t.index} ${t.tools.length}`),
      onTurnEnd: (t) => log.push(`end ${t.index}`),
    });
    for (let i = 0; i < 4; i++) s.push({ type: "tool_activity", data: "Read", at: i * 1_000_000 });
    s.close();
    s.close(); // nothing open: nothing called
    expect(s.turns.map((t) => t.index)).toEqual([2, 3]);
    expect(log).toEqual(["start 0 1", "end 0", "start 1 1", "end 1", "start 2 1", "end 2", "start 3 1", "end 3"]);
  });

  it("summarises tools by count then first use, without ×1, at most four names", () => {
    const summary = (names: string[]) => {
      const s = new TurnSegmenter();
      s.push({ type: "text_delta", data: "x", at: 0 });
      for (const name of names) s.push({ type: "tool_activity", data: name, at: 1 });
      return s.turns[0]?.toolSummary;
    };
    expect(summary([])).toBe("no tools");
    expect(summary(["Shell"])).toBe("1 tool: Shell");
    expect(summary(["Read", "Edit", "Read", "Shell", "Edit", "Read"])).toBe("6 tools: Read ×3, Edit ×2, Shell");
    expect(summary(["A", "B", "C", "D", "E", "E", "F"])).toBe("7 tools: E ×2, A, B, C, +2 more");
    expect(summary(["", ""])).toBe("2 tools: (unnamed) ×2");
  });

  it("any stream: every event lands in exactly one turn, in order, and turns never overlap", () => {
    const event = fc.oneof(
      fc.record({ type: fc.constant("text_delta"), data: fc.constantFrom("a", "bc", "**[n | p]**\n", "**[n | p]**\nd") }),
      fc.record({ type: fc.constant("tool_activity"), data: fc.constantFrom("Read", "Shell", "") }),
      fc.record({ type: fc.constant("system_status"), data: fc.constantFrom("thinking", "compacting", null) }),
      fc.record({ type: fc.constantFrom("gap", "upstream", "ping"), data: fc.constantFrom("disconnected", "connected") }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(event, fc.integer({ min: 0, max: 900_000 })), { maxLength: 60 }), (steps) => {
        const s = new TurnSegmenter({ maxTurns: 1_000 });
        let at = 0;
        let tools = 0;
        let text = "";
        for (const [ev, dt] of steps) {
          at += dt;
          s.push({ ...ev, at });
          if (ev.type === "tool_activity") tools++;
          if (ev.type === "text_delta") text += (ev.data as string).replace(/^\*\*\[n \| p\]\*\*\n/, "");
        }
        expect(s.turns.reduce((n, t) => n + t.tools.length, 0)).toBe(tools);
        expect(s.turns.map((t) => t.text()).join("")).toBe(text);
        s.turns.forEach((t, i) => {
          expect(t.index).toBe(i);
          expect(t.endAt).toBeGreaterThanOrEqual(t.startAt);
          expect(t.open).toBe(i === s.turns.length - 1);
          if (i > 0) expect(t.startAt).toBeGreaterThanOrEqual((s.turns[i - 1] as Turn).endAt);
        });
      }),
    );
  });
});

describe("a turn that runs for days", () => {
  it("keeps only the last maxTextChars of its text, counts all of it, and sums up thousands of tools", () => {
    const seg = new TurnSegmenter({ maxTextChars: 10 });
    let at = 1_000;
    for (let i = 0; i < 1_000; i++) {
      seg.push({ type: "text_delta", data: `${i % 10}` }, at++);
      if (i % 2 === 0) seg.push({ type: "tool_activity", data: i % 4 === 0 ? "Shell" : "Read" }, at++);
    }
    const turn = seg.current!;
    expect(turn.textLength).toBe(1_000);
    expect(turn.text()).toBe("0123456789");
    expect(turn.toolSummary).toBe("500 tools: Shell ×250, Read ×250");
    expect(new TurnSegmenter({ maxTextChars: 0 }).push({ type: "text_delta", data: "abc" }, 1)!.text()).toBe("");
  });
});
