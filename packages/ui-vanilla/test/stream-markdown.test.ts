/**
 * The stream view's default: agent markdown drawn as formatted DOM, in real Chromium against the real mock ductor.
 * Hostile markdown stays inert, Raw shows the characters as they came and back, and Copy copies the source.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, newPage, screenshot, startStack, type Stack } from "./helpers.js";

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

const MARKDOWN = [
  "## Fixing the rounding bug\n\n",
  "The totals in `src/totals.ts` were summed as **floats**; see <file:/home/dev/invoice/src/totals.ts>.\n\n",
  "```ts\nexport const toCents = (n: number) => Math.round(n * 100);\n```\n\n",
  "- convert at the edge\n- sum in *cents*\n\n",
  "> all 148 tests pass\n\n",
  "Details: [the PR](https://github.com/acme/invoice/pull/317).\n",
];

async function openStream(
  options: { format?: "plain" | "markdown"; viewport?: { width: number; height: number }; scheme?: "light" | "dark" } = {},
) {
  const { page, context, errors } = await newPage(browser, options.viewport, options.scheme, { format: options.format ?? "markdown" });
  await page.goto(`${stack.dash.url}#/stream&token=${encodeURIComponent(stack.mock.token)}`);
  await page.waitForSelector(".badge[data-state=open]");
  return { page, context, errors };
}

/** Everything in the stream that is not text and not our own markup: what a hostile string would create. */
const unsafe = (page: Page) =>
  page.evaluate(() => {
    const found: string[] = [];
    for (const el of document.querySelectorAll(".sr-root *")) {
      if (["SCRIPT", "IMG", "IFRAME", "SVG", "OBJECT", "EMBED", "STYLE"].includes(el.tagName)) found.push(el.tagName);
      for (const attr of el.attributes) {
        if (attr.name.startsWith("on")) found.push(`${el.tagName}[${attr.name}]`);
        if (/^\s*(javascript|data|vbscript):/i.test(attr.value)) found.push(`${el.tagName}[${attr.name}=${attr.value}]`);
      }
    }
    return found;
  });

describe("markdown in the stream view", () => {
  it("draws headings, code with a language and a copy button, lists, quotes, links and file chips", async () => {
    const { page, context, errors } = await openStream();
    // Pieces cut anywhere, as deltas arrive.
    const all = MARKDOWN.join("");
    for (let i = 0; i < all.length; i += 23) stack.mock.broadcast({ type: "text_delta", data: all.slice(i, i + 23) });
    await expect.poll(() => page.locator(".sr-content a").getAttribute("href")).toBe("https://github.com/acme/invoice/pull/317");
    expect(await page.locator(".sr-content h2").textContent()).toBe("Fixing the rounding bug");
    expect(await page.locator(".sr-content strong").textContent()).toBe("floats");
    expect(await page.locator(".sr-content .md-file").textContent()).toBe("/home/dev/invoice/src/totals.ts");
    expect((await page.locator(".sr-content pre code").textContent())?.trimEnd()).toBe(
      "export const toCents = (n: number) => Math.round(n * 100);",
    );
    expect(await page.locator(".sr-content .md-lang").getAttribute("data-lang")).toBe("ts");
    expect(await page.locator(".sr-content li").allTextContents()).toEqual(["convert at the edge", "sum in cents"]);
    expect(await page.locator(".sr-content blockquote").textContent()).toContain("all 148 tests pass");
    expect(await page.locator(".sr-content a").getAttribute("rel")).toBe("noopener noreferrer nofollow");
    await screenshot(page, "stream-markdown");

    // Raw shows the characters as they came; back again, formatted.
    await page.getByRole("button", { name: "Raw" }).click();
    await expect.poll(() => page.locator(".sr-content").textContent()).toContain("## Fixing the rounding bug");
    expect(await page.locator(".sr-content h2").count()).toBe(0);
    await page.getByRole("button", { name: "Raw" }).click();
    await expect.poll(() => page.locator(".sr-content h2").count()).toBe(1);
    // Copy copies the source, not the rendered words.
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.getByRole("button", { name: "Copy", exact: true }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(all);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("hostile markdown renders as inert text or a safe link, and loads nothing", async () => {
    const { page, context } = await openStream();
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    const hostile = [
      "[click](javascript:window.__pwned=1)\n\n",
      "[caps](JAVASCRIPT:window.__pwned=1) and [spaced]( javascript:window.__pwned=1)\n\n",
      "[data](data:text/html,<script>window.__pwned=1</script>)\n\n",
      "<script>window.__pwned=1</script>\n\n",
      "<img src=x onerror=window.__pwned=1>\n\n",
      "![tracker](https://evil.example/pixel.png)\n\n",
      '<a href="javascript:window.__pwned=1">html link</a>\n\n',
      "[ok](https://example.com/safe)\n",
    ].join("");
    stack.mock.broadcast({ type: "text_delta", data: hostile });
    await expect.poll(() => page.locator(".sr-content a", { hasText: "ok" }).getAttribute("href")).toBe("https://example.com/safe");
    expect(await unsafe(page)).toEqual([]);
    const text = (await page.locator(".sr-content").textContent()) ?? "";
    expect(text).toContain("<script>window.__pwned=1</script>");
    expect(text).toContain("<img src=x onerror=window.__pwned=1>");
    // The image is a link to it, never loaded.
    expect(await page.locator('.sr-content a[href="https://evil.example/pixel.png"]').count()).toBe(1);
    for (const link of await page.locator(".sr-content a").all()) expect(await link.getAttribute("href")).toMatch(/^(https?:|mailto:)/);
    await page.waitForTimeout(200);
    expect(requests.filter((u) => u.includes("evil.example"))).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    await context.close();
  });

  for (const [name, viewport, scheme] of [
    ["desktop-dark", { width: 1280, height: 800 }, "dark"],
    ["phone-light", { width: 390, height: 844 }, "light"],
    ["phone-dark", { width: 390, height: 844 }, "dark"],
  ] as const) {
    it(`fits and reads at ${name}`, async () => {
      const { page, context } = await openStream({ viewport, scheme });
      stack.mock.broadcast({ type: "text_delta", data: MARKDOWN.join("") });
      stack.mock.broadcast({ type: "tool_activity", data: "Shell" });
      await expect.poll(() => page.locator(".sr-content h2").count()).toBeGreaterThan(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      await screenshot(page, `stream-markdown-${name}`);
      await context.close();
    });
  }
});
