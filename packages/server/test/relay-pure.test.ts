/** The relay's pure cores, in Node without sockets: catch-up paging, lifecycle rows, parameters, units, encoders, auth, the gate. */
import { describe, expect, it } from "vitest";
import { bearerToken, tokenMatches } from "../src/relay/auth.js";
import { catchUpPage } from "../src/relay/catch-up.js";
import { jsonlEncoder, markdownEncoder } from "../src/relay/export.js";
import { eventFrame, gapFrame, pingFrame } from "../src/relay/frames.js";
import { lifecycleRow, type LinkRow, type LinkSignal } from "../src/relay/lifecycle.js";
import { parseExportQuery, parseHistoryQuery, parseSearchQuery, parseSince } from "../src/relay/params.js";
import { parseDuration, parseSize } from "../src/relay/units.js";
import { decide } from "../src/serve/gate.js";
import { createHostAllowList } from "../src/serve/hosts.js";
import { FakeStore } from "./relay-support.js";

const filled = (n: number): FakeStore => {
  const store = new FakeStore();
  for (let i = 1; i <= n; i++) store.append("text_delta", `t${i}`, 1000 + i);
  return store;
};
const seqsOf = (frames: string[]) => frames.map((f) => JSON.parse(f) as { type: string; seq?: number; from_seq?: number; to_seq?: number });

describe("catchUpPage", () => {
  it("pages from the cursor to the head, then says caught up", () => {
    const store = filled(10);
    const a = catchUpPage(store, 0, 4);
    expect(seqsOf(a.frames).map((f) => f.seq)).toEqual([1, 2, 3, 4]);
    expect(a).toMatchObject({ cursor: 4, caughtUp: false });
    const b = catchUpPage(store, a.cursor, 100);
    expect(seqsOf(b.frames).map((f) => f.seq)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(b).toMatchObject({ cursor: 10, caughtUp: true });
    expect(catchUpPage(store, 10, 5)).toMatchObject({ frames: [], cursor: 10, caughtUp: true });
  });

  it("a cursor past the head is caught up at once (live only)", () => {
    expect(catchUpPage(filled(3), 50, 10)).toMatchObject({ frames: [], cursor: 50, caughtUp: true });
  });

  it("a gap frame first when events after the cursor were pruned", () => {
    const store = filled(10);
    store.prune(7);
    const page = catchUpPage(store, 2, 100);
    expect(seqsOf(page.frames)).toEqual([
      { type: "gap", from_seq: 3, to_seq: 6 },
      expect.objectContaining({ seq: 7 }),
      expect.objectContaining({ seq: 8 }),
      expect.objectContaining({ seq: 9 }),
      expect.objectContaining({ seq: 10 }),
    ]);
    // Right at the edge: nothing lost, no gap.
    expect(seqsOf(catchUpPage(store, 6, 100).frames)[0]).toMatchObject({ seq: 7 });
    // All pruned: the gap alone, and caught up.
    store.prune(11);
    expect(catchUpPage(store, 0, 100)).toMatchObject({ frames: [gapFrame(1, 10)], cursor: 10, caughtUp: true });
  });

  it("pruning between pages shows up as a gap, never as a silent skip", () => {
    const store = filled(20);
    const a = catchUpPage(store, 0, 5);
    store.prune(12);
    const b = catchUpPage(store, a.cursor, 5);
    expect(seqsOf(b.frames).slice(0, 2)).toEqual([{ type: "gap", from_seq: 6, to_seq: 11 }, expect.objectContaining({ seq: 12 })]);
  });
});

describe("lifecycleRow", () => {
  const run = (signals: LinkSignal[]) => {
    let last: LinkRow | undefined;
    const rows: LinkRow[] = [];
    for (const s of signals) {
      const row = lifecycleRow(last, s);
      if (row) rows.push((last = row));
    }
    return rows;
  };
  it("one row per change: a reconnect loop is one outage", () => {
    expect(run(["open", "reconnecting", "reconnecting", "reconnecting", "open", "open"])).toEqual([
      "connected",
      "disconnected",
      "connected",
    ]);
  });
  it("ductor unreachable at start is recorded; refused is terminal; stopping closes an open link", () => {
    expect(run(["reconnecting", "reconnecting", "open", "stopping"])).toEqual(["disconnected", "connected", "disconnected"]);
    expect(run(["open", "refused", "reconnecting", "stopping"])).toEqual(["connected", "refused"]);
    expect(run(["reconnecting", "stopping"])).toEqual(["disconnected"]);
  });
});

describe("parameters", () => {
  const q = (s: string) => new URLSearchParams(s);
  it("history pages: before | after | latest, limit 1..1000", () => {
    expect(parseHistoryQuery(q("before=10&limit=5"))).toEqual({ ok: true, value: { before: 10, limit: 5 } });
    expect(parseHistoryQuery(q("after=0"))).toEqual({ ok: true, value: { after: 0, limit: 100 } });
    // The client asks for the latest page with before = Number.MAX_SAFE_INTEGER (16 digits).
    expect(parseHistoryQuery(q(`before=${Number.MAX_SAFE_INTEGER}`))).toEqual({
      ok: true,
      value: { before: Number.MAX_SAFE_INTEGER, limit: 100 },
    });
    expect(parseHistoryQuery(q("before=9999999999999999")).ok).toBe(false);
    expect(parseHistoryQuery(q(""))).toEqual({ ok: true, value: { latest: true, limit: 100 } });
    for (const bad of [
      "before=1&after=2",
      "limit=0",
      "limit=1001",
      "before=-1",
      "after=1.5",
      "after=1e3",
      "after=",
      "after=0x1",
      "after=1&after=2",
      "befor=3",
      "limit=%201",
    ])
      expect(parseHistoryQuery(q(bad)).ok, bad).toBe(false);
  });
  it("search: q required once and non-empty; limit capped", () => {
    expect(parseSearchQuery(q("q=fail*&limit=20"))).toEqual({ ok: true, value: { q: "fail*", limit: 20 } });
    for (const bad of ["", "q=", "q=%20%20", "q=a&q=b", "q=a&limit=5000", "q=a&x=1"]) expect(parseSearchQuery(q(bad)).ok, bad).toBe(false);
  });
  it("export: from <= to, format jsonl (default) or md", () => {
    expect(parseExportQuery(q("from=1&to=9&format=md"))).toEqual({ ok: true, value: { from: 1, to: 9, format: "md" } });
    expect(parseExportQuery(q(""))).toEqual({ ok: true, value: { from: undefined, to: undefined, format: "jsonl" } });
    for (const bad of ["from=9&to=1", "format=html", "format=jsonl&format=md", "from=a"])
      expect(parseExportQuery(q(bad)).ok, bad).toBe(false);
  });
  it("since: absent, or a whole number", () => {
    expect(parseSince(q("token=x"))).toEqual({ ok: true, value: undefined });
    expect(parseSince(q("since=42"))).toEqual({ ok: true, value: 42 });
    for (const bad of ["since=", "since=-1", "since=x", "since=1&since=2", "since=9999999999999999"])
      expect(parseSince(q(bad)).ok, bad).toBe(false);
  });
});

describe("units", () => {
  it("durations: s m h d", () => {
    expect(parseDuration("30d")).toBe(30 * 86_400_000);
    expect(parseDuration("12h")).toBe(43_200_000);
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("1.5m")).toBe(90_000);
    for (const bad of ["30", "d", "-1d", "0d", "1w", "1d2h", ""]) expect(() => parseDuration(bad), bad).toThrow(/duration/);
  });
  it("sizes: decimal KB/MB/GB/TB, binary KiB/MiB/GiB/TiB, case-insensitive", () => {
    expect(parseSize("1GB")).toBe(1e9);
    expect(parseSize("512MiB")).toBe(512 * 2 ** 20);
    expect(parseSize("10kb")).toBe(10_000);
    expect(parseSize("2 GiB")).toBe(2 * 2 ** 30);
    expect(parseSize("4096")).toBe(4096);
    for (const bad of ["1XB", "GB", "-1GB", "0", "1.2.3MB"]) expect(() => parseSize(bad), bad).toThrow(/size/);
  });
});

