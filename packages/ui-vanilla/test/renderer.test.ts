/**
 * The stream renderer alone in real Chromium (the test harness page exposes the public API): scrolling and
 * scrollback behaviour that depends on real layout.
 */
import { startDashboardServer, type DashboardServer } from "@ductor/dashboard-server";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { harnessDir, launch, newPage } from "./helpers.js";

let browser: Browser;
let server: DashboardServer;
let url: string;
beforeAll(async () => {
  browser = await launch();
  // Only the harness page is used: no ductor behind it.
  server = await startDashboardServer({ ductor: "http://127.0.0.1:9", siteDir: harnessDir });
  url = server.url;
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

type Api = typeof import("../src/index.js");
type RendererWindow = { __dd: Api; __r: ReturnType<Api["createStreamRenderer"]> };

async function rendererPage(cpuSlowdown = 1): Promise<{ page: Page; close(): Promise<void> }> {
  const { page, context } = await newPage(browser);
  await page.goto(url);
  // A loaded CI machine: every frame's script and layout take longer.
  if (cpuSlowdown > 1) await (await context.newCDPSession(page)).send("Emulation.setCPUThrottlingRate", { rate: cpuSlowdown });
  await page.evaluate(() => {
    const w = window as unknown as RendererWindow;
    const box = document.createElement("div");
    box.style.cssText = "height:600px;display:flex;flex-direction:column";
    document.body.append(box);
    w.__r = w.__dd.createStreamRenderer(box, {});
    w.__r.scroller.style.flex = "1";
  });
  return { page, close: () => context.close() };
}

const distanceToBottom = (page: Page) =>
  page.evaluate(() => {
    const sc = (window as unknown as RendererWindow).__r.scroller;
    return sc.scrollHeight - sc.scrollTop - sc.clientHeight;
  });

describe("stream renderer in Chromium", () => {
  for (const cpuSlowdown of [1, 4]) {
    it(`"Jump to latest" after a burst that arrived out of view lands at the bottom (CPU ${cpuSlowdown}x slower)`, async () => {
      const { page, close } = await rendererPage(cpuSlowdown);
      await page.evaluate(() => (window as unknown as RendererWindow).__r.append("line of output\n".repeat(3_000)));
      await page.evaluate(() => (window as unknown as RendererWindow).__r.flush());
      for (let attempt = 0; attempt < 3; attempt++) {
        await page.evaluate(() => ((window as unknown as RendererWindow).__r.scroller.scrollTop = 0));
        await page.waitForSelector(".sr-jump:not([hidden])");
        // ~300 KB in one burst: whole pages filled while out of view.
        await page.evaluate(() => (window as unknown as RendererWindow).__r.append("more output\n".repeat(25_000)));
        await expect.poll(() => page.evaluate(() => (window as unknown as RendererWindow).__r.stats().pendingChars)).toBe(0);
        expect(await page.evaluate(() => (window as unknown as RendererWindow).__r.scroller.scrollTop)).toBe(0);
        await page.click(".sr-jump");
        await expect.poll(() => distanceToBottom(page), { timeout: 5_000 }).toBeLessThan(2);
        // It stays there: nothing but the person (or new output) moves it.
        await page.waitForTimeout(300);
        expect(await distanceToBottom(page)).toBeLessThan(2);
        expect(await page.locator(".sr-jump").isHidden()).toBe(true);
      }
      await close();
    }, 60_000);
  }

  it("output that arrived while the view was hidden is at its real height when the view is shown again", async () => {
    const { page, close } = await rendererPage();
    await page.evaluate(() => {
      const r = (window as unknown as RendererWindow).__r;
      const box = r.scroller.parentElement!;
      box.style.display = "none";
      r.append("hidden output\n".repeat(30_000));
      r.flush();
    });
    await page.waitForTimeout(100);
    await page.evaluate(() => {
      const r = (window as unknown as RendererWindow).__r;
      r.scroller.parentElement!.style.display = "flex";
      r.refresh();
    });
    await expect.poll(() => distanceToBottom(page), { timeout: 5_000 }).toBeLessThan(2);
    await page.waitForTimeout(300);
    expect(await distanceToBottom(page)).toBeLessThan(2);
    await close();
  });

  it("prepend: older output goes above without moving what the person reads, within maxScrollbackChars", async () => {
    const { page, close } = await rendererPage();
    const result = await page.evaluate(() => {
      const r = (window as unknown as RendererWindow).__r;
      r.append("current line\n".repeat(200));
      r.flush();
      r.scroller.scrollTop = 0;
      r.stopFollowing();
      const firstLine = r.content.querySelector(".sr-md, .sr-chunk")!;
      const before = firstLine.getBoundingClientRect().top;
      const added = r.prepend([
        { kind: "text", text: "older line\n".repeat(500) },
        { kind: "tool", name: "Read" },
        { kind: "tool", name: "Edit" },
        { kind: "note", text: "a note" },
        { kind: "text", text: "just before\n" },
      ]);
      return {
        added,
        moved: firstLine.getBoundingClientRect().top - before,
        text: r.text(),
        tools: [...r.content.querySelectorAll(".sr-tool")].map((t) => t.textContent),
        scrollTop: r.scroller.scrollTop,
      };
    });
    expect(result.added.complete).toBe(true);
    expect(result.text).toBe(`${"older line\n".repeat(500)}just before\n${"current line\n".repeat(200)}`);
    expect(result.tools).toEqual(["ReadEdit"]); // consecutive tools share a line, as live
    expect(Math.abs(result.moved)).toBeLessThan(2);
    expect(result.scrollTop).toBeGreaterThan(1_000);
    await close();
  });

  it("prepend draws only the newest part that fits under maxScrollbackChars", async () => {
    const { page, close } = await rendererPage();
    const result = await page.evaluate(() => {
      const w = window as unknown as RendererWindow;
      const box = document.createElement("div");
      box.style.cssText = "height:300px;display:flex;flex-direction:column";
      document.body.append(box);
      const r = w.__dd.createStreamRenderer(box, { scrollbackChars: 1_000, maxScrollbackChars: 2_000 });
      r.append("x".repeat(500));
      r.flush();
      const first = r.prepend([
        { kind: "text", text: "A".repeat(1_000) },
        { kind: "text", text: "B".repeat(1_000) },
      ]);
      // 500 characters of room are left: 600 do not fit, and nothing is cut mid-event.
      const second = r.prepend([{ kind: "text", text: "C".repeat(600) }]);
      return { first, second, text: r.text(), stats: r.stats() };
    });
    expect(result.first).toEqual({ chars: 1_000, complete: false });
    expect(result.second).toEqual({ chars: 0, complete: false });
    expect(result.text).toBe(`${"B".repeat(1_000)}${"x".repeat(500)}`);
    await close();
  });

  for (const format of ["plain", "markdown"] as const) {
    it(`highlight (${format}): the hit is marked, text only, and revealHighlight scrolls it into view`, async () => {
      const { page, close } = await rendererPage();
      const result = await page.evaluate((fmt) => {
        const w = window as unknown as RendererWindow;
        const r = w.__r;
        r.setFormat(fmt);
        r.append("before\n".repeat(2_000));
        r.highlight("<img src=x onerror=alert(1)> the hit");
        r.append("\nafter\n".repeat(2_000));
        const revealed = r.revealHighlight();
        const mark = r.content.querySelector(".sr-hit")!;
        const box = mark.getBoundingClientRect();
        const view = r.scroller.getBoundingClientRect();
        return {
          revealed,
          tag: mark.tagName,
          markText: mark.textContent?.trim(),
          images: r.content.querySelectorAll("img").length,
          inView: box.top >= view.top && box.bottom <= view.bottom,
          following: r.following,
        };
      }, format);
      expect(result).toMatchObject({
        revealed: true,
        markText: "<img src=x onerror=alert(1)> the hit",
        images: 0,
        inView: true,
        following: false,
      });
      // Raw: the characters in a <mark>; markdown: the hit's own blocks, formatted like the rest and marked.
      expect(result.tag).toBe(format === "plain" ? "MARK" : "P");
      await close();
    });
  }
});
