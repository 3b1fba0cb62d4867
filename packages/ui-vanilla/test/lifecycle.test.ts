/**
 * What a dashboard left open all day lives through: the network going away and coming back, and the tab being
 * hidden. Real Chromium against the real mock server.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, newPage, startStack, streamText, type Stack } from "./helpers.js";

let browser: Browser;
let stack: Stack;
beforeAll(async () => {
  browser = await launch();
  stack = await startStack({});
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const badgeState = (page: import("playwright-core").Page) => page.locator(".badge").getAttribute("data-state");
/** expect.poll's own deadline is 1 s, which a loaded CI machine can miss while the page is doing its part. */
const WAIT = { timeout: 10_000 };

describe("lifecycle", () => {
  it("offline: the badge says so and the stream socket is dropped; back online: it reconnects at once and streams again", async () => {
    const { page, context, errors } = await newPage(browser);
    await page.goto(`${stack.dash.url}#/stream&token=${encodeURIComponent(stack.mock.token)}`);
    await expect.poll(() => badgeState(page), WAIT).toBe("open");

    await context.setOffline(true);
    await expect.poll(() => badgeState(page), WAIT).toBe("offline");
    expect(await page.locator(".badge").textContent()).toMatch(/offline/);
    await expect.poll(() => stack.mock.streamClients(), WAIT).toBe(0);

    const backOnline = Date.now();
    await context.setOffline(false);
    await expect.poll(() => badgeState(page), WAIT).toBe("open");
    // "At once": well inside the backoff ceiling (30 s) the stream would otherwise wait for.
    expect(Date.now() - backOnline).toBeLessThan(5_000);
    stack.mock.broadcast({ type: "text_delta", data: "back online\n" });
    await expect.poll(() => streamText(page), WAIT).toContain("back online");
    expect(await page.locator(".sr-gap").count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a hidden tab stops polling; showing it again polls at once", async () => {
    const { page, context } = await newPage(browser);
    // When the page started each poll, on the page's own clock (resource timing), so that how long the test
    // process takes to hear of a request on a busy machine does not count.
    const polls = () =>
      page.evaluate(() =>
        performance
          .getEntriesByType("resource")
          .filter((e) => /\/dashboard\/(sessions|tasks)$/.test(new URL(e.name).pathname))
          .map((e) => e.startTime),
      );
    await page.goto(`${stack.dash.url}#/sessions&token=${encodeURIComponent(stack.mock.token)}`);
    await expect.poll(async () => (await polls()).length, WAIT).toBeGreaterThan(0);

    // Headless Chromium keeps a page visible; play the browser's part: the state flips, then the event fires.
    // Returns the moment it fired, on the page's clock.
    const setVisibility = (state: "hidden" | "visible") =>
      page.evaluate((s) => {
        Object.defineProperty(document, "visibilityState", { configurable: true, get: () => s });
        Object.defineProperty(document, "hidden", { configurable: true, get: () => s === "hidden" });
        const at = performance.now();
        document.dispatchEvent(new Event("visibilitychange"));
        return at;
      }, state);
    const hiddenAt = await setVisibility("hidden");
    await page.waitForTimeout(7_000); // more than two of the view's 3 s polling periods
    expect((await polls()).filter((t) => t > hiddenAt + 250)).toEqual([]);

    const shownAt = await setVisibility("visible");
    await expect.poll(async () => (await polls()).filter((t) => t >= shownAt).length, WAIT).toBeGreaterThan(0);
    expect((await polls()).find((t) => t >= shownAt)! - shownAt).toBeLessThan(1_500);
    await context.close();
  });

  it("after 'Jump to latest', output that grows below the view (pages taking their real size) does not end following", async () => {
    const { page, context } = await newPage(browser);
    await page.goto(`${stack.dash.url}#/stream&token=${encodeURIComponent(stack.mock.token)}`);
    await expect.poll(() => badgeState(page)).toBe("open");
    stack.mock.broadcast({ type: "text_delta", data: "line\n".repeat(2_000) });
    await expect.poll(async () => (await streamText(page)).length, WAIT).toBe(10_000);
    await page.evaluate(() => (document.querySelector(".view-stream .sr-scroll")!.scrollTop = 0));
    await page.waitForSelector(".view-stream .sr-jump:not([hidden])");
    // Right after the jump's own scroll, the last block grows, as an out-of-view page does once shown.
    await page.evaluate(() => {
      document.querySelector(".view-stream .sr-jump")!.addEventListener("click", () => {
        const blocks = document.querySelectorAll<HTMLElement>(".view-stream .sr-chunk");
        blocks[blocks.length - 1]!.style.paddingBottom = "1500px";
      });
    });
    await page.click(".view-stream .sr-jump");
    const distance = () =>
      page.evaluate(() => {
        const sc = document.querySelector(".view-stream .sr-scroll")!;
        return sc.scrollHeight - sc.scrollTop - sc.clientHeight;
      });
    await expect.poll(distance, WAIT).toBeLessThan(2);
    expect(await page.locator(".view-stream .sr-jump").isHidden()).toBe(true);
    await context.close();
  });
});
