import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, newPage, screenshot, startStack, streamText, type Stack } from "./helpers.js";

const recordingFile = fileURLToPath(new URL("../../mock-server/recordings/coding-session.jsonl", import.meta.url));
const agentLog = fileURLToPath(new URL("../../mock-server/recordings/coding-session/logs/agent.log", import.meta.url));

function recordedEvents(): Array<{ type: string; data: unknown }> {
  return readFileSync(recordingFile, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { event?: { type: string; data: unknown } })
    .flatMap((l) => (l.event ? [l.event] : []));
}

/** expect.poll's own deadline is 1 s, which a loaded CI machine can miss while the page is doing its part. */
const WAIT = { timeout: 10_000 };

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe("views against the mock server", () => {
  let stack: Stack;
  let page: Page;
  let errors: string[];
  beforeAll(async () => {
    stack = await startStack({ recording: "coding-session", speed: 0 });
    ({ page, errors } = await newPage(browser));
    await page.goto(`${stack.dash.url}#/status&token=${encodeURIComponent(stack.mock.token)}`);
  });
  afterAll(async () => {
    await page?.context().close();
    await stack?.close();
  });

  it("moves a #token= into sessionStorage and out of the address bar", async () => {
    await page.waitForSelector(".view-status:not([hidden])");
    expect(await page.evaluate(() => location.hash)).toBe("#/status");
    // Stored once the server has accepted it (the stream's ping), which a loaded machine may take a moment for.
    await expect.poll(() => page.evaluate(() => sessionStorage.getItem("ductor-dashboard.token")), WAIT).toBe(stack.mock.token);
    // Nothing of it in localStorage (which only holds the test's Raw preference).
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual(["ductor-dashboard.raw-stream"]);
  });

  it("status shows provider, model, uptime, connections and health", async () => {
    const cards = page.locator(".view-status .card");
    await expect.poll(() => cards.nth(0).locator(".card-value").textContent(), WAIT).toBe("claude");
    expect(await cards.nth(1).locator(".card-value").textContent()).toBe("opus");
    expect(await cards.nth(2).locator(".card-value").textContent()).toMatch(/hour|minute|day/);
    expect(await cards.nth(4).locator(".card-value").textContent()).toMatch(/^\d+$/);
    await expect.poll(() => cards.nth(5).locator(".card-value").textContent(), WAIT).toBe("ok");
    expect(await page.locator(".view-status .updated").textContent()).toMatch(/updated \d+ s ago/);
    await expect.poll(() => page.locator(".badge").textContent(), WAIT).toBe("connected");
    await screenshot(page, "status");
  });

  it("sessions and tasks show the mock's data", async () => {
    await page.click('a.nav-link[href="#/sessions"]');
    await page.waitForSelector("table.sessions tbody tr");
    const sessions = await page.locator("table.sessions").innerText();
    expect(sessions).toContain("tg:123456789");
    expect(sessions).toContain("Research 🔬 Forschung");
    expect(sessions).toContain("$0.84");
    const tasks = await page.locator("table.tasks").innerText();
    expect(tasks).toContain("pricing-research");
    expect(tasks).toContain("Research current pricing");
    // What each task needs from a person, or ended with, in full under its prompt.
    expect(tasks).toContain("Asks: Should the guide cover Windows service setup too, or link to the existing page?");
    expect(tasks).toContain("Error: CLI exited with code 1: rate limit exceeded (429)");
    expect(tasks).toContain(
      "Result: 3 root causes: flaky network test (4 runs), missing env var in deploy job (2), OOM in e2e shard 3 (1).",
    );
    expect(await page.locator("table.tasks .pill").allTextContents()).toEqual(expect.arrayContaining(["running", "waiting"]));
    expect(tasks).not.toMatch(/1970/);
    await screenshot(page, "sessions");
  });

  it("tables at 768–1024 px never break a number, date, cost or duration; ids break only after ':'", async () => {
    const { page: narrow, context } = await newPage(browser, { width: 768, height: 900 });
    await narrow.goto(`${stack.dash.url}#/sessions&token=${encodeURIComponent(stack.mock.token)}`);
    await narrow.waitForSelector("table.sessions tbody tr");
    await narrow.waitForSelector("table.tasks tbody tr");
    for (const width of [768, 900, 1024]) {
      await narrow.setViewportSize({ width, height: 900 });
      // Each rendered line of every value and id cell: [text of the line, ...].
      const lines = await narrow.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLElement>("table.data td.col-value, table.data td.col-id .cell-id"), (cell) => {
          const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
          const byTop = new Map<number, string>();
          for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
            for (let i = 0; i < node.data.length; i++) {
              const range = document.createRange();
              range.setStart(node, i);
              range.setEnd(node, i + 1);
              const rect = range.getClientRects()[0];
              if (!rect) continue;
              const top = Math.round(rect.top);
              byTop.set(top, (byTop.get(top) ?? "") + node.data[i]);
            }
          }
          return { id: cell.classList.contains("cell-id"), lines: [...byTop.entries()].sort((a, b) => a[0] - b[0]).map(([, t]) => t) };
        }),
      );
      expect(lines.length).toBeGreaterThan(10);
      for (const cell of lines) {
        if (cell.id) for (const line of cell.lines.slice(0, -1)) expect(line, `${width}px: ${cell.lines.join("|")}`).toMatch(/:$/);
        else expect(cell.lines, `${width}px`).toHaveLength(1);
      }
      // The page itself never scrolls sideways: a table that cannot fit scrolls inside its frame.
      expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    }
    await screenshot(narrow, "sessions-1024");
    await context.close();
  });

  it("logs: tail via a 64 KiB Range, then load earlier", async () => {
    const ranges: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/dashboard/logs/agent.log")) ranges.push(r.headers()["range"] ?? "(none)");
    });
    await page.click('a.nav-link[href="#/logs"]');
    await page.click(`button.file[data-name="agent.log"]`);
    const full = readFileSync(agentLog);
    const tail = full.subarray(full.length - 65_536).toString("utf8");
    await expect
      .poll(() => page.locator("pre.log-text").textContent(), WAIT)
      .toBe(tail.slice(tail.length - (tail.length - (tail.indexOf("\uFFFD") >= 0 ? tail.lastIndexOf("\uFFFD") + 1 : 0))));
    expect(ranges[0]).toBe("bytes=-65536");
    expect(await page.locator(".viewer .range").textContent()).toMatch(/of 94\.1 KiB/);
    await screenshot(page, "logs");
    await page.click(".view-logs button >> text=Load earlier");
    await expect.poll(() => page.locator("pre.log-text").textContent(), WAIT).toBe(full.toString("utf8"));
    expect(ranges[1]).toMatch(/^bytes=0-\d+$/);
    expect(await page.locator(".view-logs button >> text=Load earlier").isDisabled()).toBe(true);
  });

  it("the stream renders the replayed session in order with nothing missing", async () => {
    const events = recordedEvents();
    const expected = events
      .filter((e) => e.type === "text_delta")
      .map((e) => e.data as string)
      .join("");
    const tools = events.filter((e) => e.type === "tool_activity").length;
    await page.click('a.nav-link[href="#/stream"]');
    await expect.poll(() => streamText(page), { timeout: 10_000 }).toBe(expected);
    expect(await page.locator(".sr-tool-chip").count()).toBe(tools);
    expect(await page.locator(".tool-count").textContent()).toBe(`${tools} tool call${tools === 1 ? "" : "s"}`);
    await screenshot(page, "stream");
    expect(errors).toEqual([]);
  });

  it("a dropped connection shows reconnecting and a gap marker, then streams again", async () => {
    await page.evaluate(() => {
      const log: string[] = [];
      (window as unknown as { __badge: string[] }).__badge = log;
      const badge = document.querySelector(".badge")!;
      new MutationObserver(() => log.push(badge.textContent ?? "")).observe(badge, { subtree: true, childList: true, characterData: true });
    });
    stack.mock.dropAll();
    await page.waitForSelector(".sr-gap");
    await expect
      .poll(() => page.locator(".sr-gap").textContent(), { timeout: 15_000 })
      .toMatch(/^disconnected \d\d:\d\d:\d\d → \d\d:\d\d:\d\d$/);
    await expect.poll(() => page.locator(".badge").textContent(), WAIT).toBe("connected");
    const seen = await page.evaluate(() => (window as unknown as { __badge: string[] }).__badge);
    expect(seen.some((t) => /^reconnecting( in \d+ s|…)$/.test(t))).toBe(true);
    await expect.poll(() => stack.mock.streamClients(), WAIT).toBe(1);
    stack.mock.broadcast({ type: "text_delta", data: "after the gap\n" });
    await expect.poll(() => streamText(page), WAIT).toMatch(/after the gap\n$/);
    // The marker sits between the old output and the new.
    const order = await page.evaluate(() => Array.from(document.querySelectorAll(".sr-page > *"), (n) => n.className).slice(-3));
    expect(order).toEqual(["sr-chunk", "sr-gap", "sr-chunk"]);
  });
});

