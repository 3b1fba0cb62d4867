/**
 * Several ductors in one dashboard, in real Chromium: two real mock ductors (each its own token) behind one real
 * `startDashboardServer({ ductors })` serving the built site. The fleet overview's cards, per-ductor sign-in and
 * links, a ductor's full app under `#/s/<name>/…`, and one ductor stopping while the other goes on.
 */
import { fileURLToPath } from "node:url";
import { startDashboardServer, type DashboardServer } from "@ductor/dashboard-server";
import { startMockServer, type MockServer } from "@ductor/mock-server";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOSTILE, harnessDir, launch, newPage, screenshot, streamText } from "./helpers.js";

/** Polls for up to 10 s: a loaded 2-core machine may take a few seconds to connect and draw. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000 });

const siteDir = fileURLToPath(new URL("../test-output/site", import.meta.url));

let browser: Browser;
let home: MockServer;
let work: MockServer;
let workClosed = false;
let dash: DashboardServer;

beforeAll(async () => {
  browser = await launch();
  [home, work] = await Promise.all([startMockServer({ heartbeatMs: 0 }), startMockServer({ heartbeatMs: 0 })]);
  dash = await startDashboardServer({
    ductors: [
      { name: "home", url: home.url, token: home.token },
      { name: "work", url: work.url, token: work.token },
    ],
    history: false,
    siteDir,
  });
  // Each relay's own upstream socket to its ductor.
  for (let i = 0; i < 200 && (home.streamClients() !== 1 || work.streamClients() !== 1); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});
afterAll(async () => {
  await browser?.close();
  await dash?.close();
  await home?.close();
  if (!workClosed) await work?.close();
});

const card = (page: Page, server: string) => page.locator(`.fleet-card[data-server="${server}"]`);
const cardLinkState = (page: Page, server: string) => card(page, server).getAttribute("data-link");
const lastLine = (page: Page, server: string) => card(page, server).locator(".fleet-last-line").textContent();
const viewers = (server: string) => dash.servers.find((s) => s.name === server)?.relay?.stats().viewers ?? -1;

/**
 * A page in a browser that has seen this fleet before (the flag the site keeps): it asks for the list of ductors at
 * once. A first visit with no link shows the connect form and finds the fleet from there (its own test).
 */
async function fleetPage(): Promise<Awaited<ReturnType<typeof newPage>>> {
  const opened = await newPage(browser);
  await opened.context.addInitScript(() => localStorage.setItem("ductor-dashboard.fleet", "1"));
  return opened;
}

async function signInOnCard(page: Page, server: string, token: string, remember = false): Promise<void> {
  await card(page, server).locator("input[type=password]").fill(token);
  if (remember) await card(page, server).locator("input[type=checkbox]").check();
  await card(page, server).getByRole("button", { name: "Sign in" }).click();
}