describe("frames and encoders", () => {
  it("the wire frames", () => {
    expect(JSON.parse(pingFrame(7, 3))).toEqual({ type: "ping", relay: { version: 1, head: 7, oldest: 3 } });
    expect(JSON.parse(eventFrame({ seq: 4, at: 5, type: "system_status", data: null }))).toEqual({
      type: "system_status",
      data: null,
      seq: 4,
      at: 5,
    });
    expect(JSON.parse(gapFrame(1, 2))).toEqual({ type: "gap", from_seq: 1, to_seq: 2 });
  });

  const events = [
    { seq: 5, at: 10_000, type: "upstream", data: "connected" },
    { seq: 6, at: 10_100, type: "text_delta", data: "Hello <b>there</b>" },
    { seq: 7, at: 10_050, type: "tool_activity", data: "Shell" }, // the clock stepped back
    { seq: 8, at: 10_300, type: "system_status", data: null },
    { seq: 9, at: 10_400, type: "text_delta", data: "done\n" },
  ];

  it("jsonl: the mock's recording format, t from the first event, never decreasing; upstream rows left out", () => {
    const enc = jsonlEncoder({ from: 5, to: 9, exportedAt: 20_000 });
    const text = enc.head(events[0]) + events.map((e) => enc.event(e)).join("") + enc.tail();
    const lines = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ ductorRecording: 1, recordedAt: new Date(10_000).toISOString(), source: expect.any(String) });
    expect(lines.slice(1)).toEqual([
      { t: 100, event: { type: "text_delta", data: "Hello <b>there</b>" } },
      { t: 100, event: { type: "tool_activity", data: "Shell" } },
      { t: 300, event: { type: "system_status", data: null } },
      { t: 400, event: { type: "text_delta", data: "done\n" } },
    ]);
  });

  it("jsonl: snapshots merged in by time, those before the first event at t = 0", () => {
    const snaps = [
      { path: "/dashboard/sessions", at: 10_000, body: { a: 1 } },
      { path: "/dashboard/tasks", at: 10_200, body: [] },
      { path: "/dashboard/sessions", at: 99_000, body: { a: 2 } },
    ];
    const enc = jsonlEncoder({ from: 5, to: 9, exportedAt: 20_000 }, snaps);
    const text = enc.head(events[0]) + events.map((e) => enc.event(e)).join("") + enc.tail();
    const lines = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.slice(1).map((l) => (l.snapshot ? `${l.t} ${l.snapshot.path}` : `${l.t} ${l.event.type}`))).toEqual([
      "0 /dashboard/sessions",
      "100 text_delta",
      "100 tool_activity",
      "200 /dashboard/tasks",
      "300 system_status",
      "400 text_delta",
      "89000 /dashboard/sessions",
    ]);
    expect(lines[1]).toEqual({ t: 0, snapshot: { path: "/dashboard/sessions", status: 200, body: { a: 1 } } });
  });

  it("md: text as it is, tools as list lines, upstream rows and gaps as notes", () => {
    const enc = markdownEncoder({ from: 1, to: 9, exportedAt: 20_000 });
    const text = enc.head(events[0]) + enc.gap(1, 4) + events.map((e) => enc.event(e)).join("") + enc.tail();
    expect(text).toContain("Hello <b>there</b>\n\n- tool: Shell\n");
    expect(text).toContain("> events 1–4 are no longer kept");
    expect(text).toMatch(/> \[[^\]]+\] connected to ductor/);
    expect(text.endsWith("done\n")).toBe(true);
  });

  it("md: a blank line between text and a note or a tool list, so Markdown keeps the agent's prose out of them", () => {
    const enc = markdownEncoder({ from: 1, to: 9, exportedAt: 0 });
    const at = 1_000;
    const body = [
      { seq: 1, at, type: "system_status", data: "thinking" },
      { seq: 2, at, type: "text_delta", data: "First para" },
      { seq: 3, at, type: "tool_activity", data: "Read" },
      { seq: 4, at, type: "tool_activity", data: "Grep" },
      { seq: 5, at, type: "text_delta", data: "Found it.\n" },
      { seq: 6, at, type: "system_status", data: "compacting" },
      { seq: 7, at, type: "system_status", data: "recovered" },
      { seq: 8, at, type: "text_delta", data: "Done." },
    ]
      .map((e) => enc.event(e))
      .join("");
    expect(body + enc.tail()).toBe(
      "> status: thinking\n\nFirst para\n\n- tool: Read\n- tool: Grep\n\nFound it.\n\n> status: compacting\n\n> status: recovered\n\nDone.\n",
    );
  });
});

