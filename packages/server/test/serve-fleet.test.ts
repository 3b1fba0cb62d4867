/**
 * Several ductors behind one `serve`: two real mock servers, each with its own token, behind one dashboard
 * server over real sockets, with real SQLite histories. Each ductor's API lives under `/s/<name>/`; streams and
 * histories are recorded apart (seq per server); a token for one never reads the other; one stopping leaves the
 * other untouched; `/dashboard/servers` lists them; the client SDK reaches each by name.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuthenticationError, DashboardClient, NotFoundError, type StreamDataEvent } from "@ductor/dashboard-client";
import { startMockServer, type MockServer } from "@ductor/mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDashboardServer, type DashboardServer } from "../src/serve.js";
import { siteDir } from "./helpers.js";
import { FAST_UPSTREAM, waitFor } from "./relay-support.js";
import { rawExchange, rawRequestText, upgradeHeaders } from "./serve-support.js";

let home: MockServer;
let work: MockServer;
let dash: DashboardServer;
let tmp: string;
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "dd-fleet-"));
  home = await startMockServer({ token: "home-token" });
  work = await startMockServer({ token: "work-token" });
  dash = await startDashboardServer({
    ductors: [
      { name: "home", url: home.url, token: home.token, history: join(tmp, "home.sqlite") },
      { name: "work", url: work.url, token: work.token, history: join(tmp, "work.sqlite") },
    ],
    siteDir,
    relay: FAST_UPSTREAM,
  });
  await waitFor(() => dash.servers.every((s) => s.relay?.stats().upstream === "connected"), 10_000, "both upstreams connected");
});
afterAll(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
  await dash?.close();
  await Promise.allSettled([home?.close(), work?.close()]);
  rmSync(tmp, { recursive: true, force: true });
});

const relayOf = (name: string) => dash.servers.find((s) => s.name === name)!.relay!;
const get = (path: string, token?: string) =>
  fetch(new URL(path, dash.url), token ? { headers: { authorization: `Bearer ${token}` } } : {});
const client = (server: string, token: string) => new DashboardClient({ baseUrl: dash.url, token, server, maxRetries: 0 });

function collect(server: string, token: string) {
  const stream = client(server, token).stream({ minDelayMs: 50, maxDelayMs: 200 });
  cleanups.push(() => stream.close());
  const texts: string[] = [];
  const errors: unknown[] = [];
  const push = (event: StreamDataEvent) => texts.push(String(event.data));
  stream.on("text_delta", push);
  stream.on("error", (error) => errors.push(error));
  return { stream, texts, errors };
}

describe("several ductors behind one dashboard", () => {
  it("lists them by name and base, without a token, and never says where they are", async () => {
    const res = await get("/dashboard/servers");
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({
      servers: [
        { name: "home", base: "/s/home/", relay: true },
        { name: "work", base: "/s/work/", relay: true },
      ],
    });
    expect(body).not.toContain(String(home.port));
    const listed = await new DashboardClient({ baseUrl: dash.url }).servers();
    expect(listed).toEqual([
      { name: "home", base: new URL("/s/home/", dash.url).toString(), relay: true },
      { name: "work", base: new URL("/s/work/", dash.url).toString(), relay: true },
    ]);
    // A client for one server still lists the relay's servers (the relay's root is asked).
    expect((await client("work", "x").servers()).map((s) => s.name)).toEqual(["home", "work"]);
  });

  it("each ductor's REST answers under its own prefix, with its own token only", async () => {
    expect((await get("/s/home/dashboard/sessions", "home-token")).status).toBe(200);
    expect((await get("/s/work/dashboard/sessions", "work-token")).status).toBe(200);
    // work's token on home's API: home (not the dashboard) says no.
    expect((await get("/s/home/dashboard/sessions", "work-token")).status).toBe(401);
    expect((await get("/s/work/dashboard/history?limit=1", "home-token")).status).toBe(401);
    expect((await get("/s/work/health")).status).toBe(200);
    const status = await client("work", "work-token").status();
    expect(status.provider).toBeTruthy();
    await expect(client("home", "work-token").sessions()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("the bare ductor paths, unknown names and the listing under a prefix are 404", async () => {
    expect((await get("/dashboard/status", "home-token")).status).toBe(404);
    expect((await get("/health")).status).toBe(404);
    expect((await get("/dashboard/history", "home-token")).status).toBe(404);
    expect((await get("/s/nope/dashboard/status", "home-token")).status).toBe(404);
    expect((await get("/s/home/dashboard/servers")).status).toBe(404);
    expect((await get("/s/home/files?path=/etc/passwd", "home-token")).status).toBe(404);
    // The site itself is still at the root.
    expect((await get("/")).status).toBe(200);
    await expect(new DashboardClient({ baseUrl: home.url, token: home.token, maxRetries: 0 }).servers()).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it("records each stream apart: its own seq from 1, its own history and search", async () => {
    const homeSeen = collect("home", "home-token");
    const workSeen = collect("work", "work-token");
    await Promise.all([
      waitFor(() => homeSeen.stream.state === "open", 5_000, "home open"),
      waitFor(() => workSeen.stream.state === "open", 5_000, "work open"),
    ]);
    home.broadcast({ type: "text_delta", data: "only-at-home\n" });
    work.broadcast({ type: "text_delta", data: "only-at-work\n" });
    await waitFor(() => homeSeen.texts.includes("only-at-home\n") && workSeen.texts.includes("only-at-work\n"), 5_000, "both events");
    expect(homeSeen.texts).not.toContain("only-at-work\n");
    expect(workSeen.texts).not.toContain("only-at-home\n");

    const homeHistory = await client("home", "home-token").history.page({ after: 0 }, { limit: 50 });
    const workHistory = await client("work", "work-token").history.page({ after: 0 }, { limit: 50 });
    const texts = (page: typeof homeHistory) => page.events.filter((e) => e.type === "text_delta").map((e) => e.data);
    expect(texts(homeHistory)).toEqual(["only-at-home\n"]);
    expect(texts(workHistory)).toEqual(["only-at-work\n"]);
    // Seq per server: both start at 1 (the first row is each one's "connected").
    expect(homeHistory.events[0]?.seq).toBe(1);
    expect(workHistory.events[0]?.seq).toBe(1);
    expect((await client("work", "work-token").history.search("home")).length).toBe(0);
    expect((await client("home", "home-token").history.search("home")).map((h) => h.snippet)).toEqual([expect.stringContaining("home")]);
  });

  it("a token for one never opens the other's stream (1008), and a foreign page cannot open either", async () => {
    const wrong = collect("work", "home-token");
    await waitFor(() => wrong.stream.state === "closed", 5_000, "refused");
    expect(wrong.errors[0]).toBeInstanceOf(AuthenticationError);
    const foreign = await rawExchange(
      dash.port,
      rawRequestText(
        "GET",
        "/s/home/dashboard/stream?token=home-token",
        upgradeHeaders(`127.0.0.1:${dash.port}`, { origin: "http://evil.example" }),
      ),
    );
    expect(foreign.status).toBe(403);
  });

  it("one ductor stopping shows on its relay alone: the other keeps streaming and answering", async () => {
    const workSeen = collect("work", "work-token");
    const homeSeen = collect("home", "home-token");
    await Promise.all([
      waitFor(() => homeSeen.stream.state === "open", 5_000, "home open"),
      waitFor(() => workSeen.stream.state === "open", 5_000, "work open"),
    ]);
    await home.close();
    await waitFor(() => relayOf("home").stats().upstream === "disconnected", 10_000, "home's relay sees it");
    expect(relayOf("work").stats().upstream).toBe("connected");
    work.broadcast({ type: "text_delta", data: "work goes on\n" });
    await waitFor(() => workSeen.texts.includes("work goes on\n"), 5_000, "work's event");
    expect((await get("/s/work/dashboard/status", "work-token")).status).toBe(200);
    expect((await get("/s/home/dashboard/status", "home-token")).status).toBe(502);
    // home's viewers stay connected to the relay and are told the upstream is gone.
    expect(homeSeen.stream.state).toBe("open");
    // home's history is still readable from the relay while home is down.
    expect((await get("/s/home/dashboard/history?limit=5", "home-token")).status).toBe(200);
  });
});

describe("one ductor", () => {
  it("keeps today's URLs, and lists itself at the root", async () => {
    const mock = await startMockServer({ token: "solo-token" });
    cleanups.push(() => mock.close());
    for (const options of [{ ductor: mock.url, token: mock.token }, { ductors: [{ name: "solo", url: mock.url, token: mock.token }] }]) {
      const solo = await startDashboardServer({ ...options, siteDir, relay: FAST_UPSTREAM });
      try {
        const name = "ductors" in options ? "solo" : "ductor";
        expect(await (await fetch(new URL("/dashboard/servers", solo.url))).json()).toEqual({
          servers: [{ name, base: "/", relay: true }],
        });
        const res = await fetch(new URL("/dashboard/status", solo.url), { headers: { authorization: "Bearer solo-token" } });
        expect(res.status).toBe(200);
        expect((await fetch(new URL("/s/solo/dashboard/status", solo.url))).status).toBe(404);
        expect(solo.relay).toBeDefined();
        expect(solo.tokenUrl).toBe(`${solo.url}#token=solo-token`);
      } finally {
        await solo.close();
      }
    }
  });

  it("refuses bad names, duplicates and non-http URLs before listening", async () => {
    await expect(startDashboardServer({ ductors: [{ name: "Home", url: "http://127.0.0.1:9" }], siteDir })).rejects.toThrow(/name/);
    await expect(
      startDashboardServer({
        ductors: [
          { name: "a", url: "http://127.0.0.1:9" },
          { name: "a", url: "http://127.0.0.1:9" },
        ],
        siteDir,
      }),
    ).rejects.toThrow(/two ductors are named a/);
    await expect(startDashboardServer({ ductors: [{ name: "a", url: "file:///etc/passwd" }], siteDir })).rejects.toThrow(/http/);
    await expect(startDashboardServer({ siteDir })).rejects.toThrow(/no ductor/);
  });
});
