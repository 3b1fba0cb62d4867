import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startMockServer, type MockServer, type MockServerOptions } from "@ductor/mock-server";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { startDashboardServer, type DashboardServer } from "@ductor/dashboard-server";

const pkgDir = fileURLToPath(new URL("..", import.meta.url));
const siteDir = `${pkgDir}/test-output/site`;
export const harnessDir = `${pkgDir}/test-output/harness`;
const outDir = `${pkgDir}/test-output`;

export const HOSTILE = ["<img src=x onerror=window.__pwned=1>", "</pre><script>window.__pwned=1</script>"] as const;

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
}

export interface Stack {
  mock: MockServer;
  dash: DashboardServer;
  close(): Promise<void>;
}

/**
 * The mock ductor behind the dashboard server. By default the server is a plain same-origin proxy (the page
 * speaks to ductor itself, as with a statically hosted dashboard); `relay: true` makes it the recording relay.
 */
export async function startStack(
  mockOptions: MockServerOptions = {},
  site: "site" | "harness" = "site",
  { relay = false }: { relay?: boolean } = {},
): Promise<Stack> {
  const mock = await startMockServer({ heartbeatMs: 0, ...mockOptions });
  const dash = await startDashboardServer({
    ductor: mock.url,
    siteDir: site === "site" ? siteDir : harnessDir,
    token: mock.token,
    ...(relay ? {} : { relay: false as const }),
  });
  return {
    mock,
    dash,
    async close() {
      await dash.close();
      await mock.close();
    },
  };
}

/**
 * A page in a fresh browser context. `format`: how the stream draws text. Most tests check the exact characters
 * that arrived (history meets live, nothing lost), so they read the stream raw ("plain": the person's Raw toggle,
 * stored before the page loads); the markdown tests and the screenshots ask for "markdown", the default view.
 */
export async function newPage(
  browser: Browser,
  viewport = { width: 1280, height: 800 },
  colorScheme: "light" | "dark" = "light",
  { format = "plain" }: { format?: "plain" | "markdown" } = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport, colorScheme });
  if (format === "plain") await context.addInitScript(() => localStorage.setItem("ductor-dashboard.raw-stream", "1"));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  return { context, page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await page.screenshot({ path: `${outDir}/${name}.png` });
}

/** The text the stream renderer shows (text_delta chunks only). */
export function streamText(page: Page): Promise<string> {
  return page.evaluate(() => Array.from(document.querySelectorAll(".sr-chunk"), (n) => n.textContent ?? "").join(""));
}
