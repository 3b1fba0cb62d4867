/**
 * The serve gate as a browser meets it (real Chromium, real mock ductor): the dashboard's own page still
 * streams, a page on another origin cannot open the stream, and a DNS-rebound name gets nothing. Chromium's
 * --host-resolver-rules plays the attacker's DNS: evil.example resolves to 127.0.0.1.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newPage, startStack, streamText, type Stack } from "./helpers.js";

let browser: Browser;
let stack: Stack;
let foreign: Server; // a page on another origin (another port of the same machine)
let foreignUrl: string;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--host-resolver-rules=MAP evil.example 127.0.0.1",
    ],
  });
  stack = await startStack({});
  foreign = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>elsewhere</title>"));
  await new Promise<void>((resolve) => foreign.listen(0, "127.0.0.1", resolve));
  foreignUrl = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await new Promise((resolve) => foreign?.close(resolve));
});

describe("serve in a browser", () => {
  it("the dashboard's own page streams, under localhost too", async () => {
    const { page, context, errors } = await newPage(browser);
    await page.goto(`http://localhost:${stack.dash.port}/#/stream&token=${encodeURIComponent(stack.mock.token)}`);
    await expect.poll(() => page.locator(".badge").getAttribute("data-state")).toBe("open");
    stack.mock.broadcast({ type: "text_delta", data: "through the gate\n" });
    await expect.poll(() => streamText(page)).toContain("through the gate");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a page on another origin cannot open the stream", async () => {
    const { page, context } = await newPage(browser);
    await page.goto(foreignUrl);
    const outcome = await page.evaluate(
      (url) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(url);
          ws.onmessage = (e) => resolve(`message ${String(e.data)}`);
          ws.onclose = (e) => resolve(`close ${e.code}`);
        }),
      `ws://127.0.0.1:${stack.dash.port}/dashboard/stream?token=${encodeURIComponent(stack.mock.token)}`,
    );
    expect(outcome).toBe("close 1006"); // the handshake failed: no ping, so no proof of auth, no events
    expect(stack.mock.streamClients()).toBe(0);
    await context.close();
  });

  it("a DNS-rebound name gets neither the page nor the API", async () => {
    const { page, context } = await newPage(browser);
    const response = await page.goto(`http://evil.example:${stack.dash.port}/`);
    expect(response?.status()).toBe(403);
    const status = await page.evaluate(
      async (token) => (await fetch("/dashboard/status", { headers: { authorization: `Bearer ${token}` } })).status,
      stack.mock.token,
    );
    expect(status).toBe(403);
    await context.close();
  });
});
