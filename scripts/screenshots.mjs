#!/usr/bin/env node
// The README's pictures, made from the demo so they stay current: the mock ductor replays the bundled
// "coding-session" recording through the relay, and headless Chromium photographs the live stream at desktop
// width (light) and phone width (dark); then the fleet overview (several mock ductors behind one dashboard) and
// the recording player (the site's bundled recording, no server asked), desktop and phone. Every page is checked
// for sideways overflow at 390 and 320 px, light and dark. Run with `npm run screenshots` (builds first); writes
// docs/images/*.png. `node scripts/screenshots.mjs fleet recording` makes only those (names: stream, fleet, recording).
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startDashboardServer } from "../packages/server/dist/index.js";
import { startMockServer } from "../packages/mock-server/dist/index.js";

const outDir = fileURLToPath(new URL("../docs/images/", import.meta.url));
const asked = process.argv.slice(2);
const wanted = (name) => asked.length === 0 || asked.includes(name);
mkdirSync(outDir, { recursive: true });

/** Phones: the saved picture's size, then 320 px in both schemes, checked only. */
const phoneChecks = [
  { viewport: { width: 390, height: 844 }, colorScheme: "light" },
  { viewport: { width: 320, height: 640 }, colorScheme: "light" },
  { viewport: { width: 320, height: 640 }, colorScheme: "dark" },
];

const shots = [
  { file: "dashboard-desktop.png", viewport: { width: 1280, height: 800 }, colorScheme: "light" },
  { file: "dashboard-phone.png", viewport: { width: 390, height: 844 }, colorScheme: "dark", deviceScaleFactor: 2 },
];

// Fast enough to be quick, slow enough that the activity line shows work in progress when the picture is taken.
const mock = await startMockServer({ recording: "coding-session", speed: 4, shiftTimes: true, autoplay: "immediate" });
const dash = await startDashboardServer({ ductor: mock.url, token: mock.token });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
});
try {
  if (wanted("stream")) await streamShots();
  if (wanted("fleet")) await fleetShots();
  if (wanted("recording")) await recordingShots();
} finally {
  await browser.close();
  await dash.close();
  await mock.close();
}

