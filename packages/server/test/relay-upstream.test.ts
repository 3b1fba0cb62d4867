/** The relay's upstream side beyond the stream: REST snapshots through the client, and the viewers' heartbeat. */
import { startMockServer, type MockServer } from "@ductor/mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { offersCompression, Upstream } from "../src/relay/upstream.js";
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
    // A viewer must answer a ping before the next one: 400 ms leaves a loaded machine room, in this same process.
    relay: { ...FAST_UPSTREAM, snapshotEveryMs: 100, heartbeatMs: 400 },
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
    // The status body counts uptime_seconds up every second; that alone is not a change worth a row.
    const uptime = async (): Promise<number> =>
      (
        (await (await fetch(`${mock.url}/dashboard/status`, { headers: { authorization: `Bearer ${mock.token}` } })).json()) as {
          uptime_seconds: number;
        }
      ).uptime_seconds;
    const firstUptime = JSON.parse(byPath("/dashboard/status")[0]!.body).uptime_seconds as number;
    while ((await uptime()) < firstUptime + 2) await new Promise((r) => setTimeout(r, 100));
    const rounds = store.snapshots.length;
    await new Promise((r) => setTimeout(r, 300)); // at least one more round after the uptime moved
    expect(store.snapshots.length).toBe(rounds);
    expect(byPath("/dashboard/status")).toHaveLength(1);
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
    // The deaf one is cut on the second beat; the healthy one goes on answering (no fixed sleep: poll for it).
    await waitFor(() => pings >= 3, 10_000, "three pings to the healthy viewer");
    expect(healthy.readyState).toBe(WebSocket.OPEN);
    healthy.terminate();
  });
});

describe("compression on the upstream link", () => {
  it("is offered to a remote ductor and declined on loopback, where it only costs", () => {
    expect(offersCompression("http://127.0.0.1:8741")).toBe(false);
    expect(offersCompression("ws://localhost:8741")).toBe(false);
    expect(offersCompression("http://[::1]:8741")).toBe(false);
    expect(offersCompression("https://ductor.example.com")).toBe(true);
    expect(offersCompression("http://192.168.1.20:8741")).toBe(true);
    expect(offersCompression("http://127.0.0.1.example.com")).toBe(true);
  });

  it("the relay's upstream socket asks a loopback ductor for no permessage-deflate", async () => {
    const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: true });
    const offered = new Promise<string | undefined>((resolve) =>
      wss.once("connection", (_ws, req) => resolve(req.headers["sec-websocket-extensions"])),
    );
    await new Promise((r) => wss.once("listening", r));
    const { port } = wss.address() as { port: number };
    const upstream = new Upstream({ ductor: `http://127.0.0.1:${port}`, token: "t", record: () => undefined });
    try {
      expect(await offered).toBeUndefined();
    } finally {
      upstream.stop();
      for (const client of wss.clients) client.terminate();
      await new Promise((r) => wss.close(r));
    }
  });
});
