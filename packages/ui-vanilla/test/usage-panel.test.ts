/**
 * The Usage panel (Sessions & tasks) in real Chromium, behind the real relay with a real SQLite history seeded with
 * a known series of sessions.json snapshots, in front of the real mock ductor: the "today" and "last hour"
 * figures and the charts' data equal the series' sums, the canvases are drawn in our colours, hostile session keys
 * stay text, the phone width in dark mode fits; and without a relay the panel says what it needs.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDashboardServer, type DashboardServer } from "@ductor/dashboard-server";
import { startMockServer, type MockServer } from "@ductor/mock-server";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteStore, type SqliteStore } from "../../server/src/history/sqlite-store.js";
import { HOSTILE, launch, newPage, screenshot, startStack, type Stack } from "./helpers.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const KEY = HOSTILE[0]; // a session key that would run script if it ever became markup

type Totals = Record<string, Record<string, [sessionId: string, cost: number, tokens: number]>>;
const sessionsBody = (sessions: Totals): string =>
  JSON.stringify(
    Object.fromEntries(
      Object.entries(sessions).map(([key, ps]) => [
        key,
        {
          transport: "tg",
          chat_id: 1,
          topic_id: null,
          topic_name: null,
          provider: "claude",
          model: "opus",
          created_at: "2026-04-21T09:12:44.801233+00:00",
          last_active: "2026-04-21T10:03:17.120977+00:00",
          provider_sessions: Object.fromEntries(
            Object.entries(ps).map(([p, [session_id, total_cost_usd, total_tokens]]) => [
              p,
              { session_id, message_count: 1, total_cost_usd, total_tokens },
            ]),
          ),
        },
      ]),
    ),
  );

const T = Date.now();
/** The recorded series: totals at known times (the first is the baseline, spent before the relay saw it). */
const SERIES: Array<[at: number, sessions: Totals]> = [
  [T - 5 * DAY, { "tg:1": { claude: ["a", 1, 1_000] } }],
  [T - 3 * DAY, { "tg:1": { claude: ["a", 1.5, 1_500] } }],
  [T - 20 * HOUR, { "tg:1": { claude: ["a", 1.5, 1_500] }, "tg:2": { codex: ["c", 0.25, 4_000] } }],
  [T - 10 * MIN, { "tg:1": { claude: ["a", 1.62, 3_500] }, "tg:2": { codex: ["c", 0.25, 4_000] }, [KEY]: { claude: ["h", 0.3, 700] } }],
];
/** What those snapshots mean: the increases. */
const SAMPLES = [
  { at: T - 3 * DAY, session: "tg:1", cost: 0.5, tokens: 500 },
  { at: T - 20 * HOUR, session: "tg:2", cost: 0.25, tokens: 4_000 },
  { at: T - 10 * MIN, session: "tg:1", cost: 0.12, tokens: 2_000 },
  { at: T - 10 * MIN, session: KEY, cost: 0.3, tokens: 700 },
];

const localDay = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};
const midnight = (ms: number): number => new Date(new Date(ms).setHours(0, 0, 0, 0)).getTime();
const usd = (n: number): string => `$${n.toFixed(2)}`;

let browser: Browser;
let mock: MockServer;
let dash: DashboardServer;
let store: SqliteStore;
let tmp: string;

beforeAll(async () => {
  browser = await launch();
  tmp = mkdtempSync(join(tmpdir(), "dd-usage-ui-"));
  const data = join(tmp, "data");
  mkdirSync(data);
  // ductor's sessions.json now: the series' last totals (so the relay's own first snapshot adds nothing).
  writeFileSync(join(data, "sessions.json"), sessionsBody(SERIES.at(-1)![1]));
  store = openSqliteStore(join(tmp, "history.sqlite"));
  for (const [at, sessions] of SERIES) store.snapshot("/dashboard/sessions", sessionsBody(sessions), at);
  mock = await startMockServer({ data, heartbeatMs: 0 });
  dash = await startDashboardServer({ ductor: mock.url, siteDir: siteDirOf(), token: mock.token, historyStore: store });
});
afterAll(async () => {
  await browser?.close();
  await dash?.close();
  await mock?.close();
  store?.close();
  rmSync(tmp, { recursive: true, force: true });
});

