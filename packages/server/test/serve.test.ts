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