/** The live stream, desktop light and phone dark. */
async function streamShots() {
  // Let the relay record most of the session first: each page then opens on its history, as a person would.
  const enough = Date.now() + 20_000;
  while (Date.now() < enough) {
    const res = await fetch(`${dash.url}dashboard/history?limit=1`, { headers: { authorization: `Bearer ${mock.token}` } });
    const { head } = await res.json();
    if (head >= 120) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await eachShot(shots, null, async (page) => {
    await page.goto(`${dash.url}#/stream&token=${encodeURIComponent(mock.token)}`);
    await page.waitForSelector(".badge[data-state=open]");
    await page.waitForFunction(() => (document.querySelector(".view-stream .sr-content")?.textContent?.length ?? 0) > 2_000);
    await page.waitForTimeout(500); // a frame or two for the last output and the scroll to the bottom
  });
}

/**
 * Each shot in a fresh browser context of its size and colour scheme: `prepare` (the context's init scripts), `show`
 * (goes to the page, waits until it is ready), then with `what` the overflow check, and the PNG when it has a file.
 */
async function eachShot(shots, what, show, prepare = async () => {}) {
  for (const shot of shots) {
    const context = await browser.newContext({
      viewport: shot.viewport,
      colorScheme: shot.colorScheme,
      deviceScaleFactor: shot.deviceScaleFactor ?? 1,
    });
    await prepare(context);
    const page = await context.newPage();
    await show(page);
    if (what) await assertNoOverflow(page, `${what} ${shot.viewport.width} px ${shot.colorScheme}`);
    if (shot.file) {
      await page.screenshot({ path: `${outDir}${shot.file}` });
      console.log(`wrote docs/images/${shot.file}`);
    }
    await context.close();
  }
}

/** Fails the run when the page is wider than its viewport (a phone would scroll sideways). */
async function assertNoOverflow(page, what) {
  const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (over > 0) throw new Error(`${what}: ${over} px wider than the viewport`);
}

/**
 * Four ductors behind one dashboard: two at work (replaying recordings), one whose ductor stopped (its card says
 * unreachable), and one this browser holds no token for (its card asks for one).
 */
async function fleetShots() {
  const home = await startMockServer({ recording: "coding-session", speed: 6, shiftTimes: true, autoplay: "immediate" });
  const work = await startMockServer({ recording: "long-output", speed: 1, loop: true, shiftTimes: true, autoplay: "immediate" });
  const lab = await startMockServer({});
  const ci = await startMockServer({});
  const mocks = { home, work, lab, ci };
  const fleet = await startDashboardServer({
    ductors: Object.entries(mocks).map(([name, m]) => ({ name, url: m.url, token: m.token })),
  });
  try {
    await until(async () => lab.streamClients() === 1, "the relay's link to lab");
    await lab.close(); // lab's ductor stops: its relay records that it cannot reach it
    await until(async () => {
      const res = await fetch(`${fleet.url}s/home/dashboard/history?limit=1`, { headers: { authorization: `Bearer ${home.token}` } });
      return (await res.json()).head >= 14;
    }, "home's history");
    // This browser signed in to three of the four (per-ductor tokens, as the cards' forms keep them).
    const tokens = { home: home.token, work: work.token, lab: lab.token };
    const shots = [
      { file: "fleet-desktop.png", viewport: { width: 1280, height: 800 }, colorScheme: "light" },
      { file: "fleet-phone.png", viewport: { width: 390, height: 844 }, colorScheme: "dark", deviceScaleFactor: 2 },
      ...phoneChecks,
    ];
    await eachShot(
      shots,
      "fleet",
      async (page) => {
        await page.goto(fleet.url);
        await page.waitForSelector('.fleet-card[data-server="home"][data-link="live"]');
        await page.waitForSelector('.fleet-card[data-server="work"][data-link="live"]');
        await page.waitForSelector('.fleet-card[data-server="lab"][data-link="unreachable"]');
        await page.waitForFunction(() => document.querySelector('.fleet-card[data-server="work"] .fleet-last-line[data-empty="false"]'));
        await page.waitForTimeout(1_500); // a tick for the activity lines and the cost
      },
      (context) =>
        context.addInitScript((held) => {
          localStorage.setItem("ductor-dashboard.fleet", "1");
          for (const [name, token] of Object.entries(held)) sessionStorage.setItem(`ductor-dashboard.token@${name}`, token);
        }, tokens),
    );
  } finally {
    await fleet.close();
    for (const m of [home, work, ci]) await m.close();
  }
}

/** The recording player on the site with no server: the bundled demo recording, paused a third of the way in. */
async function recordingShots() {
  const shots = [
    { file: "recording-desktop.png", viewport: { width: 1280, height: 800 }, colorScheme: "light" },
    { file: "recording-phone.png", viewport: { width: 390, height: 844 }, colorScheme: "dark", deviceScaleFactor: 2 },
    ...phoneChecks,
  ];
  await eachShot(shots, "recording", async (page) => {
    await page.goto(`${dash.url}#recording=demo/coding-session.jsonl`);
    await page.locator(".recording-player").waitFor();
    const total = Number(await page.locator(".rp-scrub").getAttribute("max"));
    await page.locator(".rp-scrub").evaluate(
      (el, at) => {
        el.value = String(at);
        el.dispatchEvent(new Event("input", { bubbles: true }));
      },
      Math.round(total / 3),
    );
    await page.waitForFunction(() => /^paused/.test(document.querySelector(".rp-progress")?.textContent ?? ""));
    await page.waitForTimeout(300); // a frame or two for the redraw
  });
}

/** Waits for `check` to hold (30 s at most), polling. */
async function until(check, what) {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
