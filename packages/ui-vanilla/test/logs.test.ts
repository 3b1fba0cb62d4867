// The logs view's levels, level filter and ANSI colours, in Chromium against the real mock server.
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, newPage, screenshot, startStack, type Stack } from "./helpers.js";

const E = "\x1b";
const at = (s: number): string => `2026-04-21 12:00:${String(s).padStart(2, "0")}`;
/** The text a log shows: its SGR sequences removed (the only escapes in COLOURS). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what is removed
const shownText = (text: string): string => text.replace(/\x1b\[[0-9;]*m/g, "");

const COLOURS = `${[
  `${at(0)} [INFO] ductor_bot.main:main.py:10: [main] starting ${E}[1mductor 0.16.2${E}[22m ${E}[2m(dim)${E}[22m ${E}[3mitalic${E}[23m ${E}[4munderlined${E}[24m`,
  `${at(1)} [DEBUG] ductor_bot.cli.claude:claude.py:214: [main:api:123456789:3f0c9a4e] stream event type=result`,
  `${at(2)} [INFO] ductor_bot.cli.gemini:gemini.py:88: palette ${E}[31mred${E}[0m ${E}[32mgreen${E}[0m ${E}[33myellow${E}[0m ${E}[34mblue${E}[0m ${E}[35mmagenta${E}[0m ${E}[36mcyan${E}[0m ${E}[90mgrey${E}[0m ${E}[97;41m white on red ${E}[0m`,
  `${at(3)} [INFO] ductor_bot.cli.codex:codex.py:120: 256 colours: ${E}[38;5;208morange${E}[0m, 24-bit: ${E}[38;2;0;135;255mazure${E}[0m`,
  `${at(4)} [DEBUG] ductor_bot.bus.lock_pool:lock_pool.py:40: [main:msg:123456789] lock acquired key=tg:123456789`,
  `${at(5)} [WARNING] ductor_bot.bus.lock_pool:lock_pool.py:71: [main:msg:-1001234567890:42] Lock wait 3.00s for key=tg:-1001234567890:42`,
  `${at(6)} [INFO] ductor_bot.heartbeat:heartbeat.py:58: [main:hb] Heartbeat ok (agents=3, tasks=1)`,
  `${at(7)} [ERROR] ductor_bot.api.server:server.py:622: [main:api:123456789:3f0c9a4e] API dispatch error key=tg:123456789`,
  "Traceback (most recent call last):",
  '  File "/opt/ductor/ductor_bot/api/server.py", line 612, in _execute_streaming',
  "    result = await self._handle_message(key, text, callbacks=callbacks)",
  `RuntimeError: ${E}[1;31mboom${E}[0m`,
  `${at(8)} [INFO] ductor_bot.session.manager:manager.py:142: [main:msg:123456789] Session saved key=tg:123456789 provider=claude messages=6`,
  `${at(9)} [CRITICAL] ductor_bot.main:main.py:99: shutting down: ${E}[1mout of memory${E}[22m`,
  `${at(10)} [WARNING] ductor_bot.cli.codex:codex.py:402: [main:api:123456789] Codex stream ended without final message`,
  `${at(11)} [INFO] ductor_bot.api.server:server.py:1021: Dashboard WebSocket connected from 100.101.41.204`,
].join("\n")}\n`;
const COLOUR_LINES = shownText(COLOURS).split("\n");
/** The shown text of lines [from, to) of COLOURS. */
const linesOf = (...ranges: [number, number][]): string => ranges.map(([a, b]) => `${COLOUR_LINES.slice(a, b).join("\n")}\n`).join("");

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const logText = (page: Page) => page.locator("pre.log-text").textContent();

async function openFile(page: Page, stack: Stack, file: string): Promise<void> {
  await page.goto(`${stack.dash.url}#/logs&token=${stack.mock.token}`);
  await page.click(`button.file[data-name="${file}"]`, { timeout: 15_000 });
}

/** `expr` (e.g. `var(--bad)`) as the page computes it inside the dashboard. */
function resolved(page: Page, expr: string): Promise<string> {
  return page.evaluate((value) => {
    const probe = document.createElement("span");
    probe.style.color = value;
    document.querySelector(".ductor-dashboard")!.append(probe);
    const color = getComputedStyle(probe).color;
    probe.remove();
    return color;
  }, expr);
}

/** Computed style of the first element in the log matching `selector` (optionally containing `text`). */
function styleOf(page: Page, selector: string, text?: string) {
  return page.evaluate(
    ([sel, txt]) => {
      const el = Array.from(document.querySelectorAll<HTMLElement>(`pre.log-text ${sel}`)).find((e) => !txt || e.textContent === txt);
      if (!el) return null;
      const s = getComputedStyle(el);
      return {
        color: s.color,
        background: s.backgroundColor,
        weight: s.fontWeight,
        fontStyle: s.fontStyle,
        decoration: s.textDecorationLine,
        opacity: s.opacity,
      };
    },
    [selector, text ?? ""] as const,
  );
}

