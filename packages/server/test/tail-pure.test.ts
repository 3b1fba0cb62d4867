/**
 * `ductor-dashboard tail`'s pure cores: sanitising hostile text (properties with fast-check), the human and
 * JSON formats, `--since` and the output mode, the activity line, the time search over history, and the
 * one-line failure messages. No sockets here; tail.test.ts runs the command.
 */
import {
  AuthenticationError,
  ConnectionError,
  InternalServerError,
  NotFoundError,
  TimeoutError,
  type HistoryEvent,
  type HistoryPage,
  type HistoryPosition,
  type StreamDataEvent,
  type Turn,
} from "@ductor/dashboard-client";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { outputMode, parseServerUrl, parseSince, serverChoiceProblem } from "../src/tail/args.js";
import { failureMessage } from "../src/tail/failure.js";
import { durationText, HumanFormatter, SGR } from "../src/tail/format.js";
import { eventRecord, gapRecord, openRecord, reconnectingRecord } from "../src/tail/json.js";
import { jsonLine, sanitizeLine, sanitizeText } from "../src/tail/sanitize.js";
import { activityLine, CLEAR_LINE, fitColumns } from "../src/tail/screen.js";
import { resolveSince, seqAtTime } from "../src/tail/since.js";

/** A character no terminal output of the tail may carry from the stream: C0 but \t \n, DEL, C1, bidi controls. */
function unsafeAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
      return i;
  }
  return -1;
}
const ESC = "\x1b";

/** Strings rich in what terminals interpret: controls, escape introducers, sequence bytes, and ordinary text. */
const hostile = fc
  .array(
    fc.oneof(
      fc.constantFrom(ESC, "\x07", "\x08", "\r", "\n", "\t", "\x7f", "\x9b", "\x9d", "\x90", "\x9c", "\u202e", "\u2066", "\x00", "\x05"),
      fc.constantFrom("[", "]", "\\", ";", "P", "_", "^", "2J", "52;c;", "8;;", "31m", "?25l", "0K", "A"),
      fc.string({ unit: "grapheme", maxLength: 4 }),
      fc.string({ unit: "binary", maxLength: 4 }),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(""));

describe("sanitizeText", () => {
  it("makes the classic attacks inert and visible", () => {
    expect(sanitizeText("\x1b]52;c;cm0gLXJmIH4K\x07")).toBe("␛]52;c;cm0gLXJmIH4K␇"); // clipboard write
    expect(sanitizeText("a\x1b]8;;javascript:alert(1)\x1b\\click\x1b]8;;\x1b\\b")).toBe("a␛]8;;javascript:alert(1)␛\\click␛]8;;␛\\b");
    expect(sanitizeText("before\x1b[2Jafter")).toBe("beforeafter"); // clear screen: a CSI, dropped whole
    expect(sanitizeText("\x1b]0;pwned title\x07")).toBe("␛]0;pwned title␇");
    expect(sanitizeText("\x9b2J\x9d52;c;x\x9c")).toBe("<9D>52;c;x<9C>"); // C1 CSI dropped whole, C1 OSC/ST shown
    expect(sanitizeText("rm -rf /\rls -la   ")).toBe("rm -rf /\nls -la   "); // a carriage return cannot overwrite
    expect(sanitizeText("safe\x08\x08\x08\x08evil")).toBe("safe␈␈␈␈evil");
    expect(sanitizeText("bell\x07\x00\x7f")).toBe("bell␇␀␡");
    expect(sanitizeText("abc\u202edcba")).toBe("abc<U+202E>dcba");
    expect(sanitizeText("\x1bP+q544e\x1b\\")).toBe("␛P+q544e␛\\"); // DCS request
  });

  it("drops colours and cursor moves from tool output, keeps \\n, \\t and \\r\\n as \\n", () => {
    expect(sanitizeText("\x1b[1m\x1b[32m✓\x1b[0m build\t(1.92s)\r\n")).toBe("✓ build\t(1.92s)\n");
    expect(sanitizeText("\x1b[0K\r[=====>    ] 52%\r[==========] 100%\n")).toBe("\n[=====>    ] 52%\n[==========] 100%\n");
    expect(sanitizeText("\x1b[?25l\x1b[3A\x1b[38;2;255;0;0mx")).toBe("x");
  });

  it("leaves Unicode text alone: emoji, RTL, CJK, combining marks", () => {
    const text = "# Notes — v3\n👩‍💻 数据 مرحبا שלום e\u0301 Z\u0335\u0321a\n\t- done\n";
    expect(sanitizeText(text)).toBe(text);
  });

  it("property: the output never holds ESC, C1, BEL, BS, CR, DEL or a bidi control", () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const out = sanitizeText(text);
        expect(unsafeAt(out), JSON.stringify(out)).toBe(-1);
      }),
      { numRuns: 2_000 },
    );
  });

  it("property: idempotent, and text without controls passes unchanged", () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const once = sanitizeText(text);
        expect(sanitizeText(once)).toBe(once);
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (text) => {
        if (unsafeAt(text) === -1 && !text.includes("\r")) expect(sanitizeText(text)).toBe(text);
      }),
    );
  });

  it("sanitizeLine: one line (\\n, \\t visible), cut with …, never half a surrogate pair", () => {
    expect(sanitizeLine("Re\nad\tx\x1b[31m")).toBe("Re␊ad␉x");
    expect(sanitizeLine("x".repeat(300), 10)).toBe(`${"x".repeat(9)}…`);
    expect(sanitizeLine(`${"x".repeat(8)}😀😀`, 10)).toBe(`${"x".repeat(8)}…`);
    fc.assert(
      fc.property(hostile, fc.integer({ min: 2, max: 50 }), (text, max) => {
        const out = sanitizeLine(text, max);
        expect(unsafeAt(out)).toBe(-1);
        expect(out).not.toMatch(/[\n\t]/);
        expect(out.length).toBeLessThanOrEqual(max);
      }),
    );
  });
});

