/**
 * The relay's history REST endpoints on a real relay in front of the real mock: pages, search, export, the
 * 401/400/405 answers; and an exported jsonl replayed by the real mock server, frame for frame.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockServer, type MockServer } from "@ductor/mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createRingStore } from "../src/history/ring-store.js";
import { startDashboardServer, type DashboardServer } from "../src/serve.js";
import { siteDir } from "./helpers.js";
import { FAST_UPSTREAM, FakeStore, waitFor } from "./relay-support.js";

let mock: MockServer;
let dash: DashboardServer;
let store: FakeStore;
let tmp: string;
const cleanups: (() => unknown)[] = [];

const TEXTS = [
  "Let me look at the failing test.\n",
  "It fails because `parse()` drops the last line.\n",
  "<script>alert(1)</script> is text\n",
];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "dd-relay-history-"));
  mock = await startMockServer({});
  store = new FakeStore();
  dash = await startDashboardServer({ ductor: mock.url, siteDir, token: mock.token, historyStore: store, relay: FAST_UPSTREAM });
  await waitFor(() => dash.relay?.stats().upstream === "connected", 10_000, "upstream");
  mock.broadcast({ type: "system_status", data: "thinking" });
  mock.broadcast({ type: "text_delta", data: TEXTS[0]! });
  mock.broadcast({ type: "tool_activity", data: "Read" });
  mock.broadcast({ type: "system_status", data: null });
  mock.broadcast({ type: "text_delta", data: TEXTS[1]! });
  mock.broadcast({ type: "tool_activity", data: "Shell" });
  mock.broadcast({ type: "text_delta", data: TEXTS[2]! });
  await waitFor(() => store.head() === 8, 5_000, "8 events"); // 1 = upstream connected
});
afterAll(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
  await dash?.close();
  await mock?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const get = (path: string, init: { token?: string | null; method?: string } = {}) =>
  fetch(new URL(path, dash.url), {
    method: init.method ?? "GET",
    headers: init.token === null ? {} : { authorization: `Bearer ${init.token ?? mock.token}` },
  });

interface Page {
  events: { seq: number; at: number; type: string; data: string | null }[];
  oldest: number;
  head: number;
}

describe("GET /dashboard/history", () => {
  it("pages by after, before, or the latest; ascending, with oldest and head", async () => {
    const after = (await (await get("/dashboard/history?after=2&limit=3")).json()) as Page;
    expect(after.events.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(after).toMatchObject({ oldest: 1, head: 8 });
    expect(after.events[0]).toEqual({ seq: 3, at: expect.any(Number), type: "text_delta", data: TEXTS[0] });
    const before = (await (await get("/dashboard/history?before=4&limit=10")).json()) as Page;
    expect(before.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(before.events[0]).toMatchObject({ type: "upstream", data: "connected" });
    const latest = (await (await get("/dashboard/history?limit=2")).json()) as Page;
    expect(latest.events.map((e) => e.seq)).toEqual([7, 8]);
    const past = (await (await get("/dashboard/history?after=8")).json()) as Page;
    expect(past.events).toEqual([]);
  });

  it("401 without the token or with another; the check is ductor's exact `Bearer ` prefix", async () => {
    for (const token of [null, "wrong", `x${mock.token}`, mock.token.slice(1)]) {
      const res = await get("/dashboard/history", { token });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: "unauthorized" });
    }
    const lower = await fetch(new URL("/dashboard/history", dash.url), { headers: { authorization: `bearer ${mock.token}` } });
    expect(lower.status).toBe(401);
  });

  it("400 with a JSON message for every bad parameter", async () => {
    for (const query of [
      "before=1&after=1",
      "limit=0",
      "limit=1001",
      "limit=abc",
      "after=-5",
      "after=1.5",
      "after=1e2",
      "after=%20",
      "after=99999999999999999999",
      "after=1&after=2",
      "since=3",
    ]) {
      const res = await get(`/dashboard/history?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(((await res.json()) as { error: string }).error, query).toMatch(/\w/);
    }
  });

  it("GET and HEAD only", async () => {
    expect((await get("/dashboard/history", { method: "POST" })).status).toBe(405);
    expect((await get("/dashboard/history/export", { method: "DELETE" })).status).toBe(405);
    const head = await get("/dashboard/history?limit=1", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });
});

describe("GET /dashboard/history/search", () => {
  it("finds text, newest first", async () => {
    const res = await get("/dashboard/history/search?q=fail&limit=10");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { hits: { seq: number; at: number; snippet: string }[] };
    expect(body.hits.map((h) => h.seq)).toEqual([6, 3]);
    expect(body.hits[0]).toEqual({ seq: 6, at: expect.any(Number), snippet: expect.stringContaining("fails") });
  });

  it("400, never 500, for a query the store cannot run and for bad parameters", async () => {
    for (const query of ["q=%22unbalanced", "q=", "limit=5", "q=a&limit=0", "q=a&q=b", `q=${"a".repeat(600)}`]) {
      const res = await get(`/dashboard/history/search?${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/\w/);
    }
  });
});

describe("GET /dashboard/history/export", () => {
  it("md: a readable transcript, as an attachment of plain text", async () => {
    const res = await get("/dashboard/history/export?from=1&to=8&format=md");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="ductor-history-1-8.md"');
    const text = await res.text();
    expect(text).toContain(`${TEXTS[0]}\n- tool: Read\n`);
    expect(text).toContain("> status: thinking");
    expect(text).toContain(TEXTS[2]);
    expect(text).toMatch(/> \[.*\] connected to ductor/);
  });

  it("jsonl: replayed by the real mock server, frame for frame", async () => {
    const res = await get("/dashboard/history/export?format=jsonl");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="ductor-history-1-8.jsonl"');
    const file = join(tmp, "exported.jsonl");
    writeFileSync(file, await res.text());
    const replay = await startMockServer({ recording: file, speed: 0 });
    cleanups.push(() => replay.close());
    const frames: unknown[] = [];
    const ws = new WebSocket(`${replay.streamUrl}?token=${replay.token}`);
    cleanups.push(() => ws.terminate());
    ws.on("message", (data) => frames.push(JSON.parse(data.toString())));
    await replay.replay.done;
    await waitFor(() => frames.length === 8, 5_000, "the replayed frames");
    const expected = store.events.filter((e) => e.type !== "upstream").map((e) => ({ type: e.type, data: e.data }));
    expect(frames).toEqual([{ type: "ping" }, ...expected]);
  });

  it("400 for bad ranges and formats", async () => {
    for (const query of ["from=5&to=2", "format=html", "from=x", "to=-1", "format=md&format=jsonl"]) {
      expect((await get(`/dashboard/history/export?${query}`)).status, query).toBe(400);
    }
  });
});

describe("export with REST snapshots", () => {
  it("carries sessions and tasks as recorded snapshots: the replaying mock answers them like ductor did", async () => {
    const source = await startMockServer({ recording: "coding-session", autoplay: "manual" });
    cleanups.push(() => source.close());
    const ring = createRingStore();
    const relay = await startDashboardServer({
      ductor: source.url,
      siteDir,
      token: source.token,
      historyStore: ring,
      relay: { ...FAST_UPSTREAM, snapshotEveryMs: 50 },
    });
    cleanups.push(() => relay.close());
    await waitFor(
      () => ring.snapshots("/dashboard/sessions").length > 0 && ring.snapshots("/dashboard/tasks").length > 0,
      5_000,
      "snapshots",
    );
    source.broadcast({ type: "text_delta", data: "hello" });
    await waitFor(() => ring.head() === 2, 5_000, "stored");
    const res = await fetch(new URL("/dashboard/history/export?format=jsonl", relay.url), {
      headers: { authorization: `Bearer ${source.token}` },
    });
    const file = join(tmp, "with-snapshots.jsonl");
    writeFileSync(file, await res.text());
    const replay = await startMockServer({ recording: file, speed: 0 });
    cleanups.push(() => replay.close());
    for (const path of ["/dashboard/sessions", "/dashboard/tasks"]) {
      const ask = (m: MockServer) => fetch(`${m.url}${path}`, { headers: { authorization: `Bearer ${m.token}` } }).then((r) => r.json());
      const original = (await ask(source)) as object;
      expect(Object.keys(original).length, `${path} is not empty at the source`).toBeGreaterThan(0);
      expect(await ask(replay), path).toEqual(original);
    }
  });
});

describe("without a token (a plain proxy)", () => {
  it("has no history: 404 with a JSON reason", async () => {
    const plain = await startDashboardServer({ ductor: mock.url, siteDir });
    cleanups.push(() => plain.close());
    expect(plain.relay).toBeUndefined();
    const res = await fetch(new URL("/dashboard/history", plain.url), { headers: { authorization: `Bearer ${mock.token}` } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/relay/);
  });
});
