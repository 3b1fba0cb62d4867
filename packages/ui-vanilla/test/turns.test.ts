/**
 * Turns and activity in the stream view, in real Chromium against the real mock ductor: a header per turn
 * (from the client's TurnSegmenter), its tools summed up and opening a timeline with times, and the activity
 * line that says what the agent does now.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOSTILE, launch, newPage, screenshot, startStack, streamText, type Stack } from "./helpers.js";

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const turnTitles = (page: Page) => page.locator(".sr-turn-title").allTextContents();

describe("turns and activity, live", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("a header per turn with its session, tools summed up and opening a timeline; the activity line follows", async () => {
    const { page, context, errors } = await newPage(browser);
    await page.goto(`${stack.dash.url}#/stream&token=${encodeURIComponent(stack.mock.token)}`);
    await page.waitForSelector(".badge[data-state=open]");
    await expect.poll(() => page.locator(".activity-line").textContent()).toMatch(/^Quiet since /);

    stack.mock.broadcast({ type: "text_delta", data: "**[alpha | claude]**\n\nReading the failing test.\n" });
    for (const tool of ["Read", "Edit", "Read"]) stack.mock.broadcast({ type: "tool_activity", data: tool });
    await expect.poll(() => page.locator(".activity-line").textContent()).toMatch(/^Running Read · \d+ s$/);
    expect(await page.locator(".activity-line").getAttribute("data-kind")).toBe("tool");
    stack.mock.broadcast({ type: "text_delta", data: "Fixed it.\n" });
    await expect.poll(() => page.locator(".activity-line").textContent()).toBe("Writing");

    // A header chunk of another session starts a new turn.
    stack.mock.broadcast({ type: "text_delta", data: "**[beta | codex]**\n\nRunning the suite.\n" });
    stack.mock.broadcast({ type: "tool_activity", data: "Shell" });
    await expect
      .poll(() => turnTitles(page))
      .toEqual([
        expect.stringMatching(/^Turn at \d\d:\d\d:\d\d · alpha \(claude\)$/),
        expect.stringMatching(/^Turn at \d\d:\d\d:\d\d · beta \(codex\)$/),
      ]);
    const first = page.locator(".sr-turn").first();
    expect(await first.locator(".sr-turn-summary").textContent()).toBe("3 tools: Read ×2, Edit");
    // The first turn ended when the second began: a duration, not "so far".
    expect(await first.locator(".sr-turn-meta").textContent()).toMatch(/^\d+ s$/);
    expect(await page.locator(".sr-turn").nth(1).locator(".sr-turn-meta").textContent()).toMatch(/^\d+ s so far$/);
    // The header chunk stays in the output too: it is what ductor sent (and shows in its chats).
    expect(await streamText(page)).toBe(
      "**[alpha | claude]**\n\nReading the failing test.\nFixed it.\n**[beta | codex]**\n\nRunning the suite.\n",
    );

    await first.locator("summary").click();
    await expect
      .poll(() => first.locator(".sr-turn-call").allTextContents())
      .toEqual([
        expect.stringMatching(/^\d\d:\d\d:\d\d Read$/),
        expect.stringMatching(/^\d\d:\d\d:\d\d Edit$/),
        expect.stringMatching(/^\d\d:\d\d:\d\d Read$/),
      ]);
    await screenshot(page, "stream-turns");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("hostile session names and tool names in a turn's header and timeline are text", async () => {
    const { page, context } = await newPage(browser);
    await page.goto(`${stack.dash.url}#/stream&token=${encodeURIComponent(stack.mock.token)}`);
    await page.waitForSelector(".badge[data-state=open]");
    stack.mock.broadcast({ type: "text_delta", data: `**[${HOSTILE[0]} | ${HOSTILE[1]}]**\nhello\n` });
    stack.mock.broadcast({ type: "tool_activity", data: HOSTILE[0] });
    await expect.poll(() => page.locator(".sr-turn-summary").last().textContent()).toContain(HOSTILE[0]);
    await page.locator(".sr-turn summary").last().click();
    await expect.poll(() => page.locator(".sr-turn-call").last().textContent()).toContain(HOSTILE[0]);
    expect(await page.locator(".sr-root img, .sr-root script").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    await context.close();
  });
});

describe("notifications and the tab", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  /**
   * The browser's Notification API as seen by the page, recorded (headless Chromium shows none), and a tab that
   * can be sent to the background.
   */
  const NOTIFICATION_PROBE = () => {
    const w = window as unknown as { __asked: number; __shown: Array<{ title: string; body: string }>; __hidden: boolean };
    w.__asked = 0;
    w.__shown = [];
    w.__hidden = false;
    class ProbeNotification {
      static permission: NotificationPermission = "default";
      static async requestPermission(): Promise<NotificationPermission> {
        w.__asked++;
        ProbeNotification.permission = "granted";
        return "granted";
      }
      onclick: (() => void) | null = null;
      constructor(title: string, options: { body: string }) {
        w.__shown.push({ title, body: options.body });
      }
      close(): void {}
    }
    Object.defineProperty(window, "Notification", { value: ProbeNotification, configurable: true });
    Object.defineProperty(document, "visibilityState", { get: () => (w.__hidden ? "hidden" : "visible"), configurable: true });
  };
  type ProbeWindow = { __asked: number; __shown: Array<{ title: string; body: string }>; __hidden: boolean };

  it("asks permission only on a click, then tells a hidden tab when the agent goes quiet; the title follows", async () => {
    const { page, context, errors } = await newPage(browser);
    await page.addInitScript(NOTIFICATION_PROBE);
    await page.goto(`${stack.dash.url}#/stream&token=${encodeURIComponent(stack.mock.token)}`);
    await page.waitForSelector(".badge[data-state=open]");
    stack.mock.broadcast({ type: "system_status", data: "thinking" });
    await expect.poll(() => page.title()).toBe("● Thinking · ductor");
    expect(await page.locator('link[rel="icon"]').getAttribute("href")).toMatch(/^data:image\/svg\+xml,/);
    stack.mock.broadcast({ type: "system_status", data: null });
    await expect.poll(() => page.title()).toBe("Quiet · ductor");
    // Nothing asked on load, nor on output.
    expect(await page.evaluate(() => (window as unknown as ProbeWindow).__asked)).toBe(0);

    await page.getByRole("button", { name: "Notify me" }).click();
    await expect.poll(() => page.evaluate(() => (window as unknown as ProbeWindow).__asked)).toBe(1);
    expect(await page.getByRole("button", { name: "Notifying" }).getAttribute("aria-pressed")).toBe("true");

    // Visible tab: no notice. Hidden tab: one, when a stretch of work ends.
    stack.mock.broadcast({ type: "system_status", data: "thinking" });
    await expect.poll(() => page.title()).toBe("● Thinking · ductor");
    await page.evaluate(() => {
      (window as unknown as ProbeWindow).__hidden = true;
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await page.waitForTimeout(3_100); // work shorter than 3 s is no turn worth telling
    stack.mock.broadcast({ type: "tool_activity", data: "Shell" });
    stack.mock.broadcast({ type: "system_status", data: null });
    await expect.poll(() => page.title()).toBe("● Running Shell · ductor");
    stack.mock.broadcast({ type: "system_status", data: "thinking" });
    stack.mock.broadcast({ type: "system_status", data: null });
    await expect
      .poll(() => page.evaluate(() => (window as unknown as ProbeWindow).__shown))
      .toEqual([{ title: "The agent is quiet", body: expect.stringMatching(/^It worked \d+ s and stopped at /) }]);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe("the keyboard", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("? opens the sheet and Esc closes it; 1–4 change views; / finds and Esc leaves; j/k move between turns; End; Space pauses", async () => {
    const { page, context, errors } = await newPage(browser, { width: 1280, height: 500 });
    await page.goto(`${stack.dash.url}#/status&token=${encodeURIComponent(stack.mock.token)}`);
    await page.waitForSelector(".badge[data-state=open]");

    await page.keyboard.press("?");
    const sheet = page.locator("dialog.shortcuts");
    await expect.poll(() => sheet.isVisible()).toBe(true);
    expect(await sheet.locator("dt").count()).toBeGreaterThanOrEqual(7);
    await screenshot(page, "shortcuts");
    await page.keyboard.press("Escape");
    await expect.poll(() => sheet.isVisible()).toBe(false);

    await page.keyboard.press("2");
    await expect.poll(() => page.evaluate(() => location.hash)).toBe("#/stream");
    for (const name of ["one", "two", "three"]) {
      stack.mock.broadcast({ type: "text_delta", data: `**[${name} | claude]**\n${`${name} says a line\n`.repeat(40)}` });
      stack.mock.broadcast({ type: "tool_activity", data: "Read" });
    }
    await expect.poll(() => page.locator(".sr-turn").count()).toBe(3);

    await page.keyboard.press("/");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Find in stream");
    await page.keyboard.type("says");
    await expect.poll(() => page.locator(".view-stream .find-count").textContent()).toMatch(/^1 of \d+/);
    // Escape clears the find and gives the keys back.
    await page.keyboard.press("Escape");
    expect(await page.evaluate(() => document.activeElement === document.body)).toBe(true);
    expect(await page.locator(".view-stream .find-input").first().inputValue()).toBe("");

    // From the bottom (End), k walks back turn by turn and j forward again; focus goes with it.
    await page.keyboard.press("End");
    await expect.poll(() => page.locator(".sr-jump").isVisible()).toBe(false);
    const focusedTurn = () => page.evaluate(() => document.activeElement?.querySelector(".sr-turn-title")?.textContent ?? null);
    await page.keyboard.press("k");
    await expect.poll(focusedTurn).toMatch(/three \(claude\)$/);
    await page.keyboard.press("k");
    await expect.poll(focusedTurn).toMatch(/two \(claude\)$/);
    await page.keyboard.press("j");
    await expect.poll(focusedTurn).toMatch(/three \(claude\)$/);
    expect(await page.locator(".sr-jump").isVisible()).toBe(true);
    await page.keyboard.press("End");
    await expect.poll(() => page.locator(".sr-jump").isVisible()).toBe(false);

    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press(" ");
    await expect.poll(() => page.getByRole("button", { name: "Resume" }).getAttribute("aria-pressed")).toBe("true");
    await page.keyboard.press(" ");
    await expect.poll(() => page.getByRole("button", { name: "Pause" }).getAttribute("aria-pressed")).toBe("false");

    // Everything stays reachable by Tab: the stream's controls come in order.
    await page.evaluate(() => document.querySelector<HTMLElement>(".view-stream h1")?.focus());
    const reached: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press("Tab");
      reached.push(
        await page.evaluate(() => document.activeElement?.textContent || document.activeElement?.getAttribute("aria-label") || ""),
      );
    }
    for (const control of ["Pause", "Clear", "Copy", "Notify me", "Find in stream"]) expect(reached).toContain(control);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe("a 320 px phone", () => {
  for (const scheme of ["light", "dark"] as const) {
    it(`the tab strip, the find bar and an open turn timeline fit without cut-off text (${scheme})`, async () => {
      const stack = await startStack();
      try {
        const { page, context } = await newPage(browser, { width: 320, height: 640 }, scheme);
        await page.goto(`${stack.dash.url}#/stream&token=${encodeURIComponent(stack.mock.token)}`);
        await page.waitForSelector(".badge[data-state=open]");
        stack.mock.broadcast({
          type: "text_delta",
          data: "**[release-notes | codex]**\nDrafting the notes for 2.4.0 from the merged pull requests.\n",
        });
        for (const tool of ["Read", "Grep", "Read", "Edit", "Shell", "TodoWrite"])
          stack.mock.broadcast({ type: "tool_activity", data: tool });
        await expect.poll(() => page.locator(".sr-turn-summary").textContent()).toMatch(/^6 tools/);
        await page.locator(".sr-turn summary").click();
        await expect.poll(() => page.locator(".sr-turn-call").count()).toBe(6);
        // No element of these parts reaches past the viewport, and none clips its own text.
        const cut = await page.evaluate(() => {
          const parts = document.querySelectorAll(".nav-link, .badge, .find-input, .find .btn, .sr-turn *, .activity-line, .toolbar .btn");
          return [...parts]
            .filter((e) => (e as HTMLElement).offsetParent !== null)
            .filter(
              (e) =>
                e.getBoundingClientRect().right > window.innerWidth + 0.5 ||
                (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflow !== "visible" && !e.classList.contains("activity-line")),
            )
            .map((e) => `${e.className}: ${e.textContent}`);
        });
        expect(cut).toEqual([]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
        await screenshot(page, `phone-320-stream-${scheme}`);
        await context.close();
      } finally {
        await stack.close();
      }
    });
  }
});

describe("turns from a recording", () => {
  it("the long-output recording, a named session, is one turn with its session in the header", async () => {
    const stack = await startStack({ recording: "long-output", speed: 50 });
    try {
      const { page, context } = await newPage(browser);
      await page.goto(`${stack.dash.url}#/stream&token=${encodeURIComponent(stack.mock.token)}`);
      await expect.poll(() => turnTitles(page), { timeout: 20_000 }).toEqual([expect.stringMatching(/release-notes \(codex\)$/)]);
      await context.close();
    } finally {
      await stack.close();
    }
  });
});

describe("turns from a relay's history", () => {
  it("a page opened later draws the turns of what it missed", async () => {
    const stack = await startStack({}, "site", { relay: true });
    try {
      for (let i = 0; i < 100 && stack.mock.streamClients() !== 1; i++) await new Promise((r) => setTimeout(r, 50));
      stack.mock.broadcast({ type: "text_delta", data: "**[gamma | claude]**\nfirst\n" });
      stack.mock.broadcast({ type: "tool_activity", data: "Grep" });
      stack.mock.broadcast({ type: "text_delta", data: "**[delta | codex]**\nsecond\n" });
      const { page, context } = await newPage(browser);
      await expect
        .poll(async () => {
          const res = await fetch(`${stack.dash.url}dashboard/history?limit=1`, {
            headers: { authorization: `Bearer ${stack.mock.token}` },
          });
          return ((await res.json()) as { head: number }).head;
        })
        .toBeGreaterThanOrEqual(4);
      await page.goto(`${stack.dash.url}#/stream&token=${encodeURIComponent(stack.mock.token)}`);
      await expect
        .poll(() => turnTitles(page))
        .toEqual([expect.stringMatching(/gamma \(claude\)$/), expect.stringMatching(/delta \(codex\)$/)]);
      expect(await page.locator(".sr-turn-summary").first().textContent()).toBe("1 tool: Grep");
      await context.close();
    } finally {
      await stack.close();
    }
  });
});
