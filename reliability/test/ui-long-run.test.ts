/**
 * The fault matrix, long-run row: an hour of agent output (≈ 1M events) replayed at speed 0 through the real
 * dashboard in Chromium. Memory must stay within the scrollback bound: the heap and the DOM after a million
 * events are what they were when the scrollback first filled, and the newest output is on screen.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockServer, type MockServer, type Recording } from "@ductor/mock-server";
import { chromium, type Browser } from "playwright-core";
import { startDashboardServer } from "@ductor/dashboard-server";
import { recordFigure } from "./figures.js";
import { until } from "./helpers.js";

const EVENTS = Number(process.env["LONG_RUN_EVENTS"] ?? 1_000_000);
const HOUR_MS = 3_600_000;
const siteDir = fileURLToPath(new URL("../test-output/site", import.meta.url));

/** An hour of dense agent output: ~48-character deltas, a tool call every 50 events, numbered lines. */
function hourOfOutput(events: number): Recording {
  const entries: Recording["entries"] = [];
  for (let i = 1; i <= events; i++) {
    const t = Math.floor((i * HOUR_MS) / events);
    const event =
      i % 50 === 0
        ? { type: "tool_activity", data: "Shell" }
        : { type: "text_delta", data: `line ${i} of the agent's long hour of output ${i % 10 === 0 ? "\n" : ""}` };
    entries.push({ t, event } as Recording["entries"][number]);
  }
  return {
    header: { ductorRecording: 1, recordedAt: new Date(0).toISOString(), source: "synthetic", provider: "claude", model: "opus" },
    entries,
  } as Recording;
}

describe(`long run: ${EVENTS.toLocaleString("en-US")} events through the dashboard at speed 0`, () => {
  let browser: Browser;
  let mock: MockServer;
  let dash: Awaited<ReturnType<typeof startDashboardServer>>;
  beforeAll(async () => {
    mock = await startMockServer({ recording: hourOfOutput(EVENTS), speed: 0, autoplay: "manual", heartbeatMs: 0, sentLimit: 1_000 });
    dash = await startDashboardServer({ ductor: mock.url, siteDir, token: mock.token });
    browser = await chromium.launch({
      executablePath: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await dash?.close();
    await mock?.close();
  });

  it("heap and DOM stay flat (the scrollback bound holds) and the newest output is on screen", { timeout: 600_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    await page.goto(`${dash.url}#/stream&token=${encodeURIComponent(mock.token)}`.replace("#/stream&", "#"));
    await until(() => mock.streamClients() === 1, "the dashboard's stream to connect", 15_000);

    const measure = async () => {
      await cdp.send("HeapProfiler.collectGarbage");
      const { usedSize } = await cdp.send("Runtime.getHeapUsage");
      const { nodes } = await cdp.send("Memory.getDOMCounters");
      const chars = await page.evaluate(() =>
        Array.from(document.querySelectorAll(".sr-chunk, .sr-md"), (n) => n.textContent?.length ?? 0).reduce((a, b) => a + b, 0),
      );
      return { heap: usedSize, nodes, chars };
    };
    const lastLine = `line ${EVENTS - 1} of`;
    const started = Date.now();
    mock.replay.start();
    // The first checkpoint: once the scrollback is full (about 2M characters on screen), whatever line that is. A
    // line number would do only if the page drew every line, but at speed 0 the relay may drop a page that falls
    // 8 MiB behind, and its in-memory ring (the library default) may have pruned what the page then asks for.
    const renderedChars = () =>
      page.evaluate(() =>
        Array.from(document.querySelectorAll(".sr-chunk, .sr-md"), (n) => n.textContent?.length ?? 0).reduce((a, b) => a + b, 0),
      );
    const full = Date.now() + 600_000;
    while ((await renderedChars()) < 1_900_000) {
      if (Date.now() > full) throw new Error("the scrollback never filled");
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const atQuarter = await measure();
    await mock.replay.done;
    await page.waitForFunction((text) => document.body.textContent?.includes(text) ?? false, lastLine, { timeout: 600_000, polling: 500 });
    const atEnd = await measure();
    const elapsed = Date.now() - started;
    recordFigure("long run: heap after GC at 1/4 → end (MB)", Math.round((atEnd.heap / 1048576) * 10) / 10, {
      events: EVENTS,
      heapAtQuarterMB: Math.round((atQuarter.heap / 1048576) * 10) / 10,
      domNodesAtQuarter: atQuarter.nodes,
      domNodesAtEnd: atEnd.nodes,
      renderedCharsAtEnd: atEnd.chars,
      elapsedMs: elapsed,
    });

    expect(errors).toEqual([]);
    // The scrollback bound (2,000,000 characters by default) holds, so the DOM and heap do not grow with N.
    expect(atEnd.chars).toBeLessThanOrEqual(2_000_000 + 16_384);
    expect(atEnd.nodes).toBeLessThan(atQuarter.nodes * 1.5 + 500);
    expect(atEnd.heap).toBeLessThan(atQuarter.heap * 1.5 + 8 * 1048576);
    await context.close();
  });
});
