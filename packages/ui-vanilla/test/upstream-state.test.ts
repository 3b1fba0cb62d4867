/**
 * The connection pill and the Status view when ductor stops behind the recording relay, in real Chromium: the real
 * `startDashboardServer` relay in front of the real mock ductor, stopped and started again on the same port. The
 * viewer's socket to the relay stays open meanwhile, so only the relay's `upstream` rows (live, or the last one in
 * the history a page loads) can say that ductor is unreachable. One ductor, and one ductor of a fleet (`#/s/<name>/`).
 */
import { fileURLToPath } from "node:url";
import { startDashboardServer, type DashboardServer } from "@ductor/dashboard-server";
import { startMockServer, type MockServer } from "@ductor/mock-server";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, newPage, screenshot } from "./helpers.js";

const poll = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout });
const siteDir = fileURLToPath(new URL("../test-output/site", import.meta.url));
/** The relay retries ductor quickly here, so "back" shows within a poll's deadline. */
const relay = { upstream: { minDelayMs: 50, maxDelayMs: 250 } };

const pill = (page: Page) => page.locator(".badge .badge-text").textContent();
const pillState = (page: Page) => page.locator(".badge").getAttribute("data-state");
const statusUpdated = (page: Page) => page.locator(".view-status .updated").textContent();
const statusError = (page: Page) => page.locator(".view-status .banner-error");

/** In a hook (expect.poll is for tests): until `ok()`, or fail after 10 s. */
async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  if (!ok()) throw new Error("timed out waiting for the relay's upstream socket");
}

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** A mock ductor that can be stopped and started again at the same address, with the same token. */
async function restartable(): Promise<{ mock: () => MockServer; stop(): Promise<void>; start(): Promise<void> }> {
  let mock = await startMockServer({ heartbeatMs: 0 });
  const { port, token } = mock;
  return {
    mock: () => mock,
    stop: () => mock.close(),
    async start() {
      mock = await startMockServer({ heartbeatMs: 0, port, token });
    },
  };
}

describe("one ductor behind the relay", () => {
  let ductor: Awaited<ReturnType<typeof restartable>>;
  let dash: DashboardServer;
  beforeAll(async () => {
    ductor = await restartable();
    dash = await startDashboardServer({ ductor: ductor.mock().url, token: ductor.mock().token, siteDir, relay });
    await until(() => ductor.mock().streamClients() === 1);
  });
  afterAll(async () => {
    await dash?.close();
    await ductor?.mock().close();
  });

  it("the pill says ductor is unreachable while it is down (live, and from history on load), connected once it is back; Status shows the error, not loading…", async () => {
    const token = ductor.mock().token;
    const { page, context, errors } = await newPage(browser);
    await page.goto(`${dash.url}#/status&token=${encodeURIComponent(token)}`);
    await poll(() => pill(page)).toBe("connected");
    expect(await pillState(page)).toBe("open");
    await poll(() => statusUpdated(page)).toMatch(/^updated /);
    expect(await page.locator(".view-status .card-value").first().textContent()).not.toBe("–");

    await ductor.stop();
    // The page's socket to the relay is still open: the relay's "disconnected" row is what says it.
    await poll(() => pill(page)).toBe("ductor unreachable");
    expect(await pillState(page)).toBe("upstream-down");
    // The next status poll fails (502 from the proxy): the error is shown and the cards it had are marked stale.
    await poll(() => statusError(page).isVisible()).toBe(true);
    expect(await statusError(page).textContent()).toMatch(/ductor did not answer the dashboard's proxy \(502\)/);
    await poll(() => statusUpdated(page)).toMatch(/^stale · updated /);
    expect(await page.locator(".view-status .cards.is-stale").count()).toBe(1);
    await screenshot(page, "upstream-down-status-desktop-light");

    // A page opened while ductor is down: the last upstream row of the history sets the pill; Status says no data.
    const later = await newPage(browser, { width: 390, height: 844 }, "dark");
    await later.page.goto(`${dash.url}#/status&token=${encodeURIComponent(token)}`);
    await poll(() => pill(later.page)).toBe("ductor unreachable");
    await poll(() => statusError(later.page).isVisible()).toBe(true);
    await poll(() => statusUpdated(later.page)).toBe("no data");
    expect(await pillState(later.page)).toBe("upstream-down");
    // The tab says the same (its activity tracker saw no live row: the history's last one says it).
    await poll(() => later.page.title()).toBe("ductor unreachable · ductor");
    await screenshot(later.page, "upstream-down-status-phone-dark");

    await ductor.start();
    await poll(() => pill(page)).toBe("connected");
    await poll(() => pill(later.page)).toBe("connected");
    expect(await pillState(page)).toBe("open");
    await poll(() => later.page.title()).not.toMatch(/unreachable/);
    // The next status poll clears the error and the stale mark.
    await poll(() => statusUpdated(later.page)).toMatch(/^updated /);
    await poll(() => statusError(page).isVisible()).toBe(false);
    expect(await page.locator(".view-status .cards.is-stale").count()).toBe(0);
    await later.context.close();
    expect(errors.filter((e) => !/50\d/.test(e))).toEqual([]);
    await context.close();
  });
});

describe("one ductor of a fleet", () => {
  let work: Awaited<ReturnType<typeof restartable>>;
  let home: MockServer;
  let dash: DashboardServer;
  beforeAll(async () => {
    work = await restartable();
    home = await startMockServer({ heartbeatMs: 0 });
    dash = await startDashboardServer({
      ductors: [
        { name: "home", url: home.url, token: home.token },
        { name: "work", url: work.mock().url, token: work.mock().token },
      ],
      history: false,
      siteDir,
      relay,
    });
    await until(() => work.mock().streamClients() + home.streamClients() === 2);
  });
  afterAll(async () => {
    await dash?.close();
    await home?.close();
    await work?.mock().close();
  });

  it("#/s/work/status: the pill follows work's ductor going down and coming back; Status shows the error", async () => {
    const { page, context } = await newPage(browser, { width: 1280, height: 800 }, "dark");
    await page.goto(`${dash.url}#server=work&token=${encodeURIComponent(work.mock().token)}`);
    await poll(() => pill(page)).toBe("connected");
    await page.locator(".nav-link", { hasText: "Status" }).click();
    await poll(() => page.evaluate(() => location.hash)).toBe("#/s/work/status");
    await poll(() => statusUpdated(page)).toMatch(/^updated /);

    await work.stop();
    await poll(() => pill(page)).toBe("ductor unreachable");
    await poll(() => statusUpdated(page)).toMatch(/^stale · updated /);
    expect(await statusError(page).isVisible()).toBe(true);
    await screenshot(page, "upstream-down-fleet-desktop-dark");

    // Reloaded while work is down: history says so at once.
    await page.reload();
    await poll(() => pill(page)).toBe("ductor unreachable");
    await poll(() => statusUpdated(page)).toBe("no data");

    await work.start();
    await poll(() => pill(page)).toBe("connected");
    await poll(() => statusUpdated(page)).toMatch(/^updated /);
    await context.close();
  });
});
