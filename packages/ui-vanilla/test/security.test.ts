import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOSTILE, launch, newPage, screenshot, startStack, streamText, type Stack } from "./helpers.js";

const [H1, H2] = HOSTILE;
let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** Every place a script could have run or an element could have been injected. */
async function assertInert(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
  expect(await page.evaluate(() => document.querySelectorAll("img, iframe, object, embed").length)).toBe(0);
  expect(await page.evaluate(() => Array.from(document.scripts).filter((s) => !s.src).length)).toBe(0);
}

describe("hostile server data", () => {
  let dir: string;
  let stack: Stack;
  let page: Page;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "dd-hostile-"));
    mkdirSync(join(dir, "logs"));
    const t = "2026-04-21T10:03:17.120977+00:00";
    writeFileSync(
      join(dir, "sessions.json"),
      JSON.stringify({
        [H1]: {
          transport: H2,
          chat_id: 1,
          topic_id: null,
          topic_name: H1,
          provider: H2,
          model: H1,
          created_at: t,
          last_active: t,
          provider_sessions: { [H1]: { session_id: H2, message_count: 1, total_cost_usd: 0.5, total_tokens: 10 } },
        },
        [`tg:${H2}`]: {
          transport: "tg",
          chat_id: 2,
          topic_id: 3,
          topic_name: H2,
          provider: H1,
          model: H2,
          created_at: t,
          last_active: t,
          provider_sessions: {},
        },
      }),
    );
    const task = (status: string, name: string, preview: string) => ({
      task_id: "deadbeef",
      chat_id: 1,
      parent_agent: H1,
      name,
      prompt_preview: preview,
      provider: H1,
      model: H2,
      status,
      session_id: H2,
      created_at: 1776762012.5,
      completed_at: 0,
      elapsed_seconds: 0,
      error: H1,
      result_preview: H2,
      question_count: 0,
      num_turns: 0,
      last_question: H1,
      original_prompt: H2,
      thinking: H1,
      tasks_dir: H2,
      thread_id: null,
      priority: H1,
    });
    writeFileSync(join(dir, "tasks.json"), JSON.stringify([task("running", H1, H2), task(H1, H2, H1)]));
    writeFileSync(join(dir, "logs", H1), `${H1}\n${H2}\n`);
    writeFileSync(join(dir, "logs", "agent.log"), `2026-04-21 12:00:00 [INFO] x:y.py:1: ${H2}\n${H1}\n`);
    stack = await startStack({ data: dir, status: { provider: H1, model: H2 } });
    ({ page } = await newPage(browser));
    await page.goto(`${stack.dash.url}#token=${stack.mock.token}`);
    await page.waitForSelector(".badge[data-state=open]");
  });
  afterAll(async () => {
    await page?.context().close();
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stream events show hostile text literally and run nothing", async () => {
    stack.mock.broadcast({ type: "text_delta", data: `${H1}\n${H2}\n` });
    stack.mock.broadcast({ type: "tool_activity", data: H1 });
    stack.mock.broadcast({ type: "tool_activity", data: "" });
    stack.mock.broadcast({ type: "system_status", data: H2 });
    await expect.poll(() => streamText(page)).toBe(`${H1}\n${H2}\n`);
    await expect.poll(() => page.locator(".sr-tool-chip").allTextContents()).toEqual([H1, "(unnamed tool)"]);
    // The activity line names the status as text ("<label> · 0 s").
    await expect.poll(() => page.locator(".activity-line").textContent()).toContain(H2.slice(1));
    stack.mock.broadcast({ type: "system_status", data: null });
    await expect.poll(() => page.locator(".activity-line").textContent()).toMatch(/^Quiet since /);
    await assertInert(page);
  });

  it("status, sessions, tasks and logs show hostile text literally and run nothing", async () => {
    await page.evaluate(() => (location.hash = "#/status"));
    await expect.poll(() => page.locator(".view-status").innerText()).toContain(H1);
    expect(await page.locator(".view-status").innerText()).toContain(H2);
    await assertInert(page);

    await page.evaluate(() => (location.hash = "#/sessions"));
    await expect.poll(() => page.locator("table.sessions tbody tr").count()).toBe(2);
    const sessions = await page.locator("table.sessions").innerText();
    for (const s of [H1, H2]) expect(sessions).toContain(s);
    await expect.poll(() => page.locator("table.tasks tbody tr").count()).toBe(2);
    const tasks = await page.locator("table.tasks").innerText();
    for (const s of [H1, H2]) expect(tasks).toContain(s);
    expect(await page.locator("table.tasks .pill").allTextContents()).toContain(H1);
    await assertInert(page);

    await page.evaluate(() => (location.hash = "#/logs"));
    await page.locator("button.file", { hasText: H1 }).click();
    await expect.poll(() => page.locator("pre.log-text").textContent()).toBe(`${H1}\n${H2}\n`);
    await page.locator(`button.file[data-name="agent.log"]`).click();
    await expect.poll(() => page.locator("pre.log-text").textContent()).toContain(H2);
    await assertInert(page);
  });
});

