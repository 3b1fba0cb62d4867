/**
 * The recording player's first minute, in Chromium with no server behind the built site (a plain node:http file
 * server): the shipped demo plays at once, a picked file opens paused with a hint in its empty box, a `#recording=`
 * typed into an open tab opens without a reload, and the scrub slider keeps its width while the status beside it
 * changes (desktop and phone).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { longestProgress } from "../src/recording/player-view.js";
import { launch, newPage, screenshot, streamText } from "./helpers.js";
import { startStaticSite, type StaticSite } from "./static-site.js";

const pkgDir = fileURLToPath(new URL("..", import.meta.url));
const demo = readFileSync(join(pkgDir, "../mock-server/recordings/coding-session.jsonl"), "utf8");
const short = [
  JSON.stringify({ ductorRecording: 1, recordedAt: "2026-04-21T10:03:00Z", source: "test" }),
  JSON.stringify({ t: 0, event: { type: "text_delta", data: "a short recording\n" } }),
].join("\n");

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000 });
const progress = (page: Page): Promise<string> => page.locator(".rp-progress").innerText();
const hint = (page: Page) => page.locator(".rp-hint");

let browser: Browser;
let web: StaticSite;
beforeAll(async () => {
  browser = await launch();
  web = await startStaticSite({ "/demo.jsonl": demo, "/short.jsonl": short });
});
afterAll(async () => {
  await browser?.close();
  await web?.close();
});

describe("longestProgress", () => {
  it("counts the longest status text: the longest state, the widest position, the longest time of any event", () => {
    const events = [{ at: 0 }, { at: 59_000 }, { at: 119_000 }, { at: 120_000 }];
    // "playing at 10x · 4 of 4 events · 1 min 59 s of 2 min": 1 min 59 s is longer than the 2 min it ends at.
    expect(longestProgress(events, 4, 120_000)).toBe("playing at 10x · 4 of 4 events · 1 min 59 s of 2 min".length);
    expect(longestProgress([], 0, 0)).toBe("playing at 10x · 0 of 0 events · 0 s of 0 s".length);
    expect(longestProgress([{ at: 5 }], 12_345, 5)).toBe("playing at 10x · 12,345 of 12,345 events · 0 s of 0 s".length);
  });
});

describe("recording player: the first minute", () => {
  it('"Watch a recorded demo" plays it at 1x at once; a picked file waits, and its empty box says how to start', async () => {
    const { context, page, errors } = await newPage(browser);
    try {
      await page.goto(`${web.url}/`);
      await page.getByRole("button", { name: "Watch a recorded demo" }).click();
      await page.locator(".recording-player").waitFor();
      await poll(() => progress(page)).toMatch(/^playing at 1x/);
      expect(await hint(page).isVisible()).toBe(false);
      await poll(() => streamText(page)).toMatch(/^I'll start by reproducing the failure/);
      expect(await page.getByRole("button", { name: "Play 1x" }).getAttribute("aria-pressed")).toBe("true");

      await page.getByRole("button", { name: "Close" }).click();
      await page.setInputFiles("#dd-recording-file", { name: "picked.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from(demo) });
      await page.locator(".recording-player").waitFor();
      expect(await progress(page)).toMatch(/^ready · 0 of/);
      expect(await hint(page).isVisible()).toBe(true);
      expect(await hint(page).innerText()).toMatch(/Press Play 1x or Play 10x .* or Show all/);
      await page.getByRole("button", { name: "Show all" }).click();
      await poll(() => progress(page)).toMatch(/^done/);
      expect(await hint(page).isVisible()).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("#recording=… typed into an open tab opens that recording without a reload, and another one after it", async () => {
    const { context, page, errors } = await newPage(browser);
    try {
      await page.goto(`${web.url}/`);
      await page.locator(".recording-open").waitFor();
      await page.evaluate(() => Object.assign(window, { __samePage: true }));
      await page.evaluate(() => (location.hash = "#recording=/short.jsonl"));
      await poll(() => page.locator(".rp-name").count()).toBe(1);
      expect(await page.locator(".rp-name").innerText()).toBe("short.jsonl");
      await page.evaluate(() => (location.hash = "#recording=/demo.jsonl"));
      await poll(() => page.locator(".rp-name").innerText()).toBe("demo.jsonl");
      expect(await page.locator(".recording-player").count()).toBe(1);
      expect(await page.evaluate(() => (window as unknown as { __samePage?: boolean }).__samePage)).toBe(true);
      // One that cannot be opened says why on the connect form, as on load.
      await page.evaluate(() => (location.hash = "#recording=/missing.jsonl"));
      await poll(() => page.locator(".connect-form .connect-message").innerText()).toMatch(/answered 404/);
      expect(errors.filter((e) => !/404/.test(e))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  for (const [name, viewport] of [
    ["desktop", { width: 1280, height: 800 }],
    ["phone", { width: 390, height: 844 }],
  ] as const) {
    it(`the scrub slider keeps its width as the status beside it changes (${name})`, async () => {
      for (const scheme of ["light", "dark"] as const) {
        const { context, page } = await newPage(browser, viewport, scheme, { format: "markdown" });
        try {
          await page.goto(`${web.url}/`);
          await page.setInputFiles("#dd-recording-file", {
            name: "coding-session.jsonl",
            mimeType: "text/plain",
            buffer: Buffer.from(demo),
          });
          await page.locator(".recording-player").waitFor();
          await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
          await screenshot(page, `recording-ready-${name}-${scheme}`);
          // At every change of the status text: the layout around it.
          await page.evaluate(() => {
            const slider = document.querySelector(".rp-scrub")!;
            const status = document.querySelector(".rp-progress")!;
            const box = document.querySelector(".recording-player .stream-output")!;
            const seen: string[] = [];
            // The slider's width and place, and where the box below starts (a status that wraps must not move it).
            const note = (): void => {
              const s = slider.getBoundingClientRect();
              seen.push(`${s.width.toFixed(1)}@${s.top.toFixed(1)}, box at ${box.getBoundingClientRect().top.toFixed(1)}`);
            };
            note();
            new MutationObserver(note).observe(status, { childList: true, characterData: true, subtree: true });
            Object.assign(window, { __widths: seen });
          });
          const widths = () => page.evaluate(() => [...new Set((window as unknown as { __widths: string[] }).__widths)]);
          for (const n of [1, 9, 40]) {
            await page.locator(".rp-scrub").evaluate((el, v) => {
              (el as HTMLInputElement).value = String(v);
              el.dispatchEvent(new Event("input", { bubbles: true }));
            }, n);
            await poll(() => progress(page)).toMatch(new RegExp(`^paused · ${n} of`));
          }
          await page.getByRole("button", { name: "Play 10x" }).click();
          await poll(() => progress(page)).toMatch(/^playing at 10x · 4\d of/);
          await page.getByRole("button", { name: "Pause" }).click();
          await page.getByRole("button", { name: "Show all" }).click();
          await poll(() => progress(page)).toMatch(/^done/);
          await page.getByRole("button", { name: "Play 10x" }).click();
          await poll(() => progress(page)).toMatch(/^playing at 10x · [2-9] of/);
          await page.getByRole("button", { name: "Pause" }).click();
          await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
          await screenshot(page, `recording-scrub-${name}-${scheme}`);
          expect((await page.evaluate(() => (window as unknown as { __widths: string[] }).__widths)).length).toBeGreaterThan(6);
          expect(await widths()).toHaveLength(1);
          // Within the viewport.
          const right = await page.locator(".rp-progress").evaluate((el) => el.getBoundingClientRect().right);
          expect(right).toBeLessThanOrEqual(viewport.width);
        } finally {
          await context.close();
        }
      }
    });
  }
});
