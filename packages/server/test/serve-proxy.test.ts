/**
 * The serve proxy against raw requests (bytes written on a `net` socket, so nothing normalises the URL or
 * fixes the Host header on the way) and an upstream that records every request that reached it: the proof
 * that nothing but the dashboard's own endpoints ever reaches ductor.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startDashboardServer, type DashboardServer } from "../src/serve.js";
import { siteDir } from "./helpers.js";
import {
  closedPort,
  isAllowedUpstreamRequest,
  rawExchange,
  rawRequestText,
  startRecordingUpstream,
  upgradeHeaders,
  type RecordingUpstream,
} from "./serve-support.js";

let upstream: RecordingUpstream;
let dash: DashboardServer;
let self: string; // the dashboard's own Host value, "127.0.0.1:PORT"

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  dash = await startDashboardServer({ ductor: upstream.url, siteDir, allowedHosts: ["dash.example"] });
  self = `127.0.0.1:${dash.port}`;
});
afterAll(async () => {
  await dash?.close();
  await upstream?.close();
});
afterEach(() => {
  // Whatever a test did, nothing outside the dashboard's endpoints may ever have reached ductor.
  const reached = upstream.seen.splice(0);
  expect(reached.filter((r) => !isAllowedUpstreamRequest(r))).toEqual([]);
});

const send = (method: string, target: string, headers: Record<string, string | undefined> = {}) =>
  rawExchange(dash.port, rawRequestText(method, target, { host: self, ...headers }));

describe("walk-arounds of the allow-list never reach ductor", () => {
  const hostile: Array<[method: string, target: string, status: number]> = [
    ["GET", "/dashboard/../files?path=/etc/passwd", 400],
    ["GET", "/dashboard/%2e%2e/files?path=/etc/passwd", 400],
    ["GET", "/dashboard/%2E%2e/files?path=/etc/passwd", 400],
    ["GET", "/dashboard/.%2e/files?path=/etc/passwd", 400],
    ["GET", "/dashboard/%2e./files?path=/etc/passwd", 400],
    ["GET", "/dashboard/%2e%2e%2ffiles?path=/etc/passwd", 400],
    ["GET", "/dashboard/%252e%252e/files?path=/etc/passwd", 400],
    ["GET", "/dashboard/logs/..%2f..%2ffiles?path=/etc/passwd", 400],
    ["GET", "/dashboard/logs/%2e%2e", 400],
    ["GET", "/dashboard/logs/..", 400],
    ["GET", "/dashboard/logs/.", 400],
    ["GET", "/dashboard/logs/%c0%ae%c0%ae", 400],
    ["GET", "/dashboard/logs/a%00b", 400],
    ["GET", "/dashboard/%zz", 400],
    ["GET", "/dashboard\\..\\files?path=/etc/passwd", 400],
    ["GET", "/dashboard/%5c..%5cfiles?path=/etc/passwd", 400],
    ["GET", "/dashboard//status", 400],
    ["GET", "//dashboard/status", 400],
    ["GET", "/health/../files?path=/etc/passwd", 400],
    ["GET", "/dashboard/stream/../../files?path=/etc/passwd", 400],
    ["GET", "http://127.0.0.1/files?path=/etc/passwd", 400],
    ["OPTIONS", "*", 400],
    ["POST", "/dashboard/../upload", 400],
    ["POST", "/dashboard/%2e%2e/upload", 400],
    ["GET", "/dashboard/logs/a/b", 404],
    ["GET", "/dashboard/logs/", 404],
    ["GET", "/dashboard/status/", 404],
    ["GET", "/dashboard/files?path=/etc/passwd", 404],
    ["GET", "/dashboard/ws", 404],
    ["GET", "/dashboard", 404],
    ["GET", "/health/x", 404],
    ["GET", "/files?path=/etc/passwd", 404],
    ["GET", "/ws", 404],
    ["POST", "/dashboard/status", 405],
    ["PUT", "/dashboard/sessions", 405],
    ["DELETE", "/dashboard/logs/agent.log", 405],
    ["PATCH", "/dashboard/tasks", 405],
    ["OPTIONS", "/dashboard/status", 405],
    ["POST", "/health", 405],
    ["POST", "/upload", 405],
    ["GET", "/dashboard/stream", 426],
    ["GET", "/dashboard/stream?token=abc", 426],
  ];
  it.each(hostile)("%s %s → %i, and nothing reaches ductor", async (method, target, status) => {
    const res = await send(method, target);
    expect(res.status).toBe(status);
    expect(upstream.seen).toEqual([]);
    if (status >= 400 && status !== 404) expect(res.body.length).toBeGreaterThan(0); // a reason, not a bare status
  });

  it("answers a wrong method with Allow", async () => {
    expect((await send("POST", "/dashboard/status")).headers["allow"]).toBe("GET, HEAD");
  });
});

describe("allowed requests reach ductor with exactly the path the gate decided", () => {
  const allowed: Array<[method: string, target: string, reached: string]> = [
    ["GET", "/health", "/health"],
    ["HEAD", "/health", "/health"],
    ["GET", "/dashboard/status", "/dashboard/status"],
    ["HEAD", "/dashboard/sessions", "/dashboard/sessions"],
    ["GET", "/dashboard/tasks", "/dashboard/tasks"],
    ["GET", "/dashboard/logs", "/dashboard/logs"],
    ["GET", "/dashboard/logs?x=1&y=%2e%2e", "/dashboard/logs?x=1&y=%2e%2e"],
    ["GET", "/dashboard/logs/agent.log", "/dashboard/logs/agent.log"],
    ["GET", "/dashboard/logs/agent.log.1?tail=10", "/dashboard/logs/agent.log.1?tail=10"],
    ["GET", "/dashboard/logs/my%20log.txt", "/dashboard/logs/my%20log.txt"],
    ["GET", "/dashboard/logs/a..b.log", "/dashboard/logs/a..b.log"],
    ["GET", "/dashboard/%73tatus", "/dashboard/status"],
  ];
  it.each(allowed)("%s %s reaches ductor as %s", async (method, target, reached) => {
    const res = await send(method, target);
    expect(res.status).toBe(200);
    expect(upstream.seen).toEqual([{ method, url: reached, upgrade: false }]);
  });
});

describe("the stream upgrade", () => {
  const upgrade = (target: string, headers: Record<string, string | undefined> = {}, method = "GET") =>
    rawExchange(dash.port, rawRequestText(method, target, upgradeHeaders(self, headers)), { untilMatch: /\r\n\r\n/ });

  it("is proxied without an Origin (non-browser clients) and with the dashboard's own", async () => {
    expect((await upgrade("/dashboard/stream?token=abc")).status).toBe(101);
    expect((await upgrade("/dashboard/stream?token=abc", { origin: `http://${self}` })).status).toBe(101);
    expect(upstream.seen).toEqual([
      { method: "GET", url: "/dashboard/stream?token=abc", upgrade: true },
      { method: "GET", url: "/dashboard/stream?token=abc", upgrade: true },
    ]);
  });

  const refused: Array<[what: string, target: string, headers: Record<string, string>, status: number, method?: string]> = [
    ["a foreign Origin", "/dashboard/stream?token=abc", { origin: "http://evil.example" }, 403],
    ["a foreign Origin on the same port", "/dashboard/stream?token=abc", { origin: "http://evil.example:1" }, 403],
    ["Origin: null", "/dashboard/stream?token=abc", { origin: "null" }, 403],
    ["another loopback name as Origin", "/dashboard/stream", { origin: "http://localhost" }, 403],
    ["a walk to /ws", "/dashboard/../ws", {}, 400],
    ["an encoded walk to /ws", "/dashboard/%2e%2e/ws", {}, 400],
    ["a walk out of the stream", "/dashboard/stream/../../ws", {}, 400],
    ["ductor's chat socket", "/ws", {}, 404],
    ["another dashboard path", "/dashboard/status", {}, 404],
    ["a static path", "/", {}, 404],
    ["a non-WebSocket upgrade", "/dashboard/stream", { upgrade: "h2c" }, 400],
    ["a POST upgrade", "/dashboard/stream", {}, 405, "POST"],
  ];
  it.each(refused)("with %s is refused with an HTTP answer, then closed", async (_what, target, headers, status, method = "GET") => {
    const res = await rawExchange(dash.port, rawRequestText(method, target, upgradeHeaders(self, headers)), { timeoutMs: 3_000 });
    expect(res.status).toBe(status);
    expect(res.body.length).toBeGreaterThan(0);
    expect(res.closedByServer).toBe(true);
    expect(upstream.seen).toEqual([]);
  });
});

describe("Host allow-list (DNS rebinding)", () => {
  const forged = [
    "evil.example",
    "evil.example:80",
    "localhost.evil.example",
    "127.0.0.1.nip.io",
    "evillocalhost",
    "[::2]",
    "127.0.0.2",
    "0.0.0.0",
    "",
    "bad host",
  ];
  it.each(forged)("refuses Host %j for the API, the stream and the page", async (host) => {
    for (const target of ["/health", "/dashboard/status", "/", "/index.html"]) {
      const res = await send("GET", target, { host: host === "" ? "" : host });
      expect(res.status, target).toBe(403);
    }
    const up = await rawExchange(dash.port, rawRequestText("GET", "/dashboard/stream", upgradeHeaders(host)), { timeoutMs: 3_000 });
    expect(up.status).toBe(403);
    expect(up.closedByServer).toBe(true);
    expect(upstream.seen).toEqual([]);
  });

  it("refuses a request without Host (HTTP/1.0)", async () => {
    const res = await rawExchange(dash.port, "GET /health HTTP/1.0\r\n\r\n");
    expect(res.status).toBe(403);
    expect(upstream.seen).toEqual([]);
  });

  it("says why, and how to allow a name", async () => {
    const res = await send("GET", "/", { host: "evil.example" });
    expect(res.body).toMatch(/host/i);
    expect(res.body).toContain("--allowed-host");
  });

  const good = (port: () => number) => [
    `127.0.0.1:${port()}`,
    "127.0.0.1",
    `localhost:${port()}`,
    "LocalHost",
    `app.localhost:${port()}`,
    `[::1]:${port()}`,
    "dash.example",
    `dash.example:${port()}`,
  ];
  it("accepts loopback names, the bound address and --allowed-host values, with or without the port", async () => {
    for (const host of good(() => dash.port)) {
      expect((await send("GET", "/health", { host })).status, host).toBe(200);
      expect((await send("GET", "/", { host })).status, host).toBe(200);
    }
  });

  it("accepts an upgrade whose Origin is the allowed Host it came with", async () => {
    const res = await rawExchange(
      dash.port,
      rawRequestText("GET", "/dashboard/stream", upgradeHeaders("dash.example", { origin: "http://dash.example" })),
      { untilMatch: /\r\n\r\n/ },
    );
    expect(res.status).toBe(101);
  });
});

describe("an unreachable ductor", () => {
  let dead: DashboardServer;
  let deadPort: number;
  beforeAll(async () => {
    deadPort = await closedPort();
    dead = await startDashboardServer({ ductor: `http://127.0.0.1:${deadPort}`, siteDir });
  });
  afterAll(async () => {
    await dead?.close();
  });

  it("is a 502 that does not print ductor's address", async () => {
    const res = await rawExchange(dead.port, rawRequestText("GET", "/health", { host: `127.0.0.1:${dead.port}` }));
    expect(res.status).toBe(502);
    expect(JSON.parse(res.body)).toEqual({ error: "bad gateway", detail: "ductor is unreachable" });
    expect(res.raw).not.toContain(String(deadPort));
  });

  it("answers a stream upgrade with a 502 too, then closes", async () => {
    const res = await rawExchange(dead.port, rawRequestText("GET", "/dashboard/stream", upgradeHeaders(`127.0.0.1:${dead.port}`)), {
      timeoutMs: 3_000,
    });
    expect(res.status).toBe(502);
    expect(res.raw).not.toContain(String(deadPort));
    expect(res.closedByServer).toBe(true);
  });
});