describe("log levels and ANSI colours", () => {
  let dir: string;
  let stack: Stack;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "dd-logs-colours-"));
    mkdirSync(join(dir, "logs"));
    writeFileSync(join(dir, "logs", "colours.log"), COLOURS);
    writeFileSync(join(dir, "logs", "follow.log"), `${at(0)} [INFO] a.b:c.py:1: first\n`);
    stack = await startStack({ data: dir });
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const scheme of ["light", "dark"] as const) {
    it(`colours are shown (${scheme}): entry levels and ANSI escapes, the text without escapes`, async () => {
      const { page, context, errors } = await newPage(browser, { width: 1280, height: 800 }, scheme);
      await openFile(page, stack, "colours.log");
      await expect.poll(() => logText(page)).toBe(shownText(COLOURS));
      // Each entry, its traceback included, in its level's theme colour.
      expect((await styleOf(page, ".log-error"))!.color).toBe(await resolved(page, "var(--bad)"));
      expect(await page.locator("pre.log-text .log-error").textContent()).toBe(linesOf([7, 12]));
      expect((await styleOf(page, ".log-warning"))!.color).toBe(await resolved(page, "var(--warn)"));
      expect((await styleOf(page, ".log-debug"))!.color).toBe(await resolved(page, "var(--muted)"));
      expect((await styleOf(page, ".log-critical"))!.color).toBe(await resolved(page, "var(--bad)"));
      expect((await styleOf(page, ".log-info"))!.color).toBe(await resolved(page, "var(--term-text)"));
      // The 16 colours follow the theme; 256 and 24-bit colours are exact.
      expect((await styleOf(page, ".ansi-fg-1", "red"))!.color).toBe(await resolved(page, "var(--ansi-1)"));
      expect((await styleOf(page, ".ansi-fg-6", "cyan"))!.color).toBe(await resolved(page, "var(--ansi-6)"));
      const whiteOnRed = (await styleOf(page, ".ansi-bg-1", " white on red "))!;
      // On a background (the same mid-tones in both themes), white is white.
      expect([whiteOnRed.color, whiteOnRed.background]).toEqual(["rgb(255, 255, 255)", "rgb(192, 38, 45)"]);
      expect((await styleOf(page, "span", "orange"))!.color).toBe("rgb(255, 135, 0)");
      expect((await styleOf(page, "span", "azure"))!.color).toBe("rgb(0, 135, 255)");
      expect((await styleOf(page, ".ansi-bold", "ductor 0.16.2"))!.weight).toBe("700");
      expect(Number((await styleOf(page, ".ansi-dim", "(dim)"))!.opacity)).toBeLessThan(1);
      expect((await styleOf(page, ".ansi-italic", "italic"))!.fontStyle).toBe("italic");
      expect((await styleOf(page, ".ansi-underline", "underlined"))!.decoration).toBe("underline");
      // A span in the traceback keeps its colour inside the red entry.
      expect((await styleOf(page, ".log-error .ansi-fg-1", "boom"))!.weight).toBe("700");
      await screenshot(page, `logs-colours-${scheme}`);
      expect(errors).toEqual([]); // exact colours are set through CSSOM, which the site's CSP allows
      await context.close();
    });
  }

  it("the 16 colours differ between the light and the dark theme", async () => {
    const colours: string[] = [];
    for (const scheme of ["light", "dark"] as const) {
      const { page, context } = await newPage(browser, { width: 1280, height: 800 }, scheme);
      await openFile(page, stack, "colours.log");
      await expect.poll(() => logText(page)).toBe(shownText(COLOURS));
      colours.push((await styleOf(page, ".ansi-fg-1", "red"))!.color, (await styleOf(page, ".log-error"))!.color);
      await context.close();
    }
    expect(colours[0]).not.toBe(colours[2]);
    expect(colours[1]).not.toBe(colours[3]);
  });

  it("the level filter hides and shows entries with their tracebacks, and find searches what is shown", async () => {
    const { page, context } = await newPage(browser);
    await openFile(page, stack, "colours.log");
    await expect.poll(() => logText(page)).toBe(shownText(COLOURS));
    expect(await page.locator(".log-shown").isHidden()).toBe(true);

    await page.selectOption(".log-level", "error");
    await expect.poll(() => logText(page)).toBe(linesOf([7, 12], [13, 14]));
    expect(await page.locator(".log-shown").textContent()).toBe("2 of 12 entries");

    // Find: a traceback line is found with its entry; an INFO message is not shown, so not found.
    await page.fill(".view-logs .find-input", "_execute_streaming");
    await expect.poll(() => page.locator(".view-logs .find-count").textContent()).toBe("1 of 1");
    await page.fill(".view-logs .find-input", "Heartbeat ok");
    await expect.poll(() => page.locator(".view-logs .find-count").textContent()).toBe("no matches");
    await page.selectOption(".log-level", "info");
    await expect.poll(() => page.locator(".view-logs .find-count").textContent()).toBe("1 of 1");
    expect(await logText(page)).toBe(linesOf([0, 1], [2, 4], [5, 16]));
    expect(await page.locator(".log-shown").textContent()).toBe("10 of 12 entries");

    await page.selectOption(".log-level", "warning");
    await expect.poll(() => logText(page)).toBe(linesOf([5, 6], [7, 12], [13, 15]));
    await expect.poll(() => page.locator(".view-logs .find-count").textContent()).toBe("no matches");

    await page.selectOption(".log-level", "all");
    await expect.poll(() => logText(page)).toBe(shownText(COLOURS));
    await expect.poll(() => page.locator(".view-logs .find-count").textContent()).toBe("1 of 1");
    expect(await page.locator(".log-shown").isHidden()).toBe(true);
    await context.close();
  });

  it("the filter works while following: appended tracebacks join their entry, a line finished later is parsed again", async () => {
    const file = join(dir, "logs", "follow.log");
    const { page, context } = await newPage(browser);
    await openFile(page, stack, "follow.log");
    await expect.poll(() => logText(page)).toContain("first");
    await page.selectOption(".log-level", "error");
    await expect.poll(() => logText(page)).toBe("");
    await page.click(".view-logs .viewer button[aria-pressed]");

    appendFileSync(file, `${at(1)} [INFO] a.b:c.py:2: info\n${at(2)} [ERROR] a.b:c.py:3: failed\n`);
    await expect.poll(() => logText(page), { timeout: 10_000 }).toBe(`${at(2)} [ERROR] a.b:c.py:3: failed\n`);
    // The traceback comes in a later poll: it still belongs to the ERROR entry.
    appendFileSync(file, "Traceback (most recent call last):\nValueError: late\n");
    await expect
      .poll(() => logText(page), { timeout: 10_000 })
      .toBe(`${at(2)} [ERROR] a.b:c.py:3: failed\nTraceback (most recent call last):\nValueError: late\n`);
    // A line cut before its level looks like more traceback until the rest of it comes, then is parsed again.
    appendFileSync(file, `${at(3)} [IN`);
    await expect.poll(() => logText(page), { timeout: 10_000 }).toContain(`ValueError: late\n${at(3)} [IN`);
    appendFileSync(file, "FO] a.b:c.py:4: info again\n");
    await expect.poll(() => logText(page), { timeout: 10_000 }).not.toContain(at(3));
    appendFileSync(file, `${at(4)} [CRITICAL] a.b:c.py:5: down\n`);
    await expect.poll(() => logText(page), { timeout: 10_000 }).toContain("down");
    expect(await logText(page)).toBe(
      `${at(2)} [ERROR] a.b:c.py:3: failed\nTraceback (most recent call last):\nValueError: late\n${at(4)} [CRITICAL] a.b:c.py:5: down\n`,
    );
    expect(await page.locator(".log-shown").textContent()).toBe("2 of 5 entries");

    await page.selectOption(".log-level", "all");
    await expect
      .poll(() => logText(page))
      .toBe(
        `${at(0)} [INFO] a.b:c.py:1: first\n${at(1)} [INFO] a.b:c.py:2: info\n${at(2)} [ERROR] a.b:c.py:3: failed\nTraceback (most recent call last):\nValueError: late\n${at(3)} [INFO] a.b:c.py:4: info again\n${at(4)} [CRITICAL] a.b:c.py:5: down\n`,
      );
    expect((await page.locator("pre.log-text .log-info").allTextContents()).join("")).toBe(
      `${at(0)} [INFO] a.b:c.py:1: first\n${at(1)} [INFO] a.b:c.py:2: info\n${at(3)} [INFO] a.b:c.py:4: info again\n`,
    );
    await context.close();
  }, 60_000); // one 2 s follow poll per step, on a loaded machine
});