describe("stream controls and layouts", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ recording: "coding-session", speed: 0 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("find highlights matches; pause buffers and resume shows them; clear empties", async () => {
    const { page, context } = await newPage(browser);
    await page.goto(`${stack.dash.url}#token=${stack.mock.token}`);
    await page.waitForSelector(".badge[data-state=open]");
    await expect.poll(async () => (await streamText(page)).length, WAIT).toBeGreaterThan(1000);
    await page.fill(".view-stream .find-input", "Shell");
    await expect.poll(() => page.locator(".view-stream .find-count").textContent(), WAIT).toMatch(/^1 of \d+$/);
    expect(
      await page.evaluate(() => (CSS as unknown as { highlights: Map<string, unknown> }).highlights.has("dd-stream-find-current")),
    ).toBe(true);
    await page.press(".view-stream .find-input", "Enter");
    await expect.poll(() => page.locator(".view-stream .find-count").textContent(), WAIT).toMatch(/^2 of \d+$/);

    await page.click("button >> text=Pause");
    stack.mock.broadcast({ type: "text_delta", data: "while paused\n" });
    await page.waitForTimeout(300);
    expect(await streamText(page)).not.toContain("while paused");
    await page.click("button >> text=Resume");
    await expect.poll(() => streamText(page), WAIT).toMatch(/while paused\n$/);

    // Scrolling up stops autoscroll and offers "Jump to latest"; the button brings it back.
    await page.evaluate(() => {
      const sc = document.querySelector(".view-stream .sr-scroll")!;
      sc.scrollTop = 0;
    });
    await page.waitForSelector(".view-stream .sr-jump:not([hidden])");
    // Enough to fill whole pages while they are out of view (~300 KB), so their size is only known once shown.
    const shownChars = () =>
      page.evaluate(() => Array.from(document.querySelectorAll(".sr-chunk"), (n) => n.textContent?.length ?? 0).reduce((a, b) => a + b, 0));
    const before = await shownChars();
    stack.mock.broadcast({ type: "text_delta", data: "more output\n".repeat(25_000) });
    // Once all of it is on the page (not after a fixed 200 ms, which a loaded machine may spend before any of it
    // is drawn), the view has still not moved.
    await expect.poll(shownChars, WAIT).toBe(before + 300_000);
    expect(await page.evaluate(() => document.querySelector(".view-stream .sr-scroll")!.scrollTop)).toBe(0);
    await page.click(".view-stream .sr-jump");
    await page.waitForSelector(".view-stream .sr-jump", { state: "hidden" });
    // At the very bottom once the pages brought into view have their real size (a few frames at most).
    await expect
      .poll(
        () =>
          page.evaluate(() => {
            const sc = document.querySelector(".view-stream .sr-scroll")!;
            return sc.scrollHeight - sc.scrollTop - sc.clientHeight;
          }),
        WAIT,
      )
      .toBeLessThan(2);

    await page.click("button >> text=Clear");
    expect(await streamText(page)).toBe("");
    stack.mock.broadcast({ type: "text_delta", data: "fresh\n" });
    await expect.poll(() => streamText(page), WAIT).toBe("fresh\n");
    await context.close();
  });

  it("status labels other than 'thinking' leave a line in the stream, which keeps turns apart", async () => {
    const { page, context } = await newPage(browser);
    await page.goto(`${stack.dash.url}#/stream&token=${stack.mock.token}`);
    await page.waitForSelector(".badge[data-state=open]");
    stack.mock.broadcast({ type: "text_delta", data: "end of one pass." });
    stack.mock.broadcast({ type: "system_status", data: "thinking" });
    stack.mock.broadcast({ type: "system_status", data: "replay restarted" });
    stack.mock.broadcast({ type: "system_status", data: null });
    stack.mock.broadcast({ type: "text_delta", data: "I'll start by" });
    await expect.poll(() => streamText(page), WAIT).toMatch(/I'll start by$/);
    const blocks = await page.evaluate(() =>
      Array.from(document.querySelectorAll(".view-stream .sr-content > .sr-page > *"), (b) => `${b.className}: ${b.textContent}`).slice(-3),
    );
    expect(blocks[0]).toMatch(/^sr-chunk: [\s\S]*end of one pass\.$/);
    expect(blocks[1]).toMatch(/^sr-note: replay restarted · \d\d:\d\d:\d\d$/);
    expect(blocks[2]).toBe("sr-chunk: I'll start by");
    expect(await page.locator(".view-stream .sr-note", { hasText: "thinking" }).count()).toBe(0);
    await context.close();
  });

  it("phone width and dark theme stay readable", async () => {
    const { page, context } = await newPage(browser, { width: 390, height: 844 }, "dark");
    await page.goto(`${stack.dash.url}#/stream&token=${stack.mock.token}`);
    await page.waitForSelector(".badge[data-state=open]");
    stack.mock.broadcast({ type: "text_delta", data: "Looking at the failing test in test/totals.test.ts.\n" });
    stack.mock.broadcast({ type: "tool_activity", data: "Read" });
    stack.mock.broadcast({ type: "system_status", data: "thinking" });
    await expect.poll(() => page.locator(".sr-tool-chip").count(), WAIT).toBeGreaterThan(0);
    // Nothing overflows the viewport horizontally.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, "phone-stream-dark");
    await page.evaluate(() => (location.hash = "#/sessions"));
    await page.waitForSelector("table.sessions tbody tr");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, "phone-sessions-dark");
    await page.evaluate(() => (location.hash = "#/status"));
    await expect.poll(() => page.locator(".view-status .card-value").first().textContent(), WAIT).toBe("claude");
    await screenshot(page, "phone-status-dark");
    await context.close();
  });

  it("a failed status poll shows the error in words; a later success clears it", async () => {
    const { page, context } = await newPage(browser);
    await page.goto(`${stack.dash.url}#/status&token=${stack.mock.token}`);
    await expect.poll(() => page.locator(".view-status .card-value").first().textContent(), WAIT).toBe("claude");
    const repoll = async () => {
      // Leaving and re-entering the view polls at once instead of waiting for the 5 s timer.
      await page.evaluate(() => (location.hash = "#/logs"));
      await page.evaluate(() => (location.hash = "#/status"));
    };
    stack.mock.setFaults({ httpStatus: 503 });
    await repoll();
    await expect
      .poll(() => page.locator(".view-status .banner-error").textContent(), { timeout: 15_000 })
      .toMatch(/unavailable \(503\).*Showing data from/);
    expect(await page.locator(".view-status .card-value").first().textContent()).toBe("claude");
    stack.mock.setFaults({});
    await repoll();
    await expect.poll(() => page.locator(".view-status .banner-error").isHidden(), { timeout: 15_000 }).toBe(true);
    await context.close();
  });
});

