#!/usr/bin/env node
// The README's pictures, made from the demo so they stay current: the mock ductor replays the bundled
// "coding-session" recording through the relay, and headless Chromium photographs the live stream at desktop
// width (light) and phone width (dark). Run with `npm run screenshots` (builds first); writes docs/images/*.png.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startDashboardServer } from "../packages/server/dist/index.js";
import { startMockServer } from "../packages/mock-server/dist/index.js";

const outDir = fileURLToPath(new URL("../docs/images/", import.meta.url));
mkdirSync(outDir, { recursive: true });

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
  // Let the relay record most of the session first: each page then opens on its history, as a person would.
  const enough = Date.now() + 20_000;
  while (Date.now() < enough) {
    const res = await fetch(`${dash.url}dashboard/history?limit=1`, { headers: { authorization: `Bearer ${mock.token}` } });
    const { head } = await res.json();
    if (head >= 120) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  for (const shot of shots) {
    const context = await browser.newContext({
      viewport: shot.viewport,
      colorScheme: shot.colorScheme,
      deviceScaleFactor: shot.deviceScaleFactor ?? 1,
    });
    const page = await context.newPage();
    await page.goto(`${dash.url}#/stream&token=${encodeURIComponent(mock.token)}`);
    await page.waitForSelector(".badge[data-state=open]");
    await page.waitForFunction(() => (document.querySelector(".view-stream .sr-content")?.textContent?.length ?? 0) > 2_000);
    await page.waitForTimeout(500); // a frame or two for the last output and the scroll to the bottom
    await page.screenshot({ path: `${outDir}${shot.file}` });
    console.log(`wrote docs/images/${shot.file}`);
    await context.close();
  }
} finally {
  await browser.close();
  await dash.close();
  await mock.close();
}