describe("the mock server's bundled logs", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ recording: "coding-session", speed: 0 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("service.err's ANSI red and agent.log's traceback are shown with their levels", async () => {
    const { page, context } = await newPage(browser);
    await openFile(page, stack, "service.err");
    await expect.poll(() => page.locator("pre.log-text .log-error .ansi-fg-1").textContent()).toBe("Error:");
    expect(await logText(page)).not.toContain(E);
    await page.selectOption(".log-level", "error");
    await expect
      .poll(() => logText(page))
      .toBe(
        "09:14:55 ERROR    ductor_bot.cli.gemini: gemini CLI wrote to stderr: Error: quota exceeded\n09:14:55 ERROR    ductor_bot.tasks.hub: Task d00df00d failed: CLI exited with code 1\n",
      );
    // The filter stays when another file is opened: agent.log's only ERROR entry, with its traceback.
    await page.click(`button.file[data-name="agent.log"]`);
    await expect
      .poll(() => logText(page))
      .toMatch(/^2026-04-21 11:18:40 \[ERROR\] [^\n]*API dispatch error[\s\S]*Traceback[\s\S]*session 3f0c9a4e not found\n$/);
    await context.close();
  });
});

describe("hostile log lines", () => {
  let dir: string;
  let stack: Stack;
  const HOSTILE = `${[
    `${at(0)} [INFO] x.y:z.py:1: <img src=x onerror=window.__pwned=1>`,
    `${at(1)} [ERROR] x.y:z.py:2: ${E}]8;;javascript:window.__pwned=2${E}\\link${E}]8;;${E}\\ and ${E}]8;;javascript:window.__pwned=3\x07bel link${E}]8;;\x07`,
    `</pre><script>window.__pwned=4</script>${E}[31m<a href="javascript:window.__pwned=5">red a</a>${E}[0m`,
    `${at(2)} [WARNING] x.y:z.py:3: ${E}[38;2;999;...m not a colour ${E}[38;2;999;0;0m nor this ${E}[?25l${E}[2K${E}(B ok`,
    `${at(3)} [INFO] x.y:z.py:4: ${E}[38;2;1;2;3;"onmouseover=window.__pwned=6 m quoted ${E}[38;5;9999m ${E}]8;;javascript:x`,
    `${at(4)} [INFO] x.y:z.py:5: cut ${E}[3`,
  ].join("\n")}\n`;
  const EXPECTED = `${[
    `${at(0)} [INFO] x.y:z.py:1: <img src=x onerror=window.__pwned=1>`,
    `${at(1)} [ERROR] x.y:z.py:2: link and bel link`,
    `</pre><script>window.__pwned=4</script><a href="javascript:window.__pwned=5">red a</a>`,
    `${at(2)} [WARNING] x.y:z.py:3:  not a colour  nor this  ok`,
    `${at(3)} [INFO] x.y:z.py:4: nmouseover=window.__pwned=6 m quoted  `,
    `${at(4)} [INFO] x.y:z.py:5: cut `,
  ].join("\n")}\n`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "dd-logs-hostile-"));
    mkdirSync(join(dir, "logs"));
    writeFileSync(join(dir, "logs", "hostile.log"), HOSTILE);
    stack = await startStack({ data: dir });
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("render as inert text: no element, no on* attribute, no javascript: URL, escapes dropped", async () => {
    const { page, context, errors } = await newPage(browser);
    await openFile(page, stack, "hostile.log");
    await expect.poll(() => logText(page)).toBe(EXPECTED);
    for (const filter of ["all", "error"]) {
      await page.selectOption(".log-level", filter);
      const found = await page.evaluate(() => {
        const all = Array.from(document.querySelectorAll("*"));
        return {
          pwned: (window as unknown as { __pwned?: unknown }).__pwned ?? null,
          injected: document.querySelectorAll("img, iframe, object, embed, a[href^='javascript' i], pre.log-text a, pre.log-text script")
            .length,
          inlineScripts: Array.from(document.scripts).filter((s) => !s.src).length,
          onAttrs: all.flatMap((el) => Array.from(el.attributes, (a) => a.name)).filter((n) => /^on/i.test(n)),
          jsUrls: all.flatMap((el) => Array.from(el.attributes, (a) => a.value)).filter((v) => /javascript:/i.test(v)),
          // Inside the log: only spans, with a class and (for exact colours) a CSSOM colour, nothing else.
          logTags: [...new Set(Array.from(document.querySelectorAll("pre.log-text *"), (el) => el.tagName))],
          logAttrs: [
            ...new Set(Array.from(document.querySelectorAll("pre.log-text *")).flatMap((el) => Array.from(el.attributes, (a) => a.name))),
          ],
        };
      });
      expect(found).toEqual({
        pwned: null,
        injected: 0,
        inlineScripts: 0,
        onAttrs: [],
        jsUrls: [],
        logTags: ["SPAN"],
        logAttrs: ["class"],
      });
    }
    expect(await logText(page)).toBe(EXPECTED.split("\n").slice(1, 3).join("\n").concat("\n"));
    expect(errors).toEqual([]);
    await context.close();
  });
});