describe("a refused token", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ recording: "coding-session", speed: 0 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("brings the connect form back with the reason and never retries", async () => {
    const { page, context } = await newPage(browser);
    let sockets = 0;
    let requests = 0;
    page.on("websocket", () => sockets++);
    page.on("request", (r) => {
      if (r.url().includes("/dashboard/")) requests++;
    });
    await page.goto(`${stack.dash.url}#token=not-the-token`);
    await page.waitForSelector("form.connect-form");
    expect(await page.locator(".connect-message").textContent()).toMatch(/refused/i);
    expect(await page.evaluate(() => location.hash)).not.toContain("not-the-token");
    // The refused token is forgotten.
    expect(await page.evaluate(() => sessionStorage.getItem("ductor-dashboard.token"))).toBeNull();
    const [s0, r0] = [sockets, requests];
    await page.waitForTimeout(3_500);
    expect(sockets).toBe(s0);
    expect(sockets).toBeLessThanOrEqual(1);
    expect(requests).toBe(r0);
    expect(stack.mock.streamClients()).toBe(0);
    await screenshot(page, "connect-refused");

    // A wrong token typed into the form is refused in place; the right one connects.
    await page.fill("#dd-token", "still-wrong");
    await page.click("button[type=submit]");
    await expect.poll(() => page.locator(".connect-message").textContent()).toMatch(/refused this token/);
    await page.fill("#dd-token", stack.mock.token);
    await page.check("#dd-remember");
    await page.click("button[type=submit]");
    await page.waitForSelector(".badge[data-state=open]");
    expect(await page.evaluate(() => localStorage.getItem("ductor-dashboard.token"))).toBe(stack.mock.token);
    expect(await page.evaluate(() => sessionStorage.getItem("ductor-dashboard.token"))).toBeNull();
    await context.close();
  });

  it("a #token= link keeps the remembered token until the server accepts the new one", async () => {
    const { page, context } = await newPage(browser);
    await page.goto(stack.dash.url);
    await page.fill("#dd-token", stack.mock.token);
    await page.check("#dd-remember");
    await page.click("button[type=submit]");
    await page.waitForSelector(".badge[data-state=open]");
    const remembered = () => page.evaluate(() => localStorage.getItem("ductor-dashboard.token"));
    expect(await remembered()).toBe(stack.mock.token);

    // Anyone can send a link: a wrong token in it is refused, and signs nobody out.
    await page.goto("about:blank");
    await page.goto(`${stack.dash.url}#token=sent-by-someone-else`);
    await page.waitForSelector("form.connect-form");
    expect(await page.locator(".connect-message").textContent()).toMatch(/refused/i);
    expect(await remembered()).toBe(stack.mock.token);
    expect(await page.evaluate(() => sessionStorage.getItem("ductor-dashboard.token"))).toBeNull();
    await page.goto("about:blank");
    await page.goto(stack.dash.url);
    await page.waitForSelector(".badge[data-state=open]");

    // A link whose token the server accepts replaces it, for this tab.
    await page.goto("about:blank");
    await page.goto(`${stack.dash.url}#token=${stack.mock.token}`);
    await page.waitForSelector(".badge[data-state=open]");
    await expect.poll(() => page.evaluate(() => sessionStorage.getItem("ductor-dashboard.token"))).toBe(stack.mock.token);
    await context.close();
  });

  it("a stream refused with 1008 mid-session also returns to the form, once", async () => {
    const { page, context } = await newPage(browser);
    let sockets = 0;
    page.on("websocket", () => sockets++);
    await page.goto(`${stack.dash.url}#token=${stack.mock.token}`);
    await page.waitForSelector(".badge[data-state=open]");
    stack.mock.dropAll(1008, "unauthorized");
    await page.waitForSelector("form.connect-form");
    expect(await page.locator(".connect-message").textContent()).toMatch(/1008/);
    const s0 = sockets;
    await page.waitForTimeout(2_000);
    expect(sockets).toBe(s0);
    await context.close();
  });
});

