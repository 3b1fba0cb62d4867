/** The relay's upstream side beyond the stream: REST snapshots through the client, and the viewers' heartbeat. */
import { startMockServer, type MockServer } from "@ductor/mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startDashboardServer, type DashboardServer } from "../src/serve.js";
import { siteDir } from "./helpers.js";
import { FAST_UPSTREAM, FakeStore, viewerUrl, waitFor } from "./relay-support.js";

let mock: MockServer;
let dash: DashboardServer;
let store: FakeStore;
beforeAll(async () => {
  mock = await startMockServer({ recording: "coding-session", autoplay: "manual" });
  store = new FakeStore();
  dash = await startDashboardServer({
    ductor: mock.url,
    siteDir,
    token: mock.token,
    historyStore: store,
    relay: { ...FAST_UPSTREAM, snapshotEveryMs: 100, heartbeatMs: 150 },
  });
});
afterAll(async () => {
  await dash?.close();
  await mock?.close();
});

describe("REST snapshots", () => {
  it("polls status, sessions and tasks through the client and stores ductor's bodies as they came, when they change", async () => {
    await waitFor(() => new Set(store.snapshots.map((s) => s.path)).size === 3, 5_000, "three paths");
    await new Promise((r) => setTimeout(r, 500)); // a few more rounds
    const byPath = (p: string) => store.snapshots.filter((s) => s.path === p);
    // Sessions and tasks did not change between rounds: one row each.
    expect(byPath("/dashboard/sessions")).toHaveLength(1);
    expect(byPath("/dashboard/tasks")).toHaveLength(1);
    const direct = await fetch(`${mock.url}/dashboard/sessions`, { headers: { authorization: `Bearer ${mock.token}` } });
    expect(byPath("/dashboard/sessions")[0]!.body).toBe(await direct.text());
    // Status is ductor's raw body (provider and model still swapped, snake_case), not the client's typed value.
    expect(JSON.parse(byPath("/dashboard/status")[0]!.body)).toMatchObject({ status: "ok", uptime_seconds: expect.any(Number) });
    // Snapshots take no seq: the stream's numbering is untouched.
    expect(store.events.every((e) => e.type !== "snapshot")).toBe(true);
  });
});

describe("the viewers' heartbeat", () => {
  it("pings every viewer; one that never answers is cut, one that does stays", async () => {
    const healthy = new WebSocket(viewerUrl(dash.url, mock.token));
    const deaf = new WebSocket(viewerUrl(dash.url, mock.token), { autoPong: false });
    let pings = 0;
    healthy.on("ping", () => (pings += 1));
    const deafClosed = new Promise<number>((resolve) => deaf.once("close", (code) => resolve(code)));
    await Promise.all([healthy, deaf].map((ws) => new Promise((r) => ws.once("open", r))));
    expect(await deafClosed).toBe(1006);
    await new Promise((r) => setTimeout(r, 400));
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(healthy.readyState).toBe(WebSocket.OPEN);
    healthy.terminate();
  });
});
