import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockServer, recordingsDir, type MockServer } from "../src/index.js";

const JSON_CT = "application/json; charset=utf-8";
const TEXT_CT = "text/plain; charset=utf-8";

let dir: string;
let server: MockServer;
let auth: { authorization: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mock-http-"));
  cpSync(join(recordingsDir(), "coding-session"), dir, { recursive: true });
  server = await startMockServer({ data: dir, token: "t0ken", status: { provider: "claude", model: "opus" }, autoplay: "manual" });
  auth = { authorization: `Bearer ${server.token}` };
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** node:http keeps the path as written (fetch would normalise `..` and `%2e%2e` away). */
function rawGet(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}/`, { path, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const get = (path: string, headers: Record<string, string> = {}, method = "GET") => fetch(server.url + path, { method, headers });

describe("auth and framework errors", () => {
  it("401 JSON on every /dashboard route without or with a wrong token, before anything else", async () => {
    for (const path of [
      "/dashboard/status",
      "/dashboard/sessions",
      "/dashboard/tasks",
      "/dashboard/logs",
      "/dashboard/logs/agent.log",
      "/dashboard/logs/..%2Fx",
    ]) {
      for (const headers of <Record<string, string>[]>[
        {},
        { authorization: "Bearer nope" },
        { authorization: `bearer ${server.token}` },
        { authorization: server.token },
      ]) {
        const res = await get(path, headers);
        expect(res.status, path).toBe(401);
        expect(res.headers.get("content-type")).toBe(JSON_CT);
        expect(res.headers.get("www-authenticate")).toBeNull();
        expect(await res.text()).toBe('{"error": "unauthorized"}');
      }
    }
  });

  it("a non-ASCII token is a 500, not a 401 (ductor's compare_digest raises)", async () => {
    const res = await fetch(`${server.url}/dashboard/status`, {
      headers: { authorization: Buffer.from("Bearer sécret", "utf8").toString("latin1") },
    });
    expect(res.status).toBe(500);
    expect(res.headers.get("connection")).toBe("close");
  });

  it("404 text for unknown paths, including trailing slashes", async () => {
    for (const path of [
      "/nope",
      "/dashboard",
      "/dashboard/",
      "/dashboard/status/",
      "/dashboard/logs/",
      "/dashboard/logs/agent.log/",
      "/health/",
    ]) {
      const res = await get(path, auth);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type")).toBe(TEXT_CT);
      expect(await res.text()).toBe("404: Not Found");
    }
  });

  it("405 with Allow: GET,HEAD for other methods (OPTIONS too, no CORS)", async () => {
    for (const method of ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"]) {
      const res = await get("/dashboard/status", auth, method);
      expect(res.status, method).toBe(405);
      expect(res.headers.get("allow")).toBe("GET,HEAD");
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
      expect(await res.text()).toBe("405: Method Not Allowed");
    }
  });

  it("HEAD answers every GET route with the GET's status and headers, no body", async () => {
    for (const path of [
      "/health",
      "/dashboard/status",
      "/dashboard/sessions",
      "/dashboard/tasks",
      "/dashboard/logs",
      "/dashboard/logs/agent.log",
      "/nope",
    ]) {
      const g = await get(path, auth);
      const gBody = await g.arrayBuffer();
      const h = await get(path, auth, "HEAD");
      expect(h.status, path).toBe(g.status);
      expect(h.headers.get("content-type")).toBe(g.headers.get("content-type"));
      if (path !== "/dashboard/status") expect(h.headers.get("content-length")).toBe(String(gBody.byteLength));
      expect((await h.arrayBuffer()).byteLength).toBe(0);
    }
  });

  it("a plain GET on the stream endpoint is a 400 text error whatever the token", async () => {
    const res = await get(`/dashboard/stream?token=${server.token}`);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe(TEXT_CT);
    expect(await res.text()).toMatch(/^No WebSocket UPGRADE hdr: None/);
  });
});

describe("endpoints", () => {
  it("/health needs no auth", async () => {
    const res = await get("/health");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(JSON_CT);
    expect(await res.text()).toBe('{"status": "ok", "connections": 0}');
  });

  it("/dashboard/status swaps provider and model like ductor", async () => {
    const res = await get("/dashboard/status", auth);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(
      /^\{"status": "ok", "provider": "opus", "model": "claude", "uptime_seconds": \d+, "connections": 0, "dashboard_connections": 0\}$/,
    );
  });

  it("/dashboard/sessions re-serialises sessions.json like json.dumps (spacing, \\u escapes, floats, key order)", async () => {
    const res = await get("/dashboard/sessions", auth);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(JSON_CT);
    const text = await res.text();
    const file = JSON.parse(readFileSync(join(dir, "sessions.json"), "utf8")) as Record<string, unknown>;
    expect(JSON.parse(text)).toEqual(file);
    expect(Object.keys(JSON.parse(text) as object)).toEqual(Object.keys(file)); // JS would reorder numeric keys
    expect(text.startsWith('{"tg:123456789": {"transport": "tg", "chat_id": 123456789, "topic_id": null')).toBe(true);
    expect(text).toContain('"total_cost_usd": 0.0,');
    expect(text).toContain('"total_cost_usd": 1e-05,');
    expect(text).toContain('"Research \\ud83d\\udd2c Forschung"');
    expect(text).toContain('"\\u958b\\u767a / dev"');
    expect(text).not.toMatch(/[^\x20-\x7e]/);
    expect(text.indexOf('"987654321"')).toBeGreaterThan(text.indexOf('"mx:'));
  });

  it("/dashboard/tasks returns the array with epoch-second floats", async () => {
    const res = await get("/dashboard/tasks", auth);
    const text = await res.text();
    const tasks = JSON.parse(text) as { task_id: string; created_at: number; status: string }[];
    expect(tasks.length).toBeGreaterThan(2);
    expect(new Set(tasks.map((t) => t.status)).size).toBeGreaterThan(1);
    expect(text).toContain('"completed_at": 0.0, "elapsed_seconds": 0.0');
    expect(text).toMatch(/"created_at": 1776762012\.5531/);
  });

  it("/dashboard/logs lists regular files newest first with float mtimes", async () => {
    const res = await get("/dashboard/logs", auth);
    const text = await res.text();
    const list = JSON.parse(text) as { name: string; size: number; mtime: number }[];
    expect(list.map((f) => f.name).sort()).toEqual(["agent.log", "agent.log.1", "service.err"]);
    for (const f of list) expect(f.size).toBe(statSync(join(dir, "logs", f.name)).size);
    for (let i = 1; i < list.length; i++) expect(list[i - 1]!.mtime).toBeGreaterThanOrEqual(list[i]!.mtime);
    expect(text).toMatch(/"mtime": \d+\.\d+/);
  });

  it("a data folder's log-mtimes.json pins the listed mtimes (git and npm pack do not keep them)", async () => {
    const pinnedDir = mkdtempSync(join(tmpdir(), "mock-mtimes-"));
    cpSync(join(recordingsDir(), "coding-session"), pinnedDir, { recursive: true });
    // Real mtimes in the opposite order to the pinned ones, as a fresh checkout might leave them.
    utimesSync(join(pinnedDir, "logs", "agent.log"), 1_000, 1_000);
    utimesSync(join(pinnedDir, "logs", "agent.log.1"), 3_000, 3_000);
    utimesSync(join(pinnedDir, "logs", "service.err"), 2_000, 2_000);
    writeFileSync(
      join(pinnedDir, "log-mtimes.json"),
      JSON.stringify({ "agent.log": 1776765797.25, "agent.log.1": 1776761939.5, "ignored.log": "x" }),
    );
    const pinnedServer = await startMockServer({ data: pinnedDir, autoplay: "manual" });
    try {
      const res = await fetch(`${pinnedServer.url}/dashboard/logs`, { headers: { authorization: `Bearer ${pinnedServer.token}` } });
      const list = (await res.json()) as { name: string; mtime: number }[];
      expect(list).toEqual([
        expect.objectContaining({ name: "agent.log", mtime: 1776765797.25 }),
        expect.objectContaining({ name: "agent.log.1", mtime: 1776761939.5 }),
        expect.objectContaining({ name: "service.err", mtime: 2_000 }),
      ]);
    } finally {
      await pinnedServer.close();
      rmSync(pinnedDir, { recursive: true, force: true });
    }
  });

  it("400 for names with / or .. after percent-decoding; 404 JSON for missing files and non-files", async () => {
    for (const name of ["..", "%2E%2E", "..%2Fx", "a..b.log", "%2e%2e%2fsessions.json", "x%2Fy"]) {
      const res = await rawGet(`/dashboard/logs/${name}`, auth);
      expect(res.status, name).toBe(400);
      expect(res.body).toBe('{"error": "invalid filename"}');
    }
    expect((await rawGet("/dashboard/logs/../sessions.json", auth)).status).toBe(404);
    const missing = await get("/dashboard/logs/missing.log", auth);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe(JSON_CT);
    expect(await missing.text()).toBe('{"error": "not found"}');
    for (const name of [".", "%2E"]) {
      const res = await rawGet(`/dashboard/logs/${name}`, auth);
      expect(res.status, name).toBe(404);
      expect(res.body).toBe('{"error": "not found"}');
    }
  });
});

describe("log file: FileResponse semantics", () => {
  const path = () => join(dir, "logs", "agent.log");

  it("200 with the bytes, text/plain, Accept-Ranges, ETag and Last-Modified", async () => {
    const res = await get("/dashboard/logs/agent.log", auth);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(TEXT_CT);
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.equals(readFileSync(path()))).toBe(true);
    expect(body.length).toBeGreaterThan(64 * 1024);
    const st = statSync(path(), { bigint: true });
    expect(res.headers.get("etag")).toBe(`"${st.mtimeNs.toString(16)}-${st.size.toString(16)}"`);
    expect(new Date(res.headers.get("last-modified")!).getTime()).toBe(Math.floor(Number(st.mtimeMs) / 1000) * 1000);
  });

  it("Range → 206 with Content-Range (a-b, a-, suffix)", async () => {
    const file = readFileSync(path());
    const size = file.length;
    const cases: [string, number, number][] = [
      ["bytes=0-99", 0, 99],
      [`bytes=${size - 10}-`, size - 10, size - 1],
      ["bytes=-500", size - 500, size - 1],
      [`bytes=100-${size + 1000}`, 100, size - 1],
    ];
    for (const [range, a, b] of cases) {
      const res = await get("/dashboard/logs/agent.log", { ...auth, range });
      expect(res.status, range).toBe(206);
      expect(res.headers.get("content-range")).toBe(`bytes ${a}-${b}/${size}`);
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.equals(file.subarray(a, b + 1))).toBe(true);
    }
  });

  it("unsatisfiable or malformed ranges → 416 with bytes */size", async () => {
    const size = statSync(path()).size;
    for (const range of [`bytes=${size}-`, `bytes=${size + 5}-${size + 9}`, "bytes=10-5", "bytes=0-1,5-6", "items=0-1", "bytes=-"]) {
      const res = await get("/dashboard/logs/agent.log", { ...auth, range });
      expect(res.status, range).toBe(416);
      expect(res.headers.get("content-range")).toBe(`bytes */${size}`);
    }
  });

  it("If-None-Match with the ETag → 304, a stale one → 200", async () => {
    const first = await get("/dashboard/logs/agent.log", auth);
    await first.arrayBuffer();
    const etag = first.headers.get("etag")!;
    const res = await get("/dashboard/logs/agent.log", { ...auth, "if-none-match": etag });
    expect(res.status).toBe(304);
    expect(res.headers.get("etag")).toBe(etag);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
    const stale = await get("/dashboard/logs/agent.log", { ...auth, "if-none-match": '"0-0"' });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
  });

  it("If-Modified-Since in the future → 304", async () => {
    const res = await get("/dashboard/logs/agent.log", { ...auth, "if-modified-since": new Date(Date.now() + 86_400_000).toUTCString() });
    expect(res.status).toBe(304);
  });

  it("an appended file is seen by a tail poll (206 new bytes, then 416 when nothing new)", async () => {
    const p = join(dir, "logs", "tail.log");
    writeFileSync(p, "line 1\n");
    const size = statSync(p).size;
    const none = await get("/dashboard/logs/tail.log", { ...auth, range: `bytes=${size}-` });
    expect(none.status).toBe(416);
    expect(none.headers.get("content-range")).toBe(`bytes */${size}`);
    writeFileSync(p, "line 1\nline 2\n");
    const more = await get("/dashboard/logs/tail.log", { ...auth, range: `bytes=${size}-` });
    expect(more.status).toBe(206);
    expect(await more.text()).toBe("line 2\n");
  });
});

describe("data folder edge cases", () => {
  it("corrupt sessions.json → text 500 (HTML when asked); missing → {}; non-object JSON as is", async () => {
    const d = mkdtempSync(join(tmpdir(), "mock-data-"));
    const s = await startMockServer({ data: d, token: "x" });
    const h = { authorization: "Bearer x" };
    try {
      let res = await fetch(`${s.url}/dashboard/sessions`, { headers: h });
      expect(await res.text()).toBe("{}");
      expect(await (await fetch(`${s.url}/dashboard/tasks`, { headers: h })).text()).toBe("[]");
      expect(await (await fetch(`${s.url}/dashboard/logs`, { headers: h })).text()).toBe("[]");

      writeFileSync(join(d, "sessions.json"), '{"a": 1,');
      res = await fetch(`${s.url}/dashboard/sessions`, { headers: h });
      expect(res.status).toBe(500);
      expect(res.headers.get("content-type")).toBe(TEXT_CT);
      expect(res.headers.get("connection")).toBe("close");
      expect(await res.text()).toBe("500 Internal Server Error\n\nServer got itself in trouble");

      res = await fetch(`${s.url}/dashboard/sessions`, { headers: { ...h, accept: "text/html,*/*" } });
      expect(res.status).toBe(500);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      expect(await res.text()).toContain("<title>500 Internal Server Error</title>");

      writeFileSync(join(d, "sessions.json"), Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]));
      expect((await fetch(`${s.url}/dashboard/sessions`, { headers: h })).status).toBe(500);

      writeFileSync(join(d, "sessions.json"), '[1, 2.0, "\u00e9", 1e400, -0, 12345678901234567890]');
      res = await fetch(`${s.url}/dashboard/sessions`, { headers: h });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('[1, 2.0, "\\u00e9", Infinity, 0, 12345678901234567890]');
    } finally {
      await s.close();
      rmSync(d, { recursive: true, force: true });
    }
  });
});