describe("mount() and destroy()", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ recording: "coding-session", speed: 0 }, "harness");
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("destroy() closes the stream socket and stops every poll", async () => {
    const { page, context, errors } = await newPage(browser);
    await page.goto(stack.dash.url);
    await page.evaluate((token) => {
      const w = window as unknown as {
        __dd: { mount: (el: Element, s: object, o: object) => { destroy(): void } };
        __handle: { destroy(): void };
      };
      w.__handle = w.__dd.mount(
        document.getElementById("app")!,
        { baseUrl: location.origin, token },
        { routing: "memory", initialRoute: "sessions" },
      );
    }, stack.mock.token);
    await page.waitForSelector(".badge[data-state=open]");
    await page.waitForSelector("table.sessions tbody tr");
    expect(stack.mock.streamClients()).toBe(1);
    let after = 0;
    page.on("request", () => after++);
    await page.evaluate(() => (window as unknown as { __handle: { destroy(): void } }).__handle.destroy());
    await expect.poll(() => stack.mock.streamClients()).toBe(0);
    expect(await page.evaluate(() => document.querySelector(".ductor-dashboard"))).toBeNull();
    after = 0;
    await page.waitForTimeout(3_500);
    expect(after).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("the renderer coalesces events per frame and bounds its scrollback", async () => {
    const { page, context } = await newPage(browser);
    await page.goto(stack.dash.url);
    const r = await page.evaluate(async () => {
      type R = {
        append(s: string): void;
        flush(): void;
        text(): string;
        tool(n: string): void;
        stats(): { droppedChars: number; renderedChars: number };
        destroy(): void;
      };
      const w = window as unknown as { __dd: { createStreamRenderer(el: Element, o: object): R } };
      const host = document.getElementById("renderer")!;
      host.style.height = "300px";
      const renderer = w.__dd.createStreamRenderer(host, { scrollbackChars: 100_000, chunkChars: 4_096 });
      let records = 0;
      const mo = new MutationObserver((list) => (records += list.length));
      mo.observe(host, { childList: true, subtree: true, characterData: true });
      const frame = () => new Promise((res) => requestAnimationFrame(() => res(null)));
      let all = "";
      for (let i = 0; i < 1_000; i++) {
        const s = `event ${String(i).padStart(4, "0")} ${"x".repeat(i % 37)}${i % 9 === 0 ? "\n" : " "}`;
        all += s;
        renderer.append(s);
      }
      await frame();
      await frame();
      mo.takeRecords();
      const firstFrameRecords = records;
      for (let i = 0; i < 20_000; i++) {
        const s = `line ${i} ${"y".repeat(i % 53)}\n`;
        all += s;
        renderer.append(s);
      }
      renderer.flush();
      const text = renderer.text();
      let maxNode = 0;
      const walker = document.createTreeWalker(host, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) maxNode = Math.max(maxNode, (n as Text).data.length);
      const stats = renderer.stats();
      renderer.destroy();
      return {
        firstFrameRecords,
        suffix: all.endsWith(text),
        len: text.length,
        total: all.length,
        maxNode,
        stats,
        left: host.childNodes.length,
      };
    });
    expect(r.firstFrameRecords).toBeLessThan(40); // 1,000 events → a handful of DOM mutations, not 1,000
    expect(r.suffix).toBe(true);
    expect(r.len).toBeLessThanOrEqual(100_000);
    expect(r.len).toBeGreaterThan(100_000 - 2 * 4_096);
    expect(r.maxNode).toBeLessThanOrEqual(2 * 4_096);
    expect(r.stats.droppedChars).toBe(r.total - r.len);
    expect(r.left).toBe(0);
    await context.close();
  });
});