describe("the fleet overview", () => {
  it("a first visit to the page serve sends shows the fleet at once: one request for the list, no form, no 404", async () => {
    const { page, context, errors } = await newPage(browser);
    const asked: string[] = [];
    page.on("request", (r) => {
      if (new URL(r.url()).pathname.startsWith("/dashboard")) asked.push(new URL(r.url()).pathname);
    });
    await page.goto(dash.url);
    await poll(() => page.locator(".fleet-card").count()).toBe(2);
    expect(asked).toEqual(["/dashboard/servers"]);
    expect(await page.locator("#dd-token").count()).toBe(0);
    expect(await cardLinkState(page, "work")).toBe("signed-out");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("the site's page without serve's mark asks nothing until the connect form meets the fleet, then shows it", async () => {
    const { page, context, errors } = await newPage(browser);
    // The same site hosted elsewhere (no meta tag from serve) in front of the same relay.
    await page.route(dash.url, async (route) => {
      const response = await route.fetch();
      const body = (await response.text()).replace(/<meta name="ductor-dashboard-servers"[^>]*>/, "");
      expect(body).not.toContain("ductor-dashboard-servers");
      await route.fulfill({ response, body });
    });
    const asked: string[] = [];
    page.on("request", (r) => {
      if (new URL(r.url()).pathname.startsWith("/dashboard")) asked.push(new URL(r.url()).pathname);
    });
    await page.goto(dash.url);
    await page.locator("#dd-token").fill(home.token);
    expect(asked).toEqual([]);
    await page.locator("form.connect-form button[type=submit]").click();
    await poll(() => page.locator(".fleet-card").count()).toBe(2);
    expect(asked).toEqual(["/dashboard/status", "/dashboard/servers"]);
    // The token typed there went to no ductor: each card asks for its own.
    expect(await cardLinkState(page, "home")).toBe("signed-out");
    expect(await page.evaluate(() => localStorage.getItem("ductor-dashboard.fleet"))).toBe("1");
    expect(errors.filter((e) => !/404/.test(e))).toEqual([]);

    // The next visit of this browser goes to the fleet at once.
    await page.reload();
    await poll(() => page.locator(".fleet-card").count()).toBe(2);
    await context.close();
  });

  it("lists both ductors signed out, then each card signs in its own ductor and shows its own output", async () => {
    const { page, context, errors } = await fleetPage();
    await page.goto(dash.url);
    await poll(() => page.locator(".fleet-card").count()).toBe(2);
    expect(await cardLinkState(page, "home")).toBe("signed-out");
    expect(await cardLinkState(page, "work")).toBe("signed-out");
    await screenshot(page, "fleet-signed-out");

    await signInOnCard(page, "home", home.token);
    await poll(() => cardLinkState(page, "home")).toBe("live");
    expect(await cardLinkState(page, "work")).toBe("signed-out");
    await signInOnCard(page, "work", work.token);
    await poll(() => cardLinkState(page, "work")).toBe("live");
    await poll(() => [viewers("home"), viewers("work")]).toEqual([1, 1]);

    home.broadcast({ type: "text_delta", data: "home: deploying the " });
    home.broadcast({ type: "text_delta", data: "site\n" });
    work.broadcast({ type: "text_delta", data: "work: tests are green\n" });
    work.broadcast({ type: "tool_activity", data: "Shell" });
    await poll(() => lastLine(page, "home")).toBe("home: deploying the site");
    await poll(() => lastLine(page, "work")).toBe("work: tests are green");
    await poll(() => card(page, "work").locator(".fleet-activity").textContent()).toMatch(/^Running Shell · \d+ s$/);
    expect(await card(page, "work").getAttribute("data-work")).toBe("working");
    expect(await card(page, "home").locator(".fleet-work").textContent()).toBe("working"); // writing, just now
    // Nothing spent: written as the Usage panel writes it ("$0"), not "$0.00".
    await poll(() => card(page, "home").locator(".fleet-cost").textContent()).toBe("today $0");

    // Markdown reads as prose, and two messages with a tool call between them are two lines, not one sentence.
    work.broadcast({
      type: "text_delta",
      data: "Found it in <file:/src/totals.ts>, **rounded** twice:\n\n| 300 | pkg-300 |\n|---|---|\n```ts\nround2(x)\n```",
    });
    await poll(() => lastLine(page, "work")).toBe("300 · pkg-300");
    work.broadcast({ type: "text_delta", data: "Context was compacted." });
    work.broadcast({ type: "tool_activity", data: "Shell" });
    work.broadcast({ type: "text_delta", data: "Session recovered — " });
    work.broadcast({ type: "text_delta", data: "**all** tests pass.\n\n```\n" });
    work.broadcast({ type: "text_delta", data: "148 passed\n```\n" });
    await poll(() => lastLine(page, "work")).toBe("Session recovered — all tests pass.");

    // Hostile output is the characters it is, on the card too.
    home.broadcast({ type: "text_delta", data: `${HOSTILE[0]}\n` });
    await poll(() => lastLine(page, "home")).toBe(HOSTILE[0]);
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    await poll(() => page.evaluate(() => document.title)).toMatch(/working · ductor/);
    expect(errors).toEqual([]);
    await context.close();
    await poll(() => [viewers("home"), viewers("work")]).toEqual([0, 0]);
  });

  it("a token for one ductor does not sign in the other, from the card or from a link", async () => {
    const { page, context, errors } = await fleetPage();
    await page.goto(dash.url);
    await signInOnCard(page, "work", home.token);
    await poll(() => card(page, "work").locator(".fleet-signin-message").textContent()).toBe("work refused this token.");
    expect(await cardLinkState(page, "work")).toBe("signed-out");
    expect(await page.evaluate(() => sessionStorage.getItem("ductor-dashboard.token@work"))).toBeNull();

    // A link for work carrying home's token: refused by work, stored nowhere, the address bar clean.
    await page.goto(`${dash.url}#server=work&token=${encodeURIComponent(home.token)}`);
    await poll(() => card(page, "work").locator(".fleet-signin-message").textContent()).toMatch(/work: .*refused the token/);
    expect(await page.evaluate(() => location.hash)).toBe("#/");
    expect(await page.evaluate(() => ({ ...sessionStorage, ...localStorage }))).not.toHaveProperty("ductor-dashboard.token@work");
    expect(await cardLinkState(page, "home")).toBe("signed-out");
    expect(errors.filter((e) => !/401|403/.test(e))).toEqual([]);
    await context.close();
  });

  it("a link's token is not sent when the page cannot learn which ductors it serves; a pasted #token= leaves a fleet tab", async () => {
    const { page, context } = await newPage(browser);
    // The listing cannot be had (a slow or failing relay): the link's token was meant for work, and this page
    // cannot tell where work is, so it sends that token nowhere.
    await page.route("**/dashboard/servers", (route) => route.abort());
    const carried: string[] = [];
    page.on("request", (r) => {
      if (r.headers()["authorization"] || r.url().includes(encodeURIComponent(work.token))) carried.push(r.url());
    });
    await page.goto(`${dash.url}#server=work&token=${encodeURIComponent(work.token)}`);
    await poll(() => page.locator("#dd-token").count()).toBe(1);
    expect(carried).toEqual([]);
    expect(await page.evaluate(() => location.href)).not.toContain(work.token);
    await page.unroute("**/dashboard/servers");

    // In a fleet tab, a single ductor's `#token=` link leaves the address bar and signs nobody in.
    await page.goto(dash.url);
    await poll(() => page.locator(".fleet-card").count()).toBe(2);
    await page.evaluate(() => {
      location.hash = "#token=pasted-secret";
    });
    await poll(() => page.evaluate(() => location.href)).not.toContain("pasted-secret");
    expect(await cardLinkState(page, "home")).toBe("signed-out");
    await context.close();
  });

  it("#server=work&token=… signs in work, leaves the address bar clean and opens work's app; back to the fleet", async () => {
    const { page, context, errors } = await newPage(browser);
    // The page's sockets: leaving work's app must close its own.
    const sockets: string[] = [];
    page.on("websocket", (ws) => {
      sockets.push("open");
      ws.on("close", () => sockets.push("close"));
    });
    await page.goto(`${dash.url}#server=work&token=${encodeURIComponent(work.token)}`);
    expect(await page.evaluate(() => location.href)).not.toContain(work.token);
    await page.waitForSelector(".badge[data-state=open]");
    expect(await page.evaluate(() => location.hash)).toBe("#/s/work/stream");
    expect(await page.locator(".brand-server").textContent()).toBe("work");
    work.broadcast({ type: "text_delta", data: "only in work\n" });
    home.broadcast({ type: "text_delta", data: "only in home\n" });
    await poll(() => streamText(page)).toContain("only in work\n");
    expect(await streamText(page)).not.toContain("only in home");
    // Stored once work accepted it, for work only.
    expect(await page.evaluate(() => sessionStorage.getItem("ductor-dashboard.token@work"))).toBe(work.token);
    expect(await page.evaluate(() => sessionStorage.getItem("ductor-dashboard.token@home"))).toBeNull();
    expect(await page.evaluate(() => sessionStorage.getItem("ductor-dashboard.token"))).toBeNull();

    // Back to the overview: work's app ends (its socket with it), work's card is live, home's asks for its token.
    await page.locator(".fleet-back").click();
    await poll(() => page.evaluate(() => location.hash)).toBe("#/");
    await poll(() => cardLinkState(page, "work")).toBe("live");
    expect(await cardLinkState(page, "home")).toBe("signed-out");
    // Work's app's socket closed, the card's opened (Playwright may report the two in either order).
    await poll(() => [...sockets].sort()).toEqual(["close", "open", "open"]);
    await poll(() => viewers("work")).toBe(1);
    await poll(() => lastLine(page, "work")).toBe("only in work"); // from the relay's recent history

    // A click on the card opens work's app again.
    await card(page, "work").locator(".fleet-last-line").click();
    await poll(() => page.evaluate(() => location.hash)).toBe("#/s/work/stream");
    await page.waitForSelector(".badge[data-state=open]");
    await page.goBack();
    await poll(() => page.locator(".fleet-card").count()).toBe(2);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a bookmarked #/s/work/sessions opens that view of work", async () => {
    const { page, context, errors } = await fleetPage();
    await page.goto(dash.url);
    await signInOnCard(page, "work", work.token, true); // remembered: a new tab of this browser has it
    await poll(() => cardLinkState(page, "work")).toBe("live");

    const tab = await context.newPage();
    const sessionRequests: string[] = [];
    tab.on("request", (r) => {
      if (r.url().includes("/dashboard/sessions")) sessionRequests.push(new URL(r.url()).pathname);
    });
    await tab.goto(`${dash.url}#/s/work/sessions`);
    await tab.waitForSelector("table.sessions tbody tr, .view-sessions .empty");
    expect(await tab.locator(".nav-link[aria-current=page]").textContent()).toBe("Sessions & tasks");
    expect(await tab.locator(".brand-server").textContent()).toBe("work");
    expect(await tab.evaluate(() => location.hash)).toBe("#/s/work/sessions");
    expect(sessionRequests.length).toBeGreaterThan(0);
    expect(sessionRequests.every((p) => p === "/s/work/dashboard/sessions")).toBe(true);

    // Its nav stays under work's name; a bookmark of home without its token shows home's card asking for it.
    await tab.locator(".nav-link", { hasText: "Logs" }).click();
    await poll(() => tab.evaluate(() => location.hash)).toBe("#/s/work/logs");
    await tab.goto(`${dash.url}#/s/home/status`);
    await poll(() => cardLinkState(tab, "home")).toBe("signed-out");
    await poll(() => tab.evaluate(() => document.activeElement?.id)).toBe("dd-fleet-token-home");
    expect(await tab.evaluate(() => location.hash)).toBe("#/s/home/status"); // the bookmark is kept
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a bookmark of a view without its token: the card asks for it, and signing in there opens that view", async () => {
    const { page, context, errors } = await fleetPage();
    await page.goto(`${dash.url}#/s/work/logs`);
    await poll(() => cardLinkState(page, "work")).toBe("signed-out");
    await poll(() => page.locator(".fleet-notice").textContent()).toBe("Sign in to work to open its Logs.");
    await poll(() => page.evaluate(() => document.activeElement?.id)).toBe("dd-fleet-token-work");
    expect(await page.evaluate(() => location.hash)).toBe("#/s/work/logs");
    await screenshot(page, "fleet-bookmark-sign-in");

    // An empty token asks for one, in place of the last message (the browser's own check would leave that up).
    await signInOnCard(page, "work", home.token);
    await poll(() => card(page, "work").locator(".fleet-signin-message").textContent()).toBe("work refused this token.");
    await signInOnCard(page, "work", "");
    await poll(() => card(page, "work").locator(".fleet-signin-message").textContent()).toBe("Enter the token for work.");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("dd-fleet-token-work");

    await signInOnCard(page, "work", work.token);
    await poll(() => page.locator(".nav-link[aria-current=page]").textContent()).toBe("Logs");
    expect(await page.locator(".brand-server").textContent()).toBe("work");
    expect(await page.evaluate(() => location.hash)).toBe("#/s/work/logs");
    expect(await page.evaluate(() => sessionStorage.getItem("ductor-dashboard.token@work"))).toBe(work.token);

    // Back on the overview by its own address, a sign-in on another card stays there.
    await page.locator(".fleet-back").click();
    await poll(() => cardLinkState(page, "work")).toBe("live");
    expect(await page.locator(".fleet-notice").isVisible()).toBe(false);
    expect(errors.filter((e) => !/401|403/.test(e))).toEqual([]);
    await context.close();
  });

  it("an address or a link naming no ductor of this dashboard says so; a link's token always leaves the address bar", async () => {
    const { page, context, errors } = await fleetPage();
    await page.goto(`${dash.url}#/s/nope/status`);
    await poll(() => page.locator(".fleet-notice").textContent()).toBe("No ductor named “nope” here. This dashboard has home, work.");
    expect(await page.evaluate(() => location.hash)).toBe("#/");
    expect(await page.locator(".fleet-card").count()).toBe(2);

    // A link with a name no relay serves, opened fresh: its token is out of the address bar, and it is said why.
    await page.goto(`${dash.url}#server=Work&token=${encodeURIComponent(work.token)}`);
    await poll(() => page.locator(".fleet-notice").textContent()).toMatch(
      /^The link's server name “Work” is not one of this dashboard's \(home, work\)/,
    );
    expect(await page.evaluate(() => location.href)).not.toContain(work.token);
    expect(await page.evaluate(() => location.hash)).toBe("#/");
    expect(await cardLinkState(page, "work")).toBe("signed-out");
    expect(await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }))).not.toContain(work.token);
    await screenshot(page, "fleet-link-unknown");

    // The same pasted into this tab (a hashchange, not a load); a valid name this relay does not serve, too.
    await page.evaluate((t) => (location.hash = `#server=Work&token=${t}`), encodeURIComponent(work.token));
    await poll(() => page.evaluate(() => location.href)).not.toContain(work.token);
    await poll(() => page.locator(".fleet-notice").textContent()).toMatch(/^The link's server name “Work” is not one/);
    await page.evaluate(() => (location.hash = "#server=lab&token=secret-lab"));
    await poll(() => page.evaluate(() => location.href)).not.toContain("secret-lab");
    await poll(() => page.locator(".fleet-notice").textContent()).toMatch(/^The link's server name “lab” is not one/);
    expect(await page.evaluate(() => location.hash)).toBe("#/");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("mount()'s destroy() ends every card: their sockets close and the page is left as it was", async () => {
    const harness = await startDashboardServer({
      ductors: [
        { name: "home", url: home.url, token: home.token },
        { name: "work", url: work.url, token: work.token },
      ],
      siteDir: harnessDir,
    });
    const relayViewers = () => harness.servers.map((s) => s.relay?.stats().viewers ?? -1);
    try {
      const { page, context, errors } = await fleetPage();
      await context.addInitScript(
        ([h, w]) => {
          sessionStorage.setItem("ductor-dashboard.token@home", h as string);
          sessionStorage.setItem("ductor-dashboard.token@work", w as string);
        },
        [home.token, work.token],
      );
      await page.goto(harness.url);
      await page.evaluate(() => {
        const w = window as unknown as { __dd: { mount: (el: Element) => { destroy(): void } }; __handle: { destroy(): void } };
        w.__handle = w.__dd.mount(document.getElementById("app")!);
      });
      await poll(() => cardLinkState(page, "home")).toBe("live");
      await poll(() => cardLinkState(page, "work")).toBe("live");
      await poll(relayViewers).toEqual([1, 1]);
      await page.evaluate(() => (window as unknown as { __handle: { destroy(): void } }).__handle.destroy());
      expect(await page.evaluate(() => document.querySelector(".ductor-dashboard"))).toBeNull();
      await poll(relayViewers).toEqual([0, 0]);
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await harness.close();
    }
  });

  it("one ductor stopping shows on its card; the other keeps streaming", async () => {
    const { page, context, errors } = await fleetPage();
    await page.goto(dash.url);
    await signInOnCard(page, "home", home.token);
    await signInOnCard(page, "work", work.token);
    await poll(() => cardLinkState(page, "home")).toBe("live");
    await poll(() => cardLinkState(page, "work")).toBe("live");

    workClosed = true;
    await work.close();
    await poll(() => cardLinkState(page, "work")).toMatch(/^(unreachable|reconnecting)$/);
    await poll(() => card(page, "work").locator(".fleet-activity").textContent()).toMatch(/^Disconnected/);
    for (let i = 1; i <= 3; i++) home.broadcast({ type: "text_delta", data: `home goes on ${i}\n` });
    await poll(() => lastLine(page, "home")).toBe("home goes on 3");
    expect(await cardLinkState(page, "home")).toBe("live");
    await screenshot(page, "fleet-one-down");
    expect(errors.filter((e) => !/50\d/.test(e))).toEqual([]);
    await context.close();

    // A page opened after work stopped: work can still be signed in to (its relay checks the token), and its card
    // says at once that ductor is unreachable, with since when; a wrong token is still refused.
    const later = await fleetPage();
    await later.page.goto(dash.url);
    await signInOnCard(later.page, "work", home.token);
    await poll(() => card(later.page, "work").locator(".fleet-signin-message").textContent()).toBe("work refused this token.");
    await signInOnCard(later.page, "work", work.token);
    await poll(() => cardLinkState(later.page, "work")).toBe("unreachable");
    await expect
      .poll(() => card(later.page, "work").locator(".fleet-activity").textContent())
      .toMatch(/^Disconnected from ductor since \d\d:\d\d/);
    await later.context.close();
  });
});
