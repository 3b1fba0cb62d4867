import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startMockServer, type MockServer } from "@ductor/mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTENT_SECURITY_POLICY, startDashboardServer, type DashboardServer } from "../src/serve.js";
import { siteDir } from "./helpers.js";

describe("startDashboardServer", () => {
  let mock: MockServer;
  let dash: DashboardServer;
  beforeAll(async () => {
    mock = await startMockServer({ recording: "coding-session" });
    dash = await startDashboardServer({ ductor: mock.url, siteDir, token: mock.token });
  });
  afterAll(async () => {
    await dash?.close();
    await mock?.close();
  });

  it("serves the site with a strict CSP and no inline script", async () => {
    const res = await fetch(dash.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain("unsafe-inline");
    const html = await res.text();
    expect(html).toContain('http-equiv="Content-Security-Policy"');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every script is external
    expect(html).not.toMatch(/\sstyle=/);
    expect(dash.tokenUrl).toBe(`${dash.url}#token=${encodeURIComponent(mock.token)}`);
  });

  it("marks the page it sends (the site asks it which ductors it serves), with an ETag; the file itself is left alone", async () => {
    const file = readFileSync(join(siteDir, "index.html"), "utf8");
    expect(file).not.toContain("ductor-dashboard-servers");
    for (const path of ["/", "/index.html", "/?x=1"]) {
      const res = await fetch(new URL(path, dash.url));
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
      const html = await res.text();
      expect(html).toContain('<meta name="ductor-dashboard-servers" content="dashboard/servers" />');
      expect(html.replace(/\n\s*<meta name="ductor-dashboard-servers"[^>]*>/, "")).toBe(file);
    }
    const first = await fetch(dash.url);
    const etag = first.headers.get("etag");
    expect(etag).toBeTruthy();
    const again = await fetch(dash.url, { headers: { "if-none-match": etag! } });
    expect(again.status).toBe(304);
    const head = await fetch(dash.url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("proxies /dashboard/* and /health, and nothing else of ductor", async () => {
    expect(await (await fetch(new URL("/health", dash.url))).json()).toMatchObject({ status: "ok" });
    const ok = await fetch(new URL("/dashboard/status", dash.url), { headers: { authorization: `Bearer ${mock.token}` } });
    expect(ok.status).toBe(200);
    const denied = await fetch(new URL("/dashboard/status", dash.url));
    expect(denied.status).toBe(401);
    for (const path of ["/ws", "/files?path=/etc/passwd", "/nope"]) expect((await fetch(new URL(path, dash.url))).status).toBe(404);
    expect((await fetch(new URL("/upload", dash.url), { method: "POST" })).status).toBe(405);
  });
});