describe("auth", () => {
  it("compares whole tokens; missing never matches", () => {
    expect(tokenMatches("abc", "abc")).toBe(true);
    for (const bad of ["abd", "ab", "abcd", "", null, undefined]) expect(tokenMatches(bad, "abc")).toBe(false);
    expect(tokenMatches("", "")).toBe(false);
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(bearerToken("bearer abc")).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});

describe("the gate knows the relay's history endpoints", () => {
  const hosts = createHostAllowList("127.0.0.1", []);
  const ask = (method: string, url: string) =>
    decide({ method, url, host: "127.0.0.1:8080", origin: undefined, upgrade: undefined }, hosts);
  it("GET/HEAD on the three paths are the relay's; anything else is refused", () => {
    for (const url of ["/dashboard/history?after=1", "/dashboard/history/search?q=x", "/dashboard/history/export", "/dashboard/%68istory"])
      expect(ask("GET", url)).toMatchObject({ action: "relay" });
    expect(ask("HEAD", "/dashboard/history")).toMatchObject({ action: "relay" });
    expect(ask("POST", "/dashboard/history")).toMatchObject({ action: "refuse", status: 405 });
    for (const url of ["/dashboard/history/", "/dashboard/history/x", "/dashboard/history/search/x", "/dashboard/history/../status"])
      expect(ask("GET", url).action, url).toBe("refuse");
    expect(
      decide({ method: "GET", url: "/dashboard/history", host: "127.0.0.1:8080", origin: undefined, upgrade: "websocket" }, hosts),
    ).toMatchObject({
      action: "refuse",
      status: 404,
    });
  });
});
