/**
 * The dashboard behind the recording relay (`ductor-dashboard serve` with ductor's token), in real Chromium
 * against the real mock ductor: history on load, the "new since you last looked" divider, and reconnects
 * that lose nothing.
 */
import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOSTILE, launch, newPage, screenshot, startStack, streamText, type Stack } from "./helpers.js";

let browser: Browser;
let stack: Stack;
beforeAll(async () => {
  browser = await launch();
  stack = await startStack({}, "site", { relay: true });
  // The relay's own upstream socket to ductor.
  for (let i = 0; i < 100 && stack.mock.streamClients() !== 1; i++) await new Promise((resolve) => setTimeout(resolve, 50));
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** The last seq the relay holds, from its history endpoint. */
async function relayHead(): Promise<number> {
  const res = await fetch(`${stack.dash.url}dashboard/history?limit=1`, { headers: { authorization: `Bearer ${stack.mock.token}` } });
  return ((await res.json()) as { head: number }).head;
}

const seenKey = (origin: string) => `ductor-dashboard.lastSeen:${origin}`;

describe("behind the relay", () => {
  it("a page opened later shows what the agent said before it, then live output after it, in order", async () => {
    await expect.poll(relayHead).toBeGreaterThan(0); // the relay recorded "upstream connected"
    const head0 = await relayHead();
    for (let i = 1; i <= 5; i++) stack.mock.broadcast({ type: "text_delta", data: `before the page ${i}\n` });
    stack.mock.broadcast({ type: "tool_activity", data: "Shell" });
    await expect.poll(relayHead).toBe(head0 + 6);

    const { page, context, errors } = await newPage(browser);
    await page.goto(`${stack.dash.url}#/stream&token=${encodeURIComponent(stack.mock.token)}`);
    await expect.poll(() => streamText(page)).toContain("before the page 5\n");
    stack.mock.broadcast({ type: "text_delta", data: "live after the page\n" });
    await expect.poll(() => streamText(page)).toMatch(/before the page 1\n[\s\S]*before the page 5\n[\s\S]*live after the page\n$/);
    expect((await streamText(page)).match(/before the page 3\n/g)).toHaveLength(1);
    expect(await page.locator(".sr-tool-chip", { hasText: "Shell" }).count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a reconnect to the relay resumes: nothing is missed, and the marker says so", async () => {
    const { page, context } = await newPage(browser);
    await page.goto(`${stack.dash.url}#/stream&token=${encodeURIComponent(stack.mock.token)}`);
    await page.waitForSelector(".badge[data-state=open]");
    // The browser's link to the relay drops while ductor goes on talking.
    stack.dash.relay!.dropViewers();
    for (let i = 1; i <= 20; i++) stack.mock.broadcast({ type: "text_delta", data: `while away ${i}\n` });
    await expect.poll(() => streamText(page), { timeout: 15_000 }).toContain("while away 20\n");
    const text = await streamText(page);
    for (let i = 1; i <= 20; i++) expect(text.match(new RegExp(`while away ${i}\\n`, "g"))).toHaveLength(1);
    await expect.poll(() => page.locator(".sr-gap").last().textContent()).toMatch(/resumed: nothing was missed/);
    await context.close();
  });

  it("marks where the output is new since the person last looked", async () => {
    const { page, context } = await newPage(browser);
    const origin = new URL(stack.dash.url).origin;
    const head = (
      (await fetch(`${stack.dash.url}dashboard/history?limit=1`, { headers: { authorization: `Bearer ${stack.mock.token}` } }).then((r) =>
        r.json(),
      )) as { head: number }
    ).head;
    await context.addInitScript(([key, seq]) => localStorage.setItem(key as string, String(seq)), [seenKey(origin), head]);
    for (let i = 1; i <= 3; i++) stack.mock.broadcast({ type: "text_delta", data: `unseen ${i}\n` });
    await expect.poll(relayHead).toBe(head + 3); // stored before the page asks
    await page.goto(`${stack.dash.url}#/stream&token=${encodeURIComponent(stack.mock.token)}`);
    await expect.poll(() => streamText(page)).toContain("unseen 3\n");
    const blocks = await page.evaluate(() =>
      Array.from(document.querySelectorAll(".sr-page > *"), (b) => `${b.className}: ${b.textContent}`),
    );
    const divider = blocks.findIndex((b) => b.startsWith("sr-note sr-divider"));
    expect(divider).toBeGreaterThan(0);
    expect(blocks[divider]).toMatch(/new since you last looked · 3 events/);
    expect(blocks.slice(divider + 1).join("")).toContain("unseen 1");
    expect(blocks.slice(0, divider).join("")).not.toContain("unseen");
    await screenshot(page, "relay-new-since");
    await context.close();
  });
});

describe("history panel behind the relay", () => {
  /** A page on the stream view with the history panel open. */
  async function openPanel(): Promise<{ page: Page; close(): Promise<void>; errors: string[] }> {
    const { page, context, errors } = await newPage(browser);
    await page.goto(`${stack.dash.url}#/stream&token=${encodeURIComponent(stack.mock.token)}`);
    await page.getByRole("button", { name: "History", exact: true }).click();
    await page.waitForSelector(".history-panel:not([hidden])");
    return { page, errors, close: () => context.close() };
  }
  const hitTexts = (page: Page) => page.locator(".hp-hit").allTextContents();

  it("finds a phrase from anywhere in history, opens the stream at it, goes back to live without a hole, and exports", async () => {
    const head = await relayHead();
    stack.mock.broadcast({ type: "text_delta", data: "the quokka deployment finished cleanly\n" });
    for (let i = 1; i <= 30; i++) stack.mock.broadcast({ type: "text_delta", data: `filler line ${i}\n` });
    await expect.poll(relayHead).toBe(head + 31);

    const { page, close, errors } = await openPanel();
    await page.fill(".history-panel input[type=search]", "quokka");
    await expect.poll(() => hitTexts(page)).toEqual([expect.stringMatching(/^\d\d:\d\d:\d\d · .*quokka deployment/)]);

    await page.locator(".hp-hit").first().click();
    // The stream shows history around the hit, the hit marked and in view.
    await expect.poll(() => page.locator(".sr-hit").textContent()).toBe("the quokka deployment finished cleanly\n");
    await expect.poll(() => streamText(page)).toContain("filler line 30\n");
    expect(await page.locator(".history-bar").isVisible()).toBe(true);
    expect(await page.locator(".sr-hit").isVisible()).toBe(true);
    await screenshot(page, "relay-search");

    // Live output that arrives while browsing is not drawn into the history, and not lost either.
    for (let i = 1; i <= 5; i++) stack.mock.broadcast({ type: "text_delta", data: `live while browsing ${i}\n` });
    await expect.poll(relayHead).toBe(head + 36);
    expect(await streamText(page)).not.toContain("live while browsing");
    await page.getByRole("button", { name: "Back to live" }).click();
    stack.mock.broadcast({ type: "text_delta", data: "live after returning\n" });
    await expect.poll(() => streamText(page)).toMatch(/quokka deployment[\s\S]*live while browsing 5\n[\s\S]*live after returning\n$/);
    const back = await streamText(page);
    for (let i = 1; i <= 5; i++) expect(back.match(new RegExp(`live while browsing ${i}\\n`, "g"))).toHaveLength(1);
    expect(await page.locator(".history-bar").isVisible()).toBe(false);
    expect(await page.locator(".sr-hit").count()).toBe(0);

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export .md" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^ductor-history-\d+-\d+\.md$/);
    const md = await readFile((await download.path())!, "utf8");
    expect(md).toContain("the quokka deployment finished cleanly");
    expect(md).toContain("filler line 30");

    await page.fill(".history-panel input[type=search]", "nosuchwordanywhere");
    await expect.poll(() => page.locator(".history-panel .feedback").textContent()).toBe("no matches");
    expect(await page.locator(".hp-hit").count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  });

  it("shows hostile stored text inertly in the hits and in the stream opened at one", async () => {
    const head = await relayHead();
    for (const hostile of HOSTILE) stack.mock.broadcast({ type: "text_delta", data: `wombat ${hostile}\n` });
    await expect.poll(relayHead).toBe(head + HOSTILE.length);

    const { page, close } = await openPanel();
    await page.fill(".history-panel input[type=search]", "wombat");
    await expect.poll(async () => (await hitTexts(page)).length).toBe(HOSTILE.length);
    expect((await hitTexts(page)).join("\n")).toContain("onerror=window.__pwned=1");
    await page.locator(".hp-hit").first().click();
    await expect.poll(() => page.locator(".sr-hit").textContent()).toContain("wombat");
    await expect.poll(() => streamText(page)).toContain("<img src=x onerror=window.__pwned=1>");
    expect(await page.locator(".history-panel img, .history-panel script, .sr-root img, .sr-root script").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    await close();
  });

  it("shows a hit as the words the stream draws, not its markdown source", async () => {
    const head = await relayHead();
    stack.mock.broadcast({ type: "text_delta", data: "- **zebra** crossing in `zoo.ts`, [docs](https://d.example)\n" });
    await expect.poll(relayHead).toBe(head + 1);
    const { page, close, errors } = await openPanel();
    await page.fill(".history-panel input[type=search]", "zebra");
    await expect.poll(() => page.locator(".hp-snippet").allTextContents()).toEqual(["zebra crossing in zoo.ts, docs"]);
    expect((await page.locator(".hp-snippet").allTextContents()).join("")).not.toMatch(/[*`#<]|\]\(/);
    expect(errors).toEqual([]);
    await close();
  });

  it("says what the relay refused about a query (400), in the panel", async () => {
    const { page, close, errors } = await openPanel();
    await page.fill(".history-panel input[type=search]", "a".repeat(600));
    const banner = page.locator(".history-panel .banner-error");
    await expect
      .poll(() => banner.textContent())
      .toMatch(/^Couldn't search the history: The server answered 400\. .*longer than 512 characters/);
    expect(await banner.isVisible()).toBe(true);
    // A good query afterwards clears it.
    await page.fill(".history-panel input[type=search]", "wombat");
    await expect.poll(() => banner.isVisible()).toBe(false);
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await close();
  });

  it("is not offered against plain ductor", async () => {
    const plain = await startStack();
    try {
      const { page, context } = await newPage(browser);
      await page.goto(`${plain.dash.url}#/stream&token=${encodeURIComponent(plain.mock.token)}`);
      await page.waitForSelector(".badge[data-state=open]");
      expect(await page.getByRole("button", { name: "History", exact: true }).isVisible()).toBe(false);
      await context.close();
    } finally {
      await plain.close();
    }
  });
});

describe("the history browser", () => {
  let own: Stack;
  beforeAll(async () => {
    own = await startStack({}, "site", { relay: true });
    for (let i = 0; i < 100 && own.mock.streamClients() !== 1; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  });
  afterAll(async () => {
    await own?.close();
  });
  const ownHead = async (): Promise<number> => {
    const res = await fetch(`${own.dash.url}dashboard/history?limit=1`, { headers: { authorization: `Bearer ${own.mock.token}` } });
    return ((await res.json()) as { head: number }).head;
  };
  const open = async (): Promise<{ page: Page; close(): Promise<void>; errors: string[] }> => {
    const { page, context, errors } = await newPage(browser);
    await page.goto(`${own.dash.url}#/stream&token=${encodeURIComponent(own.mock.token)}`);
    await page.waitForSelector(".badge[data-state=open]");
    return { page, errors, close: () => context.close() };
  };

  it('"Load earlier" puts older history above, in order, without moving the view, until the start', async () => {
    await expect.poll(ownHead).toBeGreaterThan(0);
    const head0 = await ownHead();
    // 2.1M characters: more than the view's 2M scrollback, so the oldest block is not drawn on load.
    for (let i = 1; i <= 21; i++) own.mock.broadcast({ type: "text_delta", data: `old block ${i}\n${"x".repeat(99_980)}\n` });
    await expect.poll(ownHead).toBe(head0 + 21);

    const { page, close, errors } = await open();
    await expect.poll(() => streamText(page)).toContain("old block 21\n");
    expect(await streamText(page)).not.toContain("old block 1\n");
    const button = page.getByRole("button", { name: "Load earlier" });
    await page.evaluate(() => document.querySelector(".sr-scroll")!.scrollTo(0, 0));
    const marker = page.locator(".sr-chunk", { hasText: "old block 2" }).first();
    const before = (await marker.boundingBox())!.y;
    await button.click();
    await expect.poll(() => streamText(page)).toMatch(/^old block 1\n[\s\S]*old block 2\n/);
    expect(Math.abs((await marker.boundingBox())!.y - before)).toBeLessThan(2);
    await expect.poll(() => page.locator(".sr-earlier").textContent()).toBe("Start of the relay's history");
    expect(await page.locator(".sr-earlier").isDisabled()).toBe(true);
    const text = await streamText(page);
    for (let i = 1; i <= 21; i++) expect(text.match(new RegExp(`old block ${i}\\n`, "g"))).toHaveLength(1);
    expect(errors).toEqual([]);
    await close();
  });

  it("replays a chosen range of time at 10x into the stream, in order, then exports that range", async () => {
    const head0 = await ownHead();
    for (let i = 1; i <= 12; i++) {
      own.mock.broadcast({ type: "text_delta", data: `replayed step ${i}\n` });
      if (i % 4 === 0) own.mock.broadcast({ type: "tool_activity", data: "Shell" });
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    await expect.poll(ownHead).toBe(head0 + 15);

    const { page, close, errors } = await open();
    await page.getByRole("button", { name: "History", exact: true }).click();
    // The default range is the last hour: everything here.
    await page.getByRole("button", { name: "Replay 10x" }).click();
    await expect.poll(() => page.locator(".hb-progress").textContent()).toMatch(/^replaying at 10x|^\d[\d,]* events$/);
    await expect.poll(() => page.locator(".hb-progress").textContent(), { timeout: 15_000 }).toMatch(/^\d[\d,]* events$/);
    // The last events are drawn on the next animation frame, which a loaded machine may take a while to run.
    await expect.poll(() => streamText(page)).toMatch(/replayed step 12\n$/);
    const text = await streamText(page);
    expect(text).toMatch(/replayed step 1\n[\s\S]*replayed step 12\n$/);
    for (let i = 1; i <= 12; i++) expect(text.match(new RegExp(`replayed step ${i}\\n`, "g"))).toHaveLength(1);
    await screenshot(page, "relay-replay");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export .jsonl" }).click()]);
    const lines = (await readFile((await download.path())!, "utf8")).trim().split("\n");
    const events = lines
      .slice(1)
      .map((line) => (JSON.parse(line) as { event?: { type: string; data: string } }).event)
      .filter((e) => e !== undefined);
    expect(events.filter((e) => e.type === "text_delta" && e.data.startsWith("replayed step")).map((e) => e.data)).toEqual(
      Array.from({ length: 12 }, (_, i) => `replayed step ${i + 1}\n`),
    );

    // A range that holds nothing says so.
    await page.fill('input[aria-label="Range from"]', "2001-01-01T00:00:00");
    await page.fill('input[aria-label="Range to"]', "2001-01-01T00:10:00");
    await page.getByRole("button", { name: "Show" }).click();
    await expect.poll(() => page.locator(".history-panel .feedback").textContent()).toBe("nothing retained in that range");
    expect(errors).toEqual([]);
    await close();
  });

  it("fits a phone in dark mode: the panel, a hit opened in the stream, and the browser's bar, nothing cut off", async () => {
    const head0 = await ownHead();
    for (let i = 1; i <= 8; i++) own.mock.broadcast({ type: "text_delta", data: `a platypus line ${i} on a small screen\n` });
    own.mock.broadcast({ type: "tool_activity", data: "Read" });
    await expect.poll(ownHead).toBe(head0 + 9);
    const { page, context } = await newPage(browser, { width: 390, height: 844 }, "dark");
    await page.goto(`${own.dash.url}#/stream&token=${encodeURIComponent(own.mock.token)}`);
    await page.waitForSelector(".badge[data-state=open]");
    await page.getByRole("button", { name: "History", exact: true }).click();
    await page.fill(".history-panel input[type=search]", "platypus");
    await expect.poll(async () => page.locator(".hp-hit").count()).toBeGreaterThan(0);
    await page.locator(".hp-hit").first().click();
    await expect.poll(() => page.locator(".sr-hit").count()).toBe(1);
    // Every control of the panel and the bar lies within the viewport's width.
    const overflowing = await page.evaluate(() =>
      [...document.querySelectorAll(".history-panel button, .history-panel input, .history-bar button")]
        .filter((e) => (e as HTMLElement).offsetParent !== null)
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map((e) => e.textContent || e.getAttribute("aria-label")),
    );
    expect(overflowing).toEqual([]);
    // The output keeps a readable height (the page scrolls rather than squeezing it).
    expect((await page.locator(".view-stream .sr-scroll").boundingBox())!.height).toBeGreaterThan(400);
    await screenshot(page, "phone-history-dark");
    await context.close();
  });
});