describe("jsonLine", () => {
  it("property: one line, no raw control character, parses back to the same value", () => {
    fc.assert(
      fc.property(hostile, fc.option(fc.nat()), (data, seq) => {
        const value = seq === null ? { type: "text_delta", data } : { type: "text_delta", data, seq };
        const line = jsonLine(value);
        expect(line.endsWith("\n")).toBe(true);
        expect(line.indexOf("\n")).toBe(line.length - 1);
        expect(unsafeAt(line.slice(0, -1))).toBe(-1);
        expect(line).not.toMatch(/[\u2028\u2029]/);
        expect(JSON.parse(line)).toEqual(value);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe("the JSON records", () => {
  it("events as the wire has them; lifecycle lines of their own", () => {
    expect(eventRecord({ type: "text_delta", data: "hi" })).toEqual({ type: "text_delta", data: "hi" });
    expect(JSON.stringify(eventRecord({ type: "system_status", data: null, seq: 4, at: 1000 }))).toBe(
      '{"type":"system_status","data":null,"seq":4,"at":1000}',
    );
    expect(gapRecord({ type: "gap", fromSeq: 3, toSeq: 9 })).toEqual({ type: "gap", from_seq: 3, to_seq: 9 });
    expect(openRecord({ at: 5, connection: 2, relay: { version: 1, head: 9, oldest: 1 }, resumed: true, since: 7 })).toEqual({
      type: "open",
      at: 5,
      connection: 2,
      relay: { version: 1, head: 9, oldest: 1 },
      resumed: true,
      since: 7,
    });
    expect(openRecord({ at: 5, connection: 1, relay: null, resumed: false })).toEqual({
      type: "open",
      at: 5,
      connection: 1,
      relay: null,
      resumed: false,
    });
    expect(reconnectingRecord({ attempt: 1, delayMs: 500, at: 9, code: 1006, error: new ConnectionError("stream: gone") })).toEqual({
      type: "reconnecting",
      attempt: 1,
      delay_ms: 500,
      retry_at: 9,
      code: 1006,
      error: "stream: gone",
    });
  });
});

const time = (ms: number) => `T${ms}`;
const plain = (opts: { color?: boolean } = {}) => new HumanFormatter({ color: opts.color ?? false, time, now: () => 42 });

describe("HumanFormatter", () => {
  it("text as it comes, a line per tool, dim statuses (repeats and null not printed), upstream rows", () => {
    const f = plain();
    const events: StreamDataEvent[] = [
      { type: "system_status", data: "thinking" },
      { type: "system_status", data: "thinking" },
      { type: "text_delta", data: "Let me look" },
      { type: "text_delta", data: " at the test.\n" },
      { type: "tool_activity", data: "Read" },
      { type: "tool_activity", data: "" },
      { type: "text_delta", data: "Found it" },
      { type: "system_status", data: "thinking" },
      { type: "system_status", data: null },
      { type: "system_status", data: "compacting" },
      { type: "upstream", data: "disconnected", seq: 9, at: 7 },
      { type: "upstream", data: "connected", seq: 10, at: 8 },
      { type: "upstream", data: "refused", seq: 11, at: 9 },
      { type: "upstream", data: "odd\x1b[2J", seq: 12 },
    ];
    expect(events.map((e) => f.event(e)).join("")).toBe(
      [
        "· thinking",
        "Let me look at the test.",
        "⚙ Read",
        "⚙ (unnamed tool)",
        "Found it",
        "· thinking",
        "· compacting",
        "— the relay lost ductor · T7 (what ductor sends until it is back is lost) —",
        "— ductor connected to the relay · T8 —",
        "— ductor refused the relay's token · T9 —",
        "— relay: odd · T42 —",
        "",
      ].join("\n"),
    );
  });

  it("the link: one line when it goes down, one when it is back, saying whether anything was missed", () => {
    const f = plain();
    const relay = { version: 1 as const, head: 20, oldest: 1 };
    expect(f.reconnecting({ attempt: 1, delayMs: 1, at: 1 })).toBe(""); // before the first open: the shell gives up instead
    expect(f.open({ at: 1, connection: 1, relay, resumed: false }, "http://r/")).toBe(
      "— connected to the relay at http://r/ · history #1–#20 · T1 —\n",
    );
    expect(f.event({ type: "text_delta", data: "half a line" })).toBe("half a line");
    expect(f.reconnecting({ attempt: 1, delayMs: 500, at: 2, code: 1006 }, 2)).toBe("\n— disconnected T2 (code 1006), reconnecting… —\n");
    expect(f.reconnecting({ attempt: 2, delayMs: 900, at: 3 }, 3)).toBe(""); // not once per attempt
    expect(f.open({ at: 4, connection: 2, relay, resumed: true, since: 20 }, "http://r/")).toBe("— resumed T4, nothing missed —\n");
    f.reconnecting({ attempt: 1, delayMs: 1, at: 5, code: 1006 }, 5);
    expect(f.open({ at: 6, connection: 3, relay: { ...relay, oldest: 30, head: 40 }, resumed: false, since: 20 }, "http://r/")).toBe(
      "— reconnected T6; some events were pruned before they could be resent —\n",
    );
    expect(f.gap({ type: "gap", fromSeq: 21, toSeq: 29 })).toBe(
      "— events #21–#29 were pruned from the relay's history before they could be shown —\n",
    );
    f.reconnecting({ attempt: 1, delayMs: 1, at: 7, code: 1006 }, 7);
    expect(f.open({ at: 8, connection: 4, relay: { ...relay, head: 3 }, resumed: false, since: 40 }, "http://r/")).toMatch(
      /history was reset/,
    );

    const d = plain();
    expect(d.open({ at: 1, connection: 1, relay: null, resumed: false }, "http://d/")).toBe("— connected to ductor at http://d/ · T1 —\n");
    d.reconnecting({ attempt: 1, delayMs: 1, at: 2, code: 1001, reason: "server shutdown" }, 2);
    expect(d.open({ at: 3, connection: 2, relay: null, resumed: false }, "http://d/")).toBe(
      "— reconnected T3; what ductor sent while disconnected is lost —\n",
    );
  });

  it("--since: says history comes first, and marks where live output begins", () => {
    const f = plain();
    const out = f.open({ at: 1, connection: 1, relay: { version: 1, head: 12, oldest: 1 }, resumed: true, since: 10 }, "http://r/");
    expect(out).toContain("— history after #10, then live —\n");
    expect(f.event({ type: "text_delta", data: "eleven\n", seq: 11, at: 1 })).toBe("eleven\n");
    expect(f.event({ type: "text_delta", data: "twelve\n", seq: 12, at: 1 })).toBe("twelve\n— live —\n");
    expect(f.event({ type: "text_delta", data: "thirteen\n", seq: 13, at: 1 })).toBe("thirteen\n");
    const g = plain();
    expect(g.open({ at: 1, connection: 1, relay: { version: 1, head: 12, oldest: 1 }, resumed: false, since: 50 }, "u")).toMatch(
      /#50 is beyond the relay's head #12.*live only/,
    );
  });

  it("turn headers and summaries, sanitised", () => {
    const f = plain();
    const turn = {
      index: 2,
      startAt: 5,
      durationMs: 161_000,
      session: { name: "notes\x1b]52;c;x\x07", provider: "codex" },
      tools: [{ name: "Read", at: 5 }],
      toolSummary: "1 tool: Read\x1b[2J",
      gap: true,
    } as unknown as Turn;
    expect(f.turnStart(turn)).toBe("── turn 3 · T5 · notes␛]52;c;x␇ (codex) · events may be missing ──\n");
    expect(f.turnEnd(turn)).toBe("── end of turn 3 · 2 min 41 s · 1 tool: Read ──\n");
    expect(durationText(3_725_000)).toBe("1 h 2 min");
  });

  it("property: with colours on, the only escape sequences in the output are the tail's own SGR", () => {
    const event = fc.oneof(
      hostile.map((data) => ({ type: "text_delta", data }) as StreamDataEvent),
      hostile.map((data) => ({ type: "tool_activity", data }) as StreamDataEvent),
      fc.option(hostile).map((data) => ({ type: "system_status", data }) as StreamDataEvent),
      hostile.map((data) => ({ type: "upstream", data, seq: 1, at: 1 }) as StreamDataEvent),
    );
    const ours = new RegExp(
      Object.values(SGR)
        .map((s) => s.replace("[", "\\["))
        .join("|"),
      "g",
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 20 }), (events) => {
        const f = plain({ color: true });
        const out = events.map((e) => f.event(e)).join("") + f.breakLine();
        const rest = out.replace(ours, "");
        expect(rest.includes(ESC), JSON.stringify(rest)).toBe(false);
        expect(unsafeAt(rest)).toBe(-1);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe("--since, --ductor and the output mode", () => {
  it("parses every documented form", () => {
    expect(parseSince("now")).toEqual({ kind: "now" });
    expect(parseSince("all")).toEqual({ kind: "all" });
    expect(parseSince("1200")).toEqual({ kind: "seq", seq: 1200 });
    expect(parseSince("0")).toEqual({ kind: "seq", seq: 0 });
    expect(parseSince("10m")).toEqual({ kind: "ago", ms: 600_000 });
    expect(parseSince("2h")).toEqual({ kind: "ago", ms: 7_200_000 });
    expect(parseSince("90s")).toEqual({ kind: "ago", ms: 90_000 });
    expect(parseSince("2026-04-21T10:00:00Z")).toEqual({ kind: "at", epochMs: Date.UTC(2026, 3, 21, 10) });
    expect(parseSince("2026-04-21T10:00")).toEqual({ kind: "at", epochMs: new Date(2026, 3, 21, 10).getTime() }); // local
    for (const bad of ["", "-5", "10x", "1.5", "yesterday", "2026-04-21", "99999999999999999999"]) {
      expect(() => parseSince(bad), bad).toThrow(/--since/);
    }
  });

  it("--ductor must be an http(s) URL", () => {
    expect(parseServerUrl("http://127.0.0.1:8741")).toBe("http://127.0.0.1:8741");
    // The dashboard's one-click link: its #token= fragment is dropped, so it is never printed nor used.
    expect(parseServerUrl("http://127.0.0.1:8080/#token=secret-value")).toBe("http://127.0.0.1:8080/");
    expect(() => parseServerUrl("127.0.0.1:8741")).toThrow();
    expect(() => parseServerUrl("ws://x/")).toThrow(/http/);
  });

  it("escape sequences and the activity line only on a terminal that wants them", () => {
    const tty = { json: false, color: true, isTTY: true, env: {} };
    expect(outputMode(tty)).toEqual({ color: true, activity: true });
    expect(outputMode({ ...tty, json: true })).toEqual({ color: false, activity: false });
    expect(outputMode({ ...tty, color: false })).toEqual({ color: false, activity: false });
    expect(outputMode({ ...tty, isTTY: false })).toEqual({ color: false, activity: false });
    expect(outputMode({ ...tty, env: { NO_COLOR: "1" } })).toEqual({ color: false, activity: false });
    expect(outputMode({ ...tty, env: { NO_COLOR: "" } })).toEqual({ color: true, activity: true }); // no-color.org: empty is unset
    expect(outputMode({ ...tty, env: { TERM: "dumb" } })).toEqual({ color: false, activity: false });
  });
});

describe("the activity line", () => {
  it("is sanitised, dim, and never wider than the terminal less one column", () => {
    expect(activityLine("Running Shell · 12 s", 80, false)).toBe("▸ Running Shell · 12 s");
    expect(activityLine("Running Re\x1b]52;c;x\x07ad · 1 s", 80, true)).toBe(`${SGR.dim}▸ Running Re␛]52;c;x␇ad · 1 s${SGR.reset}`);
    expect(activityLine("x".repeat(100), 20, false)).toBe(`▸ ${"x".repeat(16)}…`);
    expect(activityLine("x".repeat(100), 0, false)).toHaveLength(79); // no size known (a pty without one): 80
    expect(fitColumns("数据数据数据", 7)).toBe("数据数…");
    expect(CLEAR_LINE).toBe("\r\x1b[2K");
  });
});

/** A relay's history in memory: `page({after}|{before}, {limit})` over events with seq and at. */
function fakeHistory(events: HistoryEvent[], oldest: number, head: number) {
  const calls: HistoryPosition[] = [];
  return {
    calls,
    async page(position: HistoryPosition, opts?: { limit?: number }): Promise<HistoryPage> {
      calls.push(position);
      const limit = opts?.limit ?? 100;
      const picked =
        "after" in position
          ? events.filter((e) => e.seq > position.after).slice(0, limit)
          : events.filter((e) => e.seq < position.before).slice(-limit);
      return { events: picked, oldest, head };
    },
  };
}
const ev = (seq: number, at: number): HistoryEvent => ({ seq, at, type: "text_delta", data: `#${seq}` });

describe("--since against the relay's history", () => {
  it("seqAtTime: the first seq from which everything arrived at or after the time, in log2 requests", async () => {
    const events = Array.from({ length: 1000 }, (_, i) => ev(i + 101, 10_000 + i * 10)); // seq 101..1100, oldest 101
    const history = fakeHistory(events, 101, 1100);
    const first = await history.page({ after: 0 }, { limit: 1 });
    expect(await seqAtTime(history, 0, first)).toBe(101); // everything
    expect(await seqAtTime(history, 10_000 + 500 * 10, first)).toBe(601);
    expect(await seqAtTime(history, 10_000 + 500 * 10 - 5, first)).toBe(601); // between two events
    expect(await seqAtTime(history, 99_999_999, first)).toBe(1101); // nothing: live only
    history.calls.length = 0;
    await seqAtTime(history, 12_345, first);
    expect(history.calls.length).toBeLessThanOrEqual(11);
  });

  it("property: seqAtTime agrees with a linear scan, equal times and holes included", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ skip: fc.nat(3), dt: fc.nat(5) }), { maxLength: 40 }), fc.nat(150), async (steps, target) => {
        let seq = 5;
        let at = 0;
        const events = steps.map(({ skip, dt }) => ev((seq += 1 + skip), (at += dt)));
        const head = events.at(-1)?.seq ?? 5;
        const oldest = events[0]?.seq ?? head + 1;
        const history = fakeHistory(events, oldest, head);
        const got = await seqAtTime(history, target, await history.page({ after: 0 }, { limit: 1 }));
        // Everything from `got` on arrived at or after target; the event before it (if any) arrived earlier.
        expect(events.filter((e) => e.seq >= got).every((e) => e.at >= target)).toBe(true);
        const before = events.filter((e) => e.seq < got).at(-1);
        if (before) expect(before.at).toBeLessThan(target);
        else expect(got).toBe(oldest);
      }),
    );
  });

  it("resolveSince: all from the oldest retained (no gap to announce), seq as given, times by search", async () => {
    const events = Array.from({ length: 50 }, (_, i) => ev(i + 11, 1_000 * i));
    const history = fakeHistory(events, 11, 60);
    expect(await resolveSince(history, { kind: "all" }, 0)).toEqual({ since: 10, head: 60, oldest: 11 });
    expect((await resolveSince(history, { kind: "seq", seq: 3 }, 0)).since).toBe(3);
    expect((await resolveSince(history, { kind: "ago", ms: 10_000 }, 49_000)).since).toBe(49); // seq 50 arrived at 39 000
    expect((await resolveSince(history, { kind: "at", epochMs: 45_500 }, 0)).since).toBe(56);
  });
});

describe("failureMessage", () => {
  const url = "http://127.0.0.1:8741";
  it("one line saying what to do", () => {
    expect(failureMessage(new AuthenticationError(401, {}, new Headers()), url)).toBe(
      `${url} refused the token (401): check $DUCTOR_API_TOKEN or --token-file`,
    );
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8741"), { code: "ECONNREFUSED" });
    expect(failureMessage(new ConnectionError("stream: connect ECONNREFUSED", { cause: refused }), url)).toBe(
      `cannot reach ${url}: connection refused (nothing listens there?)`,
    );
    const nested = new TypeError("fetch failed", { cause: new AggregateError([refused]) });
    expect(failureMessage(new ConnectionError("GET /x", { cause: nested }), url)).toMatch(/connection refused/);
    expect(failureMessage(new ConnectionError("stream: Unexpected server response: 403"), url)).toBe(
      `cannot reach ${url}: Unexpected server response: 403`,
    );
    expect(failureMessage(new TimeoutError('stream: no {"type":"ping"} within 15000 ms'), url)).toMatch(/^no answer from/);
    expect(failureMessage(new NotFoundError(404, "", new Headers()), url)).toMatch(/--since needs a relay/);
    expect(failureMessage(new InternalServerError(502, "bad\x1b[2J gateway", new Headers()), url)).toMatch(/^http\S+ answered 502: /);
    expect(failureMessage(new InternalServerError(502, "bad\x1b[2J gateway", new Headers()), url)).not.toContain(ESC);
  });
});

describe("--server against what the URL serves", () => {
  const url = "http://127.0.0.1:8080/";
  it("needs a name with several ductors, and one of theirs; none with one ductor or plain ductor", () => {
    expect(serverChoiceProblem(undefined, undefined, url)).toBeUndefined();
    expect(serverChoiceProblem(["ductor"], undefined, url)).toBeUndefined();
    expect(serverChoiceProblem(["home", "work"], "work", url)).toBeUndefined();
    expect(serverChoiceProblem(["home", "work"], undefined, url)).toMatch(/several ductors \(home, work\): say which with --server/);
    expect(serverChoiceProblem(["home", "work"], "nope", url)).toMatch(/no ductor named nope \(it serves home, work\)/);
    expect(serverChoiceProblem(["ductor"], "ductor", url)).toMatch(/serves one ductor.*leave out --server ductor/);
    expect(serverChoiceProblem(undefined, "work", url)).toMatch(/lists no ductors/);
  });
});