function siteDirOf(): string {
  return new URL("../test-output/site", import.meta.url).pathname;
}

async function openSessions(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}#/sessions&token=${encodeURIComponent(token)}`);
  await page.waitForSelector(".usage-panel");
}

/** Pixels of the canvas in `selector` that are exactly the colour of the CSS variable `name`. */
function pixelsOf(page: Page, selector: string, name: string): Promise<number> {
  return page.evaluate(
    ([sel, varName]) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`${sel} canvas`);
      if (!canvas || canvas.width === 0) return 0;
      const probe = document.createElement("span");
      probe.style.color = getComputedStyle(canvas)
        .getPropertyValue(varName as string)
        .trim();
      canvas.closest(".ductor-dashboard")!.append(probe);
      const [r, g, b] = (getComputedStyle(probe).color.match(/\d+/g) ?? []).map(Number);
      probe.remove();
      const px = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i] === r && px[i + 1] === g && px[i + 2] === b && px[i + 3] === 255) n++;
      return n;
    },
    [selector, name] as const,
  );
}

describe("the Usage panel behind a relay", () => {
  it("today, last hour, per day and per session equal the recorded series' sums; drawn on canvas; keys stay text", async () => {
    const { page, context, errors } = await newPage(browser);
    await openSessions(page, dash.url, mock.token);
    const now = Date.now();
    const today = SAMPLES.filter((s) => s.at >= midnight(now)).reduce((n, s) => n + s.cost, 0);
    await expect.poll(() => page.locator('[data-usage="today"]').textContent()).toBe(usd(today));
    expect(await page.locator('[data-usage="hour"]').textContent()).toBe(usd(0.42));
    expect(await page.locator(".usage-summary").innerText()).toMatch(/^Spent today \$\d+\.\d\d · last hour \$0\.42/);
    // Something was spent today (unless the run is just after midnight): no note about what $0 counts.
    expect(await page.locator(".usage-scope").isVisible()).toBe(today === 0);

    // The bars' data: 14 local days, each the sum of that day's samples.
    const rows = await page.$$eval("[data-usage-table=days] tr", (trs) =>
      trs.map((tr) => [tr.getAttribute("data-day") ?? "", Number(tr.getAttribute("data-value"))] as const),
    );
    expect(rows).toHaveLength(14);
    expect(rows.at(-1)![0]).toBe(localDay(now));
    const expectedDays = new Map<string, number>();
    for (const s of SAMPLES) expectedDays.set(localDay(s.at), (expectedDays.get(localDay(s.at)) ?? 0) + s.cost);
    for (const [day, value] of rows) expect(value, day).toBeCloseTo(expectedDays.get(day) ?? 0, 9);
    expect(rows.reduce((n, [, v]) => n + v, 0)).toBeCloseTo(1.17, 9);

    // The 24-hour lines: one per session with spend in the window, most costly first, each ending at its sum.
    const legend = await page.$$eval(".usage-legend li", (lis) =>
      lis.map((li) => [li.querySelector(".usage-key")!.textContent, Number(li.getAttribute("data-value"))]),
    );
    expect(legend).toEqual([
      [KEY, 0.3],
      ["tg:2", 0.25],
      ["tg:1", 0.12],
    ]);
    expect(await page.locator(".usage-legend img").count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();

    // Both charts are canvases with our colours on them (the bars in --usage-1; a line in each of three colours).
    // uPlot is loaded on the first draw: on a loaded machine the canvases come a moment after the figures.
    await expect.poll(() => page.locator(".usage-plot canvas").count()).toBe(2);
    await expect.poll(() => pixelsOf(page, "[data-chart=days]", "--usage-1")).toBeGreaterThan(50);
    for (const v of ["--usage-1", "--usage-2", "--usage-3"])
      await expect.poll(() => pixelsOf(page, "[data-chart=sessions]", v)).toBeGreaterThan(5);

    // Tokens instead of cost: the same charts, other values.
    await page.click(".usage-toggle button:text-is('Tokens')");
    await expect.poll(() => page.locator("[data-usage-table=days] caption").textContent()).toBe("Tokens per day, last 14 days");
    const tokenRows = await page.$$eval("[data-usage-table=days] tr", (trs) => trs.map((tr) => Number(tr.getAttribute("data-value"))));
    expect(tokenRows.reduce((n, v) => n + v, 0)).toBe(500 + 4_000 + 2_000 + 700);
    expect(await page.$$eval(".usage-legend li", (lis) => lis.map((li) => Number(li.getAttribute("data-value"))))).toEqual([
      700, 4_000, 2_000,
    ]); // the lines keep their order and colours
    expect(await page.locator(".usage-toggle button[aria-pressed=true]").textContent()).toBe("Tokens");
    await page.locator(".usage-panel").scrollIntoViewIfNeeded();
    await screenshot(page, "usage-panel");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("at phone width in dark mode: fits the screen, drawn in the dark palette", async () => {
    for (const width of [320, 390]) {
      const { page, context, errors } = await newPage(browser, { width, height: 800 }, "dark");
      await openSessions(page, dash.url, mock.token);
      await expect.poll(() => page.locator(".usage-plot canvas").count()).toBe(2);
      await page.locator(".usage-panel").scrollIntoViewIfNeeded();
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `${width}px`).toBeLessThanOrEqual(width);
      const plot = await page.locator("[data-chart=days]").boundingBox();
      expect(plot!.x + plot!.width).toBeLessThanOrEqual(width);
      expect(
        await page.evaluate(() => getComputedStyle(document.querySelector(".usage-panel")!).getPropertyValue("--usage-1").trim()),
      ).toBe("#8da2ff");
      await expect.poll(() => pixelsOf(page, "[data-chart=days]", "--usage-1")).toBeGreaterThan(20);
      await screenshot(page, `usage-panel-${width}-dark`);
      expect(errors).toEqual([]);
      await context.close();
    }
  });
});

describe("the Usage panel without a relay", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(); // a plain same-origin proxy: no history, /dashboard/history/usage is 404
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("says that cost history needs the relay, shows nothing broken, and never asks plain ductor for it", async () => {
    const { page, context, errors } = await newPage(browser);
    const asked: string[] = [];
    page.on("request", (req) => {
      if (req.url().includes("/dashboard/history")) asked.push(req.url());
    });
    await openSessions(page, stack.dash.url, stack.mock.token);
    await expect.poll(() => page.locator(".usage-note").isVisible()).toBe(true);
    expect(await page.locator(".usage-note").innerText()).toMatch(/Cost history needs ductor-dashboard serve with the API token/);
    expect(await page.locator(".usage-body").isVisible()).toBe(false);
    expect(await page.locator(".usage-panel canvas").count()).toBe(0);
    expect(await page.locator(".usage-panel .banner-error").isVisible()).toBe(false);
    expect(asked).toEqual([]); // the stream's ping said "not a relay": no 404 in the console
    expect(errors).toEqual([]);
    await context.close();
  });
});

/** The y labels uPlot drew last on a chart (the canvas has no text: the plot keeps them in `data-y-labels`). */
const yLabels = (page: Page, chart: "days" | "sessions") => page.locator(`[data-chart=${chart}]`).getAttribute("data-y-labels");

describe("the Usage panel with small amounts", () => {
  let small: DashboardServer;
  let smallMock: MockServer;
  let smallStore: SqliteStore;
  let smallTmp: string;
  beforeAll(async () => {
    smallTmp = mkdtempSync(join(tmpdir(), "dd-usage-small-"));
    const data = join(smallTmp, "data");
    mkdirSync(data);
    const now = Date.now();
    // Within the last hour (so on one day, and in the 24-hour lines): +$0.50 and 1 token, then +$0.75 and 2 tokens.
    const series: Array<[number, Totals]> = [
      [now - 50 * MIN, { "tg:1": { claude: ["a", 1, 10] } }],
      [now - 40 * MIN, { "tg:1": { claude: ["a", 1.5, 11] } }],
      [now - 30 * MIN, { "tg:1": { claude: ["a", 2.25, 13] } }],
    ];
    writeFileSync(join(data, "sessions.json"), sessionsBody(series.at(-1)![1]));
    smallStore = openSqliteStore(join(smallTmp, "history.sqlite"));
    for (const [at, sessions] of series) smallStore.snapshot("/dashboard/sessions", sessionsBody(sessions), at);
    smallMock = await startMockServer({ data, heartbeatMs: 0 });
    small = await startDashboardServer({ ductor: smallMock.url, siteDir: siteDirOf(), token: smallMock.token, historyStore: smallStore });
  });
  afterAll(async () => {
    await small?.close();
    await smallMock?.close();
    smallStore?.close();
    rmSync(smallTmp, { recursive: true, force: true });
  });

  it("the tokens axis has whole, distinct ticks; the cost axis one number of decimals", async () => {
    const { page, context, errors } = await newPage(browser);
    await openSessions(page, small.url, smallMock.token);
    await expect.poll(() => page.locator('[data-usage="hour"]').textContent()).toBe("$1.25");
    const decimals = (labels: string[]) => new Set(labels.map((l) => /\.(\d+)/.exec(l)?.[1]?.length ?? 0));
    for (const chart of ["days", "sessions"] as const) {
      await expect.poll(() => yLabels(page, chart)).toMatch(/^\$/);
      const cost = (await yLabels(page, chart))!.split(" ");
      expect(new Set(cost).size, cost.join(" ")).toBe(cost.length);
      expect([...decimals(cost)], cost.join(" ")).toEqual([2]); // "$0.75" beside "$1.00", never "$1.0"
    }
    await page.click(".usage-toggle button:text-is('Tokens')");
    for (const chart of ["days", "sessions"] as const) {
      await expect.poll(() => yLabels(page, chart)).not.toMatch(/^\$/);
      const tokens = (await yLabels(page, chart))!.split(" ");
      // Whole and distinct (uPlot's own steps read "0, 0, 1, 1" here once rounded).
      expect(tokens.every((t) => /^\d+$/.test(t)) && new Set(tokens).size === tokens.length, tokens.join(" ")).toBe(true);
      if (chart === "sessions") expect(tokens).toEqual(["0", "1", "2", "3"]);
    }
    await page.locator(".usage-panel").scrollIntoViewIfNeeded();
    await screenshot(page, "usage-panel-small-tokens");
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe("the Usage panel behind a relay that has seen nothing spent", () => {
  let stack: Stack;
  beforeAll(async () => {
    // The demo's ductor: its sessions.json says a session cost $0.84 before this relay began recording.
    stack = await startStack({ data: fileURLToPath(new URL("../../mock-server/recordings/coding-session", import.meta.url)) }, "site", {
      relay: true,
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("says what $0 counts: spending seen while this relay was recording, since its oldest record", async () => {
    // Something recorded (the relay keeps no event of an idle ductor): its time is where the counting began.
    const oldestEvent = async (): Promise<number | undefined> => {
      const res = await fetch(new URL("dashboard/history?after=0&limit=1", stack.dash.url), {
        headers: { authorization: `Bearer ${stack.mock.token}` },
      });
      return ((await res.json()) as { events: Array<{ at: number }> }).events[0]?.at;
    };
    await expect
      .poll(
        async () => {
          stack.mock.broadcast({ type: "text_delta", data: "recorded\n" });
          return oldestEvent();
        },
        { timeout: 10_000 },
      )
      .toBeTypeOf("number");
    const oldest = await oldestEvent();
    for (const [viewport, scheme] of [
      [{ width: 1280, height: 800 }, "light"],
      [{ width: 390, height: 844 }, "dark"],
    ] as const) {
      const { page, context, errors } = await newPage(browser, viewport, scheme);
      await openSessions(page, stack.dash.url, stack.mock.token);
      await expect.poll(() => page.locator("table.sessions").innerText()).toContain("$0.84");
      await expect.poll(() => page.locator('[data-usage="today"]').textContent()).toBe("$0");
      // Since the relay's oldest event, as the page's clock writes it.
      const clock = await page.evaluate((at) => {
        const d = new Date(at);
        return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
      }, oldest!);
      await expect
        .poll(() => page.locator(".usage-scope").textContent())
        .toBe(
          `Counts spending seen while this relay was recording: since ${clock} today. A session's cost under Sessions above also counts what it spent before.`,
        );
      expect(await page.locator(".usage-scope").isVisible()).toBe(true);
      await page.locator(".usage-panel").scrollIntoViewIfNeeded();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      await screenshot(page, `usage-panel-nothing-spent-${viewport.width}-${scheme}`);
      expect(errors).toEqual([]);
      await context.close();
    }
  });
});
