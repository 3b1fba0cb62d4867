import { afterEach, describe, expect, it } from "vitest";
import {
  AbortError,
  APIError,
  AuthenticationError,
  BadRequestError,
  ConnectionError,
  DashboardClient,
  InternalServerError,
  NotFoundError,
  ProtocolError,
  RangeNotSatisfiableError,
  ServiceUnavailableError,
  TimeoutError,
} from "../src/index.js";
import { json, startPeer, text, type Peer, rejection } from "./helpers/peer.js";

let peer: Peer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

const fast = { retryMinDelayMs: 5, retryMaxDelayMs: 20 };
const client = (p: Peer, extra: Partial<ConstructorParameters<typeof DashboardClient>[0]> = {}) =>
  new DashboardClient({ baseUrl: p.url, token: "tok", ...fast, ...extra });

const STATUS = { status: "ok", provider: "opus", model: "claude", uptime_seconds: 3723, connections: 1, dashboard_connections: 2 };

describe("GET pipeline", () => {
  it("sends the Bearer token on /dashboard/* and none on /health; joins a proxy prefix", async () => {
    peer = await startPeer((req, res) =>
      req.url!.endsWith("/health") ? json(res, 200, { status: "ok", connections: 0 }) : json(res, 200, STATUS),
    );
    const c = new DashboardClient({ baseUrl: `${peer.url}/ductor`, token: "tok" });
    await c.status();
    await c.health();
    expect(peer.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
      ["/ductor/dashboard/status", "Bearer tok"],
      ["/ductor/health", undefined],
    ]);
  });

  it("retries 5xx up to maxRetries, then throws the typed error", async () => {
    peer = await startPeer((_req, res) => text(res, 500, "500 Internal Server Error\n\nServer got itself in trouble"));
    const e = await rejection(client(peer, { maxRetries: 3 }).status());
    expect(e).toBeInstanceOf(InternalServerError);
    expect((e as APIError).status).toBe(500);
    expect(e.message).toContain("Server got itself in trouble");
    expect(peer.count()).toBe(4);
  });

  it("per-call maxRetries overrides the client's, and a later success wins", async () => {
    peer = await startPeer((_req, res, n) => (n < 3 ? json(res, 503, { error: "busy" }) : json(res, 200, STATUS)));
    await expect(client(peer).status({ maxRetries: 0 })).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(peer.count()).toBe(1);
    const s = await client(peer).status({ maxRetries: 5 });
    expect(s.provider).toBe("claude");
    expect(peer.count()).toBe(3);
  });

  it.each([
    [400, { error: "invalid filename" }, BadRequestError],
    [401, { error: "unauthorized" }, AuthenticationError],
    [404, "404: Not Found", NotFoundError],
    [405, "405: Method Not Allowed", APIError],
  ])("never retries %i", async (status, body, cls) => {
    peer = await startPeer((_req, res) => (typeof body === "string" ? text(res, status, body) : json(res, status, body)));
    const e = await rejection(client(peer, { maxRetries: 5 }).tasks());
    expect(e).toBeInstanceOf(cls);
    expect((e as APIError).status).toBe(status);
    expect((e as APIError).body).toEqual(body);
    expect(peer.count()).toBe(1);
  });

  it("turns an HTML error page into a typed error with the page's start in the message", async () => {
    const page = `<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>${"<p>padding</p>".repeat(50)}</body></html>`;
    peer = await startPeer((_req, res) => text(res, 502, page, "text/html"));
    const e = await rejection(client(peer, { maxRetries: 0 }).sessions());
    expect(e).toBeInstanceOf(InternalServerError);
    expect(e.message).toMatch(/^502 <html><head><title>502 Bad Gateway/);
    expect(e.message.length).toBeLessThan(220);
    expect((e as APIError).body).toBe(page);
  });

  it("a connection refused is a ConnectionError, retried", async () => {
    peer = await startPeer(() => {});
    const url = peer.url;
    await peer.close();
    peer = undefined;
    const started = Date.now();
    const e = await rejection(new DashboardClient({ baseUrl: url, token: "t", ...fast, maxRetries: 2 }).status());
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e).not.toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("times out a server that never answers (TimeoutError, retried per attempt)", async () => {
    peer = await startPeer(() => {});
    const started = Date.now();
    const e = await rejection(client(peer, { timeoutMs: 150, maxRetries: 1 }).status());
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e).toBeInstanceOf(ConnectionError);
    expect(peer.count()).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("times out a body that stalls after the headers", async () => {
    peer = await startPeer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"status": "ok", ');
    });
    await expect(client(peer, { timeoutMs: 200, maxRetries: 0 }).status()).rejects.toBeInstanceOf(TimeoutError);
  });

  it("aborts mid-request promptly, without retrying", async () => {
    peer = await startPeer(() => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const e = await rejection(client(peer, { maxRetries: 5 }).status({ signal: controller.signal }));
    expect(e).toBeInstanceOf(AbortError);
    expect(Date.now() - started).toBeLessThan(500);
    expect(peer.count()).toBe(1);
  });

  it("aborts mid retry-sleep promptly", async () => {
    peer = await startPeer((_req, res) => text(res, 500, "boom"));
    const controller = new AbortController();
    const c = client(peer, { retryMinDelayMs: 10_000, retryMaxDelayMs: 10_000 });
    const p = c.status({ signal: controller.signal });
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    controller.abort(new Error("user left"));
    const e = await rejection(p);
    expect(e).toBeInstanceOf(AbortError);
    expect((e as AbortError).cause).toEqual(new Error("user left"));
    expect(Date.now() - started).toBeLessThan(300);
    expect(peer.count()).toBe(1);
  });

  it("an already-aborted signal sends nothing", async () => {
    peer = await startPeer((_req, res) => json(res, 200, STATUS));
    await expect(client(peer).status({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    expect(peer.count()).toBe(0);
  });

  it.each([
    [
      "a 200 HTML page (proxy login)",
      "text/html",
      "<html><body>Please log in</body></html>",
      /expected JSON, got text\/html: <html><body>Please log in/,
    ],
    ["an empty body", "application/json", "", /empty body/],
    [
      "truncated JSON",
      "application/json; charset=utf-8",
      '{"status": "ok", "provider": "op',
      /invalid or truncated JSON: \{"status": "ok", "provider": "op/,
    ],
    ["the wrong shape", "application/json", '["status"]', /status: expected object, got array/],
    [
      "an ill-typed field",
      "application/json",
      '{"status": "ok", "uptime_seconds": "1h"}',
      /status\.uptime_seconds: expected integer, got string/,
    ],
  ])("%s on a 2xx is a ProtocolError with the first bytes, not retried", async (_what, type, body, message) => {
    peer = await startPeer((_req, res) => text(res, 200, body, type));
    const e = await rejection(client(peer).status());
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toMatch(message);
    expect(peer.count()).toBe(1);
  });

  it("rejects a non-ASCII token up front (ductor would answer 500)", () => {
    expect(() => new DashboardClient({ baseUrl: "http://x", token: "sécret" })).toThrow(TypeError);
  });

  it("leaves no timer behind after successes, failures and aborts", async () => {
    peer = await startPeer((req, res) => (req.url === "/dashboard/status" ? json(res, 200, STATUS) : text(res, 500, "x")));
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const before = timers();
    const c = client(peer, { timeoutMs: 60_000 });
    await c.status();
    await c.tasks().catch(() => {});
    const controller = new AbortController();
    const p = c.tasks({ signal: controller.signal, maxRetries: 1 });
    controller.abort();
    await p.catch(() => {});
    expect(timers()).toBe(before);
  });
});

describe("logs.read over a real socket", () => {
  const file = Buffer.from("héllo wörld\nline 2 ✓\n", "utf8"); // multi-byte characters at known offsets

  function logServer(p = (req: import("node:http").IncomingMessage) => req.headers.range) {
    return startPeer((req, res) => {
      const range = p(req);
      if (!range)
        return text(res, 200, file, "text/plain; charset=utf-8", { etag: '"abc-16"', "last-modified": "Tue, 21 Apr 2026 10:00:00 GMT" });
      const m = /^bytes=(\d*)-(\d*)$/.exec(range)!;
      let start = m[1] ? Number(m[1]) : file.length - Number(m[2]);
      let end = m[1] && m[2] ? Number(m[2]) : file.length - 1;
      start = Math.max(0, start);
      end = Math.min(end, file.length - 1);
      if (start >= file.length) return text(res, 416, "", "text/plain", { "content-range": `bytes */${file.length}` });
      text(res, 206, file.subarray(start, end + 1), "text/plain; charset=utf-8", {
        "content-range": `bytes ${start}-${end}/${file.length}`,
      });
    });
  }

  it("reads the whole file (200)", async () => {
    peer = await logServer();
    const chunk = await client(peer).logs.read("agent.log");
    expect(chunk).toMatchObject({
      name: "agent.log",
      text: file.toString("utf8"),
      start: 0,
      end: file.length,
      totalSize: file.length,
      partial: false,
      etag: '"abc-16"',
    });
    expect(chunk.lastModified?.toISOString()).toBe("2026-04-21T10:00:00.000Z");
    expect(peer.requests[0]!.headers.range).toBeUndefined();
  });

  it("sends an exclusive-end range as bytes=a-(b-1) and locates the 206 by Content-Range", async () => {
    peer = await logServer();
    const chunk = await client(peer).logs.read("agent.log", { range: { start: 0, end: 5 } });
    expect(peer.requests[0]!.headers.range).toBe("bytes=0-4");
    // bytes 0..4 = "h", "é"(2), "l", "l" → ends on a boundary
    expect(chunk).toMatchObject({ text: "héll", start: 0, end: 5, totalSize: file.length, partial: true });
  });

  it("drops the partial leading bytes of a range that starts mid-character, and a cut-off last character", async () => {
    peer = await logServer();
    const chunk = await client(peer).logs.read("agent.log", { range: { start: 2, end: 9 } }); // byte 2 is é's continuation; ö spans 8-9
    expect(chunk.text).toBe("llo w");
    expect(chunk.start).toBe(3);
    expect(chunk.end).toBe(8);
    const next = await client(peer).logs.read("agent.log", { range: { start: chunk.end } });
    expect(peer.requests[1]!.headers.range).toBe("bytes=8-");
    expect(next.text).toBe("örld\nline 2 ✓\n");
    expect(next.end).toBe(file.length);
  });

  it("tails with a suffix range", async () => {
    peer = await logServer();
    const chunk = await client(peer).logs.read("agent.log", { tail: 4 });
    expect(peer.requests[0]!.headers.range).toBe("bytes=-4");
    expect(chunk).toMatchObject({ text: "✓\n", start: file.length - 4, end: file.length, partial: true });
  });

  it("416 → RangeNotSatisfiableError with the file's current size", async () => {
    peer = await logServer();
    const e = await rejection(client(peer).logs.read("agent.log", { range: { start: 10_000 } }));
    expect(e).toBeInstanceOf(RangeNotSatisfiableError);
    expect((e as RangeNotSatisfiableError).totalSize).toBe(file.length);
    expect(peer.count()).toBe(1);
  });

  it("decodes invalid bytes leniently", async () => {
    peer = await startPeer((_req, res) => text(res, 200, Buffer.from([0x61, 0xff, 0x62])));
    expect((await client(peer).logs.read("service.err")).text).toBe("a\uFFFDb");
  });

  it("always percent-encodes the name and refuses dot segments", async () => {
    peer = await startPeer((_req, res) => json(res, 400, { error: "invalid filename" }));
    const c = client(peer);
    await expect(c.logs.read("a b#?%.log")).rejects.toBeInstanceOf(BadRequestError);
    await expect(c.logs.read("..%2Fx")).rejects.toBeInstanceOf(BadRequestError);
    await expect(c.logs.read("C:\\Windows\\win.ini")).rejects.toBeInstanceOf(BadRequestError);
    expect(peer.requests.map((r) => r.url)).toEqual([
      "/dashboard/logs/a%20b%23%3F%25.log",
      "/dashboard/logs/..%252Fx",
      "/dashboard/logs/C%3A%5CWindows%5Cwin.ini",
    ]);
    await expect(c.logs.read("..")).rejects.toThrow(TypeError);
    await expect(c.logs.read(".")).rejects.toThrow(TypeError);
    await expect(c.logs.read("x", { tail: 0 })).rejects.toThrow(TypeError);
    await expect(c.logs.read("x", { range: { start: 5, end: 5 } })).rejects.toThrow(TypeError);
    expect(peer.count()).toBe(3);
  });

  it("logs.list maps mtime seconds to Dates", async () => {
    peer = await startPeer((_req, res) => json(res, 200, [{ name: "agent.log", size: 1048213, mtime: 1776772842.4412 }, { name: 3 }]));
    const list = await client(peer).logs.list();
    expect(list).toEqual([{ name: "agent.log", size: 1048213, mtime: new Date(1776772842441.2) }]);
    expect(list.skipped).toHaveLength(1);
  });
});
