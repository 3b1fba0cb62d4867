import { startMockServer } from "@ductor/mock-server";
import { afterEach, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  BadRequestError,
  DashboardClient,
  NotFoundError,
  ProtocolError,
  ResponseTooLargeError,
  type HistoryEvent,
} from "../src/index.js";
import { json, rejection, text } from "./helpers/peer.js";
import { startRelayPeer, type RelayPeer } from "./helpers/relay.js";

// client.history against the relay test peer (real HTTP): the happy paths, the relay's 400, and bodies that
// break the contract, each a typed error.

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function setup(events = 10): Promise<{ peer: RelayPeer; client: DashboardClient }> {
  const peer = await startRelayPeer();
  closers.push(() => peer.close());
  peer.append("upstream", "connected");
  for (let i = 2; i <= events; i++) peer.append(i % 3 === 0 ? "system_status" : "text_delta", i % 3 === 0 ? null : `line ${i} ✓\n`);
  return { peer, client: new DashboardClient({ baseUrl: peer.url, token: peer.token, maxRetries: 0 }) };
}

describe("client.history", () => {
  it("pages back and forward, ascending, with the relay's oldest and head", async () => {
    const { peer, client } = await setup(10);
    peer.prune(2);
    const last = await client.history.page({ before: 11 }, { limit: 3 });
    expect(last.events.map((e) => e.seq)).toEqual([8, 9, 10]);
    expect(last).toMatchObject({ oldest: 2, head: 10 });
    expect(last.events[0]).toEqual({ seq: 8, at: expect.any(Number), type: "text_delta", data: "line 8 ✓\n" } satisfies HistoryEvent);
    expect(last.events[1]).toMatchObject({ type: "system_status", data: null });
    const earlier = await client.history.page({ before: last.events[0]!.seq }, { limit: 100 });
    expect(earlier.events.map((e) => e.seq)).toEqual([2, 3, 4, 5, 6, 7]);
    const after = await client.history.page({ after: 0 }, { limit: 2 });
    expect(after.events.map((e) => e.seq)).toEqual([2, 3]);
    const none = await client.history.page({ after: 10 });
    expect(none).toEqual({ events: [], oldest: 2, head: 10 });
    expect(peer.requests).toEqual([
      "/dashboard/history?before=11&limit=3",
      "/dashboard/history?before=8&limit=100",
      "/dashboard/history?after=0&limit=2",
      "/dashboard/history?after=10",
    ]);
  });

  it("searches, newest first, sending the query encoded", async () => {
    const { peer, client } = await setup(10);
    peer.append("text_delta", "a&b=c ?#% ünï\n");
    expect(await client.history.search("line", { limit: 2 })).toEqual([
      { seq: 10, at: expect.any(Number), snippet: "line 10 ✓\n" },
      { seq: 8, at: expect.any(Number), snippet: "line 8 ✓\n" },
    ]);
    expect(await client.history.search("a&b=c ?#% ünï")).toEqual([{ seq: 11, at: expect.any(Number), snippet: "a&b=c ?#% ünï\n" }]);
    expect(await client.history.search("nothing like it")).toEqual([]);
    expect(peer.requests[1]).toBe("/dashboard/history/search?q=a%26b%3Dc%20%3F%23%25%20%C3%BCn%C3%AF");
  });

  it("turns the relay's 400 into a BadRequestError with its message, not retried", async () => {
    const { peer } = await setup(3);
    const client = new DashboardClient({ baseUrl: peer.url, token: peer.token }); // default retries
    const error = await rejection(client.history.search('"unbalanced'));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.message).toBe('400 fts5: syntax error near ""unbalanced"');
    expect((error as BadRequestError).body).toEqual({ error: 'fts5: syntax error near ""unbalanced"' });
    expect(peer.requests).toHaveLength(1);
  });

  it("exports a range as JSON lines (a mock-server recording) or Markdown", async () => {
    const { peer, client } = await setup(5);
    const jsonl = await client.history.export({ from: 2, to: 4, format: "jsonl" });
    const lines = jsonl
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ ductorRecording: 1 });
    expect(lines.slice(1).map((l) => l.event)).toEqual([
      { type: "text_delta", data: "line 2 ✓\n" },
      { type: "system_status", data: null },
      { type: "text_delta", data: "line 4 ✓\n" },
    ]);
    expect(await client.history.export({ from: 2, to: 2, format: "md" })).toBe("line 2 ✓\n");
    expect(peer.requests).toEqual([
      "/dashboard/history/export?from=2&to=4&format=jsonl",
      "/dashboard/history/export?from=2&to=2&format=md",
    ]);
  });

  it("keeps an export within the client's body cap (per call too)", async () => {
    const { peer } = await setup(200);
    const small = new DashboardClient({ baseUrl: peer.url, token: peer.token, maxBodyBytes: 1024 });
    const error = await rejection(small.history.export({ from: 1, to: 200, format: "md" }));
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error.message).toMatch(/history\/export.*1 KiB cap/);
    expect((await small.history.export({ from: 1, to: 200, format: "md", maxBodyBytes: 1 << 20 })).length).toBeGreaterThan(1024);
  });

  it("refuses bad arguments with a TypeError, before any request", async () => {
    const { peer, client } = await setup(1);
    const h = client.history;
    const bad: Array<[() => Promise<unknown>, RegExp]> = [
      [() => h.page({} as { before: number }), /either `\{ before: seq \}` or `\{ after: seq \}`/],
      [() => h.page({ before: 1, after: 2 } as unknown as { before: number }), /either/],
      [() => h.page({ before: -1 }), /`before` must be a non-negative integer, got -1/],
      [() => h.page({ after: 1.5 }), /`after` must be a non-negative integer/],
      [() => h.page({ after: "3" as unknown as number }), /got "3"/],
      [() => h.page({ after: 0 }, { limit: 0 }), /`limit` must be a positive integer/],
      [() => h.search(""), /non-empty string/],
      [() => h.search("  "), /non-empty string/],
      [() => h.search(3 as unknown as string), /non-empty string, got 3/],
      [() => h.search("x", { limit: 2.5 }), /`limit` must be a positive integer/],
      [() => h.export({ from: 5, to: 4, format: "md" }), /`to` \(4\) is before `from` \(5\)/],
      [() => h.export({ from: 1, to: 4, format: "csv" as "md" }), /"jsonl" or "md", got "csv"/],
      [() => h.export({ to: 4, format: "md" } as unknown as { from: number; to: number; format: "md" }), /`from` must be/],
    ];
    for (const [call, message] of bad) {
      const error = await rejection(call());
      expect(error, String(message)).toBeInstanceOf(TypeError);
      expect(error.message).toMatch(message);
    }
    expect(peer.requests).toEqual([]);
  });

  it.each([
    ["events not an array", { events: {}, oldest: 1, head: 1 }, /history\.events: expected array, got object/],
    [
      "a float seq",
      { events: [{ seq: 1.5, at: 1, type: "text_delta", data: "x" }], oldest: 1, head: 2 },
      /events\[0\]\.seq: expected integer/,
    ],
    [
      "a negative at",
      { events: [{ seq: 1, at: -5, type: "text_delta", data: "x" }], oldest: 1, head: 1 },
      /events\[0\]\.at: expected non-negative integer/,
    ],
    [
      "a numeric data",
      { events: [{ seq: 1, at: 1, type: "text_delta", data: 3 }], oldest: 1, head: 1 },
      /events\[0\]\.data: expected string or null/,
    ],
    ["a missing type", { events: [{ seq: 1, at: 1, data: "x" }], oldest: 1, head: 1 }, /events\[0\]\.type: expected string/],
    [
      "descending events",
      {
        events: [
          { seq: 2, at: 1, type: "text_delta", data: "x" },
          { seq: 1, at: 1, type: "text_delta", data: "y" },
        ],
        oldest: 1,
        head: 2,
      },
      /not in ascending seq \(2 then 1\)/,
    ],
    ["no head", { events: [], oldest: 1 }, /history\.head: expected integer/],
    ["an array body", [], /history: expected object, got array/],
  ])("refuses a page with %s as a ProtocolError", async (_what, body, message) => {
    const { peer, client } = await setup(1);
    peer.override = (_req, res) => (json(res, 200, body), true);
    const error = await rejection(client.history.page({ after: 0 }));
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message).toMatch(message);
  });

  it("refuses malformed search answers and non-JSON pages as ProtocolErrors", async () => {
    const { peer, client } = await setup(1);
    const answers: Array<[(res: Parameters<typeof json>[0]) => void, RegExp]> = [
      [(res) => json(res, 200, { hits: [{ seq: 1, at: 1 }] }), /search\.hits\[0\]\.snippet: expected string/],
      [(res) => json(res, 200, { results: [] }), /search\.hits: expected array/],
      [(res) => json(res, 200, '{"hits": [', {}), /invalid or truncated JSON/],
      [(res) => text(res, 200, "<html>Sign in</html>", "text/html"), /expected JSON, got text\/html/],
    ];
    for (const [answer, message] of answers) {
      peer.override = (_req, res) => (answer(res), true);
      const error = await rejection(client.history.search("x"));
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error.message).toMatch(message);
    }
    peer.override = (_req, res) => (text(res, 200, "<html>Sign in</html>", "text/html; charset=utf-8"), true);
    const error = await rejection(client.history.export({ from: 1, to: 1, format: "jsonl" }));
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message).toMatch(/expected JSON lines, got text\/html: <html>Sign in/);
  });

  it("sends the token as Bearer (a wrong one is an AuthenticationError)", async () => {
    const { peer } = await setup(1);
    const wrong = new DashboardClient({ baseUrl: peer.url, token: "nope" });
    expect(await rejection(wrong.history.page({ after: 0 }))).toBeInstanceOf(AuthenticationError);
  });

  it("against plain ductor (the mock server) is a NotFoundError: there is no history there", async () => {
    const m = await startMockServer({ autoplay: "manual" });
    closers.push(() => m.close());
    const client = new DashboardClient({ baseUrl: m.url, token: m.token, maxRetries: 0 });
    expect(await rejection(client.history.page({ before: 10 }))).toBeInstanceOf(NotFoundError);
    expect(await rejection(client.history.search("x"))).toBeInstanceOf(NotFoundError);
    expect(await rejection(client.history.export({ from: 1, to: 2, format: "md" }))).toBeInstanceOf(NotFoundError);
  });
});
