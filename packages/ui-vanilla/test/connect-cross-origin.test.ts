/**
 * The connect form pointed at another origin: the site's CSP (`connect-src 'self'`) and ductor's lack of CORS headers
 * make every request from the page fail, whatever the address. The form says why and what to run instead. In real
 * Chromium against the real dashboard server (the site) and the real mock ductor (another port: another origin).
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crossOriginAdvice } from "../src/views/connect.js";
import { launch, newPage, screenshot, startStack, type Stack } from "./helpers.js";

describe("crossOriginAdvice", () => {
  it("advises `serve --ductor <url>` for another origin only", () => {
    const advice = crossOriginAdvice("http://127.0.0.1:8741", "http://127.0.0.1:8080");
    expect(advice?.command).toBe("ductor-dashboard serve --ductor http://127.0.0.1:8741");
    expect(`${advice?.lead}${advice?.command}${advice?.tail}`).toMatch(/ductor sends no CORS headers/);
    expect(advice?.lead).toContain("this page (http://127.0.0.1:8080)");
    // Same origin (a path or trailing slash does not matter): the server is simply unreachable.
    expect(crossOriginAdvice("http://127.0.0.1:8080/", "http://127.0.0.1:8080")).toBeNull();
    expect(crossOriginAdvice("http://127.0.0.1:8080/s/work", "http://127.0.0.1:8080")).toBeNull();
    // Another scheme or host is another origin; a file:// page ("null") is never the same.
    expect(crossOriginAdvice("https://127.0.0.1:8080", "http://127.0.0.1:8080")).not.toBeNull();
    expect(crossOriginAdvice("http://localhost:8080", "http://127.0.0.1:8080")).not.toBeNull();
    expect(crossOriginAdvice("http://127.0.0.1:8741", "null")?.lead).toContain("from this page:");
    expect(crossOriginAdvice("not a url", "http://127.0.0.1:8080")).toBeNull();
  });
});

describe("the connect form in Chromium", () => {
  let browser: Browser;
  let stack: Stack;
  beforeAll(async () => {
    browser = await launch();
    stack = await startStack();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("says a request to another origin is blocked, and to run `ductor-dashboard serve --ductor <url>`", async () => {
    for (const [name, viewport, scheme] of [
      ["desktop-light", { width: 1280, height: 800 }, "light"],
      ["phone-dark", { width: 390, height: 844 }, "dark"],
    ] as const) {
      const { page, context } = await newPage(browser, viewport, scheme);
      await page.goto(stack.dash.url);
      await page.locator("#dd-token").waitFor();
      // ductor itself, on its own port: reachable from Node, but not from this page.
      const ductor = stack.mock.url.replace(/\/+$/, "");
      await page.fill("#dd-url", ductor);
      await page.fill("#dd-token", stack.mock.token);
      await page.getByRole("button", { name: "Connect" }).click();
      const message = page.locator(".connect-message");
      await expect.poll(() => message.textContent(), { timeout: 10_000 }).toMatch(/ductor sends no CORS headers/);
      expect(await message.textContent()).toContain(
        `Could not reach ${new URL(ductor).origin} from this page (${new URL(stack.dash.url).origin})`,
      );
      expect(await message.locator("code").textContent()).toBe(`ductor-dashboard serve --ductor ${ductor}`);
      expect(await message.textContent()).not.toMatch(/connection failed/);
      expect(await page.getByRole("button", { name: "Connect" }).isEnabled()).toBe(true);
      await screenshot(page, `connect-cross-origin-${name}`);
      await context.close();
    }
  });
});
