/**
 * The relay on the real stores: a SQLite file (what `serve` uses by default) and the in-memory ring. Hostile
 * search queries are answered 400 or searched as text, never 500; history and seq survive a relay restart; the
 * ring's retention shows up as a gap frame.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockServer, type MockServer } from "@ductor/mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRingStore } from "../src/history/ring-store.js";
import { startDashboardServer, type DashboardServer } from "../src/serve.js";
import { siteDir } from "./helpers.js";
import { FAST_UPSTREAM, ViewerSocket, viewerUrl, waitFor } from "./relay-support.js";

let mock: MockServer;
let tmp: string;
const cleanups: (() => unknown)[] = [];
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "dd-relay-sqlite-"));
  mock = await startMockServer({});
});
afterAll(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
  await mock?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const relayOn = async (history: string): Promise<DashboardServer> => {
  const dash = await startDashboardServer({ ductor: mock.url, siteDir, token: mock.token, history, relay: FAST_UPSTREAM });
  cleanups.push(() => dash.close());
  await waitFor(() => dash.relay?.stats().upstream === "connected", 10_000, "upstream");
  return dash;
};
const get = (dash: DashboardServer, path: string) => fetch(new URL(path, dash.url), { headers: { authorization: `Bearer ${mock.token}` } });

describe("the relay on a SQLite file", () => {
  it("answers hostile search queries with 400 or as plain text, never 500", async () => {
    const dash = await relayOn(join(tmp, "hostile.sqlite"));
    mock.broadcast({ type: "text_delta", data: "the parser fails on NEAR(a b) and data:x\n" });
    await waitFor(() => dash.relay!.stats().head >= 2, 5_000, "stored");
    const hostile = [
      '"unbalanced',
      "NEAR(a b",
      "data:x",
      "*",
      "a OR",
      ")(",
      "fails AND NOT",
      "'; DROP TABLE events; --",
      "\u202e\u0000",
      "x".repeat(513),
      "%",
      "^",
    ];
    for (const q of hostile) {
      const res = await get(dash, `/dashboard/history/search?q=${encodeURIComponent(q)}`);
      expect([200, 400], q).toContain(res.status);
      const body = (await res.json()) as { hits?: unknown[]; error?: string };
      if (res.status === 400) expect(body.error, q).toMatch(/query|"q"/);
      else expect(Array.isArray(body.hits), q).toBe(true);
    }
    expect((await get(dash, `/dashboard/history/search?q=${"x".repeat(513)}`)).status).toBe(400);
    expect((await get(dash, "/dashboard/history/search?q=%00")).status).toBe(400);
    const found = (await (await get(dash, "/dashboard/history/search?q=parser")).json()) as { hits: { seq: number; snippet: string }[] };
    expect(found.hits).toEqual([{ seq: 2, at: expect.any(Number), snippet: expect.stringContaining("parser") }]);
    // The table is still there.
    expect((await get(dash, "/dashboard/history?limit=10")).status).toBe(200);
  });

  it("keeps history and seq across a relay restart; a viewer resumes across it", async () => {
    const file = join(tmp, "restart.sqlite");
    const first = await relayOn(file);
    for (let i = 1; i <= 50; i++) mock.broadcast({ type: "text_delta", data: `before ${i}` });
    await waitFor(() => first.relay!.stats().head === 51, 5_000, "50 stored");
    await first.close(); // a last "disconnected" row, flushed on close
    const second = await relayOn(file);
    mock.broadcast({ type: "text_delta", data: "after" });
    await waitFor(() => second.relay!.stats().head === 54, 5_000, "after restart");
    const v = new ViewerSocket(viewerUrl(second.url, mock.token, 40));
    cleanups.push(() => v.ws.terminate());
    await v.until((f) => f.some((x) => x.data === "after"));
    expect(v.frames[0]).toEqual({ type: "ping", relay: { version: 1, head: 54, oldest: 1 } });
    expect(v.numbered().map((f) => [f.seq, f.type, f.data])).toEqual([
      ...Array.from({ length: 10 }, (_, i) => [41 + i, "text_delta", `before ${40 + i}`]),
      [51, "text_delta", "before 50"],
      [52, "upstream", "disconnected"],
      [53, "upstream", "connected"],
      [54, "text_delta", "after"],
    ]);
  });
});

describe("the relay on the in-memory ring", () => {
  it("since older than what the ring keeps: a gap frame, then what is left", async () => {
    const store = createRingStore({ maxEvents: 50 });
    const dash = await startDashboardServer({ ductor: mock.url, siteDir, token: mock.token, historyStore: store, relay: FAST_UPSTREAM });
    cleanups.push(() => dash.close());
    await waitFor(() => dash.relay?.stats().upstream === "connected", 10_000, "upstream");
    for (let i = 1; i <= 120; i++) mock.broadcast({ type: "text_delta", data: `e${i}` });
    await waitFor(() => store.head() === 121, 5_000, "120 stored");
    const v = new ViewerSocket(viewerUrl(dash.url, mock.token, 5));
    cleanups.push(() => v.ws.terminate());
    await v.until((f) => f.length >= 2 + 50);
    expect(v.frames[0]).toEqual({ type: "ping", relay: { version: 1, head: 121, oldest: 72 } });
    expect(v.frames[1]).toEqual({ type: "gap", from_seq: 6, to_seq: 71 });
    expect(v.numbered().map((f) => f.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 72 + i));
  });
});