describe("logs: follow, rotation, newest click wins", () => {
  let dir: string;
  let stack: Stack;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "dd-logs-"));
    mkdirSync(join(dir, "logs"));
    writeFileSync(join(dir, "logs", "agent.log"), "2026-04-21 12:00:00 [INFO] a:b.py:1: first line\n");
    writeFileSync(join(dir, "logs", "other.log"), "the other file\n");
    stack = await startStack({ data: dir });
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("follow appends new bytes, and reloads after rotation", async () => {
    const { page, context, errors } = await newPage(browser);
    await page.goto(`${stack.dash.url}#/logs&token=${stack.mock.token}`);
    await page.click(`button.file[data-name="agent.log"]`);
    await expect.poll(() => page.locator("pre.log-text").textContent(), WAIT).toContain("first line");
    await page.click("button >> text=Follow");
    appendFileSync(join(dir, "logs", "agent.log"), "2026-04-21 12:00:01 [INFO] a:b.py:2: second line\n");
    await expect.poll(() => page.locator("pre.log-text").textContent(), { timeout: 8_000 }).toContain("second line");
    // Two polls with nothing new: "nothing new" is an answer, not an HTTP error in the console.
    await page.waitForTimeout(4_500);
    expect(errors.filter((e) => /416|Range Not Satisfiable/i.test(e))).toEqual([]);
    expect(await page.locator("pre.log-text").textContent()).toBe(
      "2026-04-21 12:00:00 [INFO] a:b.py:1: first line\n2026-04-21 12:00:01 [INFO] a:b.py:2: second line\n",
    );
    truncateSync(join(dir, "logs", "agent.log"), 0);
    writeFileSync(join(dir, "logs", "agent.log"), "rotated\n");
    await expect.poll(() => page.locator("pre.log-text").textContent(), { timeout: 8_000 }).toBe("rotated\n");
    expect(await page.locator(".viewer .banner-info").textContent()).toMatch(/rotated or truncated/);
    await context.close();
  });

  it("follow: a file rotated and grown past its old size between two polls is reloaded, not appended to", async () => {
    const log = join(dir, "logs", "grown.log");
    writeFileSync(log, "2026-04-21 12:00:00 [INFO] old file\n");
    const { page, context } = await newPage(browser);
    await page.goto(`${stack.dash.url}#/logs&token=${stack.mock.token}`);
    await page.click(`button.file[data-name="grown.log"]`);
    await expect.poll(() => page.locator("pre.log-text").textContent(), WAIT).toBe("2026-04-21 12:00:00 [INFO] old file\n");
    await page.click("button >> text=Follow");
    // Replaced at once (rename), with more bytes than before: only the content tells it is another file.
    const rotated = "2026-04-21 13:00:00 [INFO] a new file after rotation\n".repeat(3);
    writeFileSync(`${log}.tmp`, rotated);
    renameSync(`${log}.tmp`, log);
    await expect.poll(() => page.locator("pre.log-text").textContent(), { timeout: 8_000 }).toBe(rotated);
    expect(await page.locator(".viewer .banner-info").textContent()).toMatch(/rotated/);
    await context.close();
  });

  it("find keeps its query across files and searches the newly opened one", async () => {
    const { page, context } = await newPage(browser);
    await page.goto(`${stack.dash.url}#/logs&token=${stack.mock.token}`);
    writeFileSync(join(dir, "logs", "find.log"), "a line to find\nand another\n");
    await page.click(`button.file[data-name="other.log"]`);
    await expect.poll(() => page.locator("pre.log-text").textContent(), WAIT).toBe("the other file\n");
    await page.fill(".view-logs .find-input", "line to find");
    await expect.poll(() => page.locator(".view-logs .find-count").textContent(), WAIT).toBe("no matches");
    await page.click(`button.file[data-name="find.log"]`, { timeout: 15_000 });
    await expect.poll(() => page.locator(".view-logs .find-count").textContent(), WAIT).toBe("1 of 1");
    expect(await page.locator(".view-logs .find-input").inputValue()).toBe("line to find");
    await context.close();
  });

  it("a newer click wins over an older response still in flight", async () => {
    const { page, context } = await newPage(browser);
    await page.route("**/dashboard/logs/agent.log", async (route) => {
      await new Promise((r) => setTimeout(r, 1_200));
      await route.continue();
    });
    await page.goto(`${stack.dash.url}#/logs&token=${stack.mock.token}`);
    await page.click(`button.file[data-name="agent.log"]`);
    await page.click(`button.file[data-name="other.log"]`);
    await expect.poll(() => page.locator("pre.log-text").textContent(), WAIT).toBe("the other file\n");
    await page.waitForTimeout(1_800);
    expect(await page.locator("pre.log-text").textContent()).toBe("the other file\n");
    expect(await page.locator(".viewer-title").textContent()).toBe("other.log");
    await context.close();
  });
});

describe("a replayed recording without a data folder", () => {
  let dir: string;
  let stack: Stack;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "dd-replay-"));
    copyFileSync(recordingFile, join(dir, "session.jsonl"));
    stack = await startStack({ recording: join(dir, "session.jsonl"), speed: 0 });
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("says why a log file cannot be opened, in the server's own words", async () => {
    const { page, context } = await newPage(browser);
    await page.goto(`${stack.dash.url}#/logs&token=${stack.mock.token}`);
    await page.locator("button.file").first().click();
    await expect.poll(() => page.locator(".viewer .banner-error").textContent(), { timeout: 15_000 }).toMatch(/503.*logs not configured/);
    await context.close();
  });
});
