/**
 * The recording player in Chromium, with no server behind the site: the built static site and recording files
 * served by a plain node:http file server (no relay, no mock). Recordings open from the file picker, a drop and
 * `#recording=/demo.jsonl`; replay, scrub and "show all" draw the recorded text in order; a hostile recording is inert.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRecording } from "../src/recording/parse.js";
import { startStaticSite, type StaticSite } from "./static-site.js";
import { HOSTILE, launch, newPage, screenshot, streamText } from "./helpers.js";

const pkgDir = fileURLToPath(new URL("..", import.meta.url));
const demo = readFileSync(join(pkgDir, "../mock-server/recordings/coding-session.jsonl"), "utf8");
const demoEvents = parseRecording(demo).events;
const demoText = demoEvents
  .filter((e) => e.type === "text_delta")
  .map((e) => e.data ?? "")
  .join("");

const [H1, H2] = HOSTILE;
const hostile = [
  JSON.stringify({ ductorRecording: 1, recordedAt: H1, source: H2, provider: H1, model: H2, [H1]: H2 }),
  JSON.stringify({ t: 0, snapshot: { path: "/dashboard/status", status: 200, body: { x: H1 } } }),
  JSON.stringify({
    t: 1,
    event: { type: "text_delta", data: `${H1}\n\n${H2}\n\n[click](javascript:window.__pwned=1) <a href="javascript:x">a</a>\n` },
  }),
  JSON.stringify({ t: 2, event: { type: "tool_activity", data: H1 } }),
  JSON.stringify({ t: 3, event: { type: "system_status", data: H2 } }),
  JSON.stringify({ t: 4, event: { type: H1, data: H2 } }),
  JSON.stringify({ t: 5, event: { type: "text_delta", data: `| ${H1} | ${H2} |\n|---|---|\n| ![x](x) | \`${H2}\` |\n` } }),
].join("\n");

/** No script ran and no element came from the recording: no images, frames, inline scripts, or links off the page. */
async function assertInert(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
  expect(await page.evaluate(() => document.querySelectorAll("img, iframe, object, embed, svg, video, audio").length)).toBe(0);
  expect(await page.evaluate(() => Array.from(document.scripts).filter((s) => !s.src).length)).toBe(0);
  const hrefs = await page.evaluate(() =>
    Array.from(document.querySelectorAll(".ductor-dashboard [href]"), (a) => a.getAttribute("href") ?? ""),
  );
  for (const href of hrefs) expect(href).toMatch(/^(#|https?:\/\/|data:,$)/);
  expect(
    await page.evaluate(() =>
      Array.from(document.querySelectorAll("*"))
        .flatMap((el) => Array.from(el.attributes, (a) => a.name))
        .filter((n) => n.startsWith("on")),
    ),
  ).toEqual([]);
}

const progress = (page: Page): Promise<string> => page.locator(".rp-progress").innerText();
const position = async (page: Page): Promise<number> => Number(await page.locator(".rp-scrub").inputValue());

let browser: Browser;
let web: StaticSite;
beforeAll(async () => {
  browser = await launch();
  web = await startStaticSite({ "/demo.jsonl": demo, "/hostile.jsonl": hostile });
});
afterAll(async () => {
  await browser?.close();
  await web?.close();
});

describe("recording player (static site, no server)", () => {
  it("opens a recording from the file picker, replays at 10x, pauses on Space, scrubs, shows all in order, closes", async () => {
    const { context, page, errors } = await newPage(browser);
    try {
      await page.goto(`${web.url}/`);
      await page.getByRole("button", { name: "Open a recording…" }).waitFor();
      await page.setInputFiles("#dd-recording-file", {
        name: "coding-session.jsonl",
        mimeType: "application/x-ndjson",
        buffer: Buffer.from(demo),
      });
      await page.locator(".recording-player").waitFor();
      await expect.poll(() => page.locator(".rp-name").innerText()).toBe("coding-session.jsonl");
      expect(await page.locator(".rp-meta").innerText()).toMatch(/recorded .*2026.* · 2 min \d+ s · [\d,]+ events · claude · opus/);
      expect(await progress(page)).toMatch(/^ready · 0 of [\d,]+ events/);
      expect(await streamText(page)).toBe("");

      // 10x: the position grows on its own, and the text drawn so far is the recording's text so far.
      await page.getByRole("button", { name: "Play 10x" }).click();
      await expect.poll(() => position(page), { timeout: 20_000 }).toBeGreaterThan(3);
      const first = await position(page);
      await expect.poll(() => position(page), { timeout: 20_000 }).toBeGreaterThan(first);
      expect(await progress(page)).toMatch(/playing at 10x/);
      // Space pauses (focus is on the button just clicked), and plays again.
      await page.keyboard.press(" ");
      await expect.poll(() => progress(page)).toMatch(/^paused/);
      const paused = await position(page);
      await page.keyboard.press(" ");
      await expect.poll(() => progress(page)).toMatch(/^playing at 10x/);
      await page.getByRole("button", { name: "Pause" }).click();
      await expect.poll(() => progress(page)).toMatch(/^paused/);
      const at = await position(page);
      expect(at).toBeGreaterThanOrEqual(paused);
      const expectedSoFar = demoEvents
        .slice(0, at)
        .filter((e) => e.type === "text_delta")
        .map((e) => e.data)
        .join("");
      await expect.poll(() => streamText(page)).toBe(expectedSoFar);

      // Scrub back, then forward: the view shows exactly the first N events.
      for (const n of [2, 20, 7]) {
        await page.locator(".rp-scrub").evaluate((el, v) => {
          (el as HTMLInputElement).value = String(v);
          el.dispatchEvent(new Event("input", { bubbles: true }));
        }, n);
        const want = demoEvents
          .slice(0, n)
          .filter((e) => e.type === "text_delta")
          .map((e) => e.data)
          .join("");
        // One redraw per animation frame: wait for it, then the text is exactly that of the first N events.
        await expect.poll(() => progress(page)).toMatch(new RegExp(`^paused · ${n} of`));
        await expect.poll(() => streamText(page)).toBe(want);
      }
      const tools = demoEvents.slice(0, 7).filter((e) => e.type === "tool_activity").length;
      expect(await page.locator(".sr-tool-chip").count()).toBe(tools);

      await page.getByRole("button", { name: "Show all" }).click();
      await expect.poll(() => streamText(page)).toBe(demoText);
      expect(await progress(page)).toMatch(/^done · ([\d,]+) of \1 events/);
      expect(await page.locator(".sr-turn").count()).toBeGreaterThan(0);

      await page.getByRole("button", { name: "Close" }).click();
      await page.locator("#dd-token").waitFor();
      expect(await page.locator(".recording-player").count()).toBe(0);
      // Nothing but the site's own files was asked for: no /dashboard/* request, no stream.
      expect(web.asked.filter((p) => p.startsWith("/dashboard"))).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("the built site alone is an offline demo: it ships a recording and opens it with one click", async () => {
    const { context, page, errors } = await newPage(browser);
    try {
      web.asked.length = 0;
      await page.goto(`${web.url}/`);
      await page.getByRole("button", { name: "Watch a recorded demo" }).click();
      await page.locator(".recording-player").waitFor();
      expect(await page.locator(".rp-name").innerText()).toBe("coding-session.jsonl");
      // The file came from the built site (the build put it there), and the address names it for a reload.
      expect(web.asked).toContain("/demo/coding-session.jsonl");
      expect(await page.evaluate(() => location.hash)).toBe("#recording=demo/coding-session.jsonl");
      await page.getByRole("button", { name: "Show all" }).click();
      await expect.poll(() => streamText(page)).toBe(demoText);
      await page.reload();
      await page.locator(".recording-player").waitFor();
      expect(web.asked.filter((p) => p.startsWith("/dashboard"))).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("opens #recording=/demo.jsonl from the site, and a dropped file", async () => {
    const { context, page, errors } = await newPage(browser);
    try {
      web.asked.length = 0;
      await page.goto(`${web.url}/#recording=/demo.jsonl`);
      await page.locator(".recording-player").waitFor();
      expect(await page.locator(".rp-name").innerText()).toBe("demo.jsonl");
      expect(web.asked).toContain("/demo.jsonl");
      await page.getByRole("button", { name: "Show all" }).click();
      await expect.poll(() => streamText(page)).toBe(demoText);
      // Play again from the start at 1x: the first text arrives in order.
      await page.getByRole("button", { name: "Play 1x" }).click();
      await expect.poll(() => streamText(page), { timeout: 15_000 }).toMatch(/^I'll start by reproducing the failure/);

      // Close forgets the fragment; the connect form offers the picker again, and a drop anywhere opens a file.
      await page.getByRole("button", { name: "Close" }).click();
      await page.locator(".recording-open").waitFor();
      expect(await page.evaluate(() => location.hash)).toBe("");
      await page.evaluate((text) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], "dropped.jsonl"));
        document.body.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
        document.body.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
      }, demo);
      await page.locator(".recording-player").waitFor();
      expect(await page.locator(".rp-name").innerText()).toBe("dropped.jsonl");
      expect(web.asked.filter((p) => p.startsWith("/dashboard"))).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("refuses recordings from another origin, and says what is wrong with a file that is not one", async () => {
    const { context, page } = await newPage(browser);
    try {
      await page.goto(`${web.url}/#recording=https://evil.example/x.jsonl`);
      await expect.poll(() => page.locator(".connect-form .connect-message").innerText()).toMatch(/recordings open only from this site/);
      await page.goto(`${web.url}/#recording=/missing.jsonl`);
      await page.reload();
      await expect.poll(() => page.locator(".connect-form .connect-message").innerText()).toMatch(/answered 404/);
      await page.setInputFiles("#dd-recording-file", { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello\n") });
      await expect
        .poll(() => page.locator(".recording-open-message").innerText())
        .toMatch(/Could not open notes\.txt: line 1: not valid JSON: is this a \.jsonl recording\?/);
      expect(await page.locator(".recording-player").count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it("draws a hostile recording as text: no element, attribute or script of its own", async () => {
    const { context, page, errors } = await newPage(browser, undefined, "light", { format: "markdown" });
    try {
      await page.goto(`${web.url}/`);
      await page.setInputFiles("#dd-recording-file", { name: `${H1}.jsonl`, mimeType: "text/plain", buffer: Buffer.from(hostile) });
      await page.locator(".recording-player").waitFor();
      await page.getByRole("button", { name: "Show all" }).click();
      await expect.poll(() => progress(page)).toMatch(/^done/);
      const shown = await page.locator(".recording-player").innerText();
      expect(shown).toContain(H1);
      expect(shown).toContain(H2.replace("</pre>", ""));
      await assertInert(page);
      await page.goto(`${web.url}/#recording=/hostile.jsonl`);
      await page.reload();
      await page.locator(".recording-player").waitFor();
      await page.getByRole("button", { name: "Play 10x" }).click();
      await expect.poll(() => progress(page)).toMatch(/^done/);
      await assertInert(page);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("screenshots: desktop and phone, light and dark", async () => {
    for (const [name, viewport] of [
      ["desktop", { width: 1280, height: 800 }],
      ["phone", { width: 390, height: 844 }],
    ] as const) {
      for (const scheme of ["light", "dark"] as const) {
        const { context, page } = await newPage(browser, viewport, scheme, { format: "markdown" });
        try {
          await page.goto(`${web.url}/#recording=/demo.jsonl`);
          await page.locator(".recording-player").waitFor();
          await page.locator(".rp-scrub").evaluate((el) => {
            (el as HTMLInputElement).value = "24";
            el.dispatchEvent(new Event("input", { bubbles: true }));
          });
          await expect.poll(() => progress(page)).toMatch(/^paused · 24 of/);
          await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
          await screenshot(page, `recording-player-${name}-${scheme}`);
        } finally {
          await context.close();
        }
      }
    }
    const { context, page } = await newPage(browser, { width: 1280, height: 800 }, "light");
    try {
      await page.goto(`${web.url}/`);
      await page.locator(".recording-open").waitFor();
      await screenshot(page, "recording-open-desktop-light");
    } finally {
      await context.close();
    }
  });
});
