/**
 * The fault matrix, REST rows: every error class from the real client against the mock server (or, for bodies
 * ductor never sends, a bare HTTP peer), counting requests to prove 5xx are retried within the bound and 4xx
 * never are.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  AbortError,
  type APIError,
  AuthenticationError,
  BadRequestError,
  DashboardClient,
  InternalServerError,
  NotFoundError,
  ProtocolError,
  RangeNotSatisfiableError,
  ServiceUnavailableError,
  TimeoutError,
} from "@ductor/dashboard-client";
import { startMockServer, type MockServer } from "@ductor/mock-server";
import { countingFetch, rawPeer, until } from "./helpers.js";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
async function mock(options: Parameters<typeof startMockServer>[0] = {}): Promise<MockServer> {
  const server = await startMockServer({ recording: "coding-session", autoplay: "manual", ...options });
  cleanups.push(() => server.close());
  return server;
}
function counted(baseUrl: string, token: string, extra: Partial<ConstructorParameters<typeof DashboardClient>[0]> = {}) {
  const fetcher = countingFetch();
  const client = new DashboardClient({
    baseUrl,
    token,
    fetch: fetcher.fetch,
    maxRetries: 2,
    retryMinDelayMs: 5,
    retryMaxDelayMs: 20,
    ...extra,
  });
  return { client, requests: fetcher.count };
}
function dataFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "ductor-reliability-"));
  mkdirSync(join(dir, "logs"));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  return dir;
}

describe("REST faults: status codes map to error classes; 5xx retried within the bound, 4xx never", () => {
  it("401 → AuthenticationError, one request", async () => {
    const server = await mock();
    const { client, requests } = counted(server.url, "not-the-token");
    await expect(client.status()).rejects.toBeInstanceOf(AuthenticationError);
    expect(requests()).toBe(1);
  });

  it("400 (a name with '..') → BadRequestError; 404 → NotFoundError; 416 → RangeNotSatisfiableError with the size; none retried", async () => {
    const server = await mock();
    const { client, requests } = counted(server.url, server.token);
    await expect(client.logs.read("a..b.log")).rejects.toBeInstanceOf(BadRequestError);
    await expect(client.logs.read("no-such.log")).rejects.toBeInstanceOf(NotFoundError);
    const [agentLog] = (await client.logs.list()).filter((file) => file.name === "agent.log");
    const error = await client.logs.read("agent.log", { range: { start: agentLog!.size + 10 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeNotSatisfiableError);
    expect((error as RangeNotSatisfiableError).totalSize).toBe(agentLog!.size);
    expect(requests()).toBe(4);
  });

  for (const [status, ErrorClass] of [
    [503, ServiceUnavailableError],
    [500, InternalServerError],
  ] as const) {
    it(`${status} → ${ErrorClass.name}, after exactly 1 + maxRetries requests`, async () => {
      const server = await mock({ faults: { httpStatus: status } });
      const { client, requests } = counted(server.url, server.token);
      const error = await client.sessions().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ErrorClass);
      expect((error as APIError).status).toBe(status);
      expect(requests()).toBe(3);
    });
  }

  it("a later success after 5xx answers is returned (the retry recovers)", async () => {
    const server = await mock({ faults: { httpStatus: 503 } });
    // Heal the server the moment its first answer is back, before the client sees it: the retry then gets the
    // success. (Healing after a fixed 60 ms raced the first answer on a busy machine, or the retry.)
    const statuses: number[] = [];
    const client = new DashboardClient({
      baseUrl: server.url,
      token: server.token,
      maxRetries: 2,
      retryMinDelayMs: 5,
      retryMaxDelayMs: 20,
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        statuses.push(res.status);
        server.setFaults({});
        return res;
      },
    });
    await expect(client.status()).resolves.toMatchObject({ status: "ok" });
    expect(statuses).toEqual([503, 200]);
  });

  it("an HTML error page with 502 (a proxy in front) → an APIError with the page's first bytes, not a JSON crash", async () => {
    const server = await mock({ faults: { httpStatus: 502, htmlErrors: true } });
    const { client, requests } = counted(server.url, server.token);
    const error = await client.tasks().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as APIError).status).toBe(502);
    expect((error as Error).message).toMatch(/502/);
    expect((error as Error).message).toMatch(/<|Bad Gateway/i);
    expect(requests()).toBe(3);
  });
});

describe("REST faults: loose or broken bodies", () => {
  it("a 200 HTML page where JSON was promised → ProtocolError quoting the first bytes", async () => {
    const peer = await rawPeer();
    cleanups.push(() => peer.close());
    peer.answer(200, "text/html", "<html><head><title>Sign in to your proxy</title></head><body>…</body></html>");
    const { client } = counted(peer.url, "t");
    const error = await client.status().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).snippet).toContain("Sign in to your proxy");
  });

  for (const [name, body] of [
    ["an empty body", ""],
    ["truncated JSON", '{"status": "ok", "provider": "op'],
    ["JSON of the wrong shape", '["ok"]'],
  ] as const) {
    it(`${name} → ProtocolError, not retried`, async () => {
      const peer = await rawPeer();
      cleanups.push(() => peer.close());
      peer.answer(200, "application/json; charset=utf-8", body);
      const { client, requests } = counted(peer.url, "t");
      await expect(client.status()).rejects.toBeInstanceOf(ProtocolError);
      expect(requests()).toBe(1);
    });
  }

  it("sessions.json holding a list (valid JSON, not an object) → ProtocolError", async () => {
    const server = await mock({ data: dataFolder({ "sessions.json": '[{"chat_id": 1}]', "tasks.json": "[]" }) });
    const { client } = counted(server.url, server.token);
    await expect(client.sessions()).rejects.toBeInstanceOf(ProtocolError);
  });

  it("a corrupt sessions.json (ductor answers a text 500) → InternalServerError after the retries", async () => {
    const server = await mock({ data: dataFolder({ "sessions.json": '{"tg:1": {', "tasks.json": "[]" }) });
    const { client, requests } = counted(server.url, server.token);
    await expect(client.sessions()).rejects.toBeInstanceOf(InternalServerError);
    expect(requests()).toBe(3);
  });

  it("a task lacking fields is defaulted, a task of the wrong shape is skipped and counted; the rest arrive typed", async () => {
    const tasks = [
      { task_id: "0000abcd", created_at: 1776762012.5 },
      { task_id: 7, created_at: "yesterday" },
      {
        task_id: "1111ef01",
        name: "lint",
        status: "interrupted",
        created_at: 1776762100,
        completed_at: 1776762160.25,
        future_field: { nested: true },
      },
    ];
    const server = await mock({ data: dataFolder({ "sessions.json": "{}", "tasks.json": JSON.stringify(tasks) }) });
    const { client } = counted(server.url, server.token);
    const list = await client.tasks();
    expect(list.map((t) => t.taskId)).toEqual(["0000abcd", "1111ef01"]);
    expect(list.skipped).toHaveLength(1);
    expect(list.skipped[0]!.error).toBeInstanceOf(ProtocolError);
    expect(list[0]).toMatchObject({ name: "0000abcd", status: "running", completedAt: null, promptPreview: "" });
    expect(list[0]!.createdAt.getTime()).toBe(1776762012500);
    expect(list[1]!.completedAt?.getTime()).toBe(1776762160250);
  });
});

describe("REST faults: time", () => {
  it("a server that never answers → TimeoutError at timeoutMs, per attempt", async () => {
    const server = await mock({ faults: { httpDelayMs: 10_000 } });
    const { client, requests } = counted(server.url, server.token, { timeoutMs: 200, maxRetries: 1 });
    const started = Date.now();
    const error = await client.status().catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(requests()).toBe(2);
    expect(elapsed).toBeGreaterThanOrEqual(400);
    expect(elapsed).toBeLessThan(2_000);
  });

  it("an AbortSignal aborted mid-request → AbortError promptly, not retried, nothing left running", async () => {
    const resources = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout" || r === "TCPSocketWrap").length;
    const server = await mock({ faults: { httpDelayMs: 10_000 } });
    const before = resources();
    const { client, requests } = counted(server.url, server.token);
    const controller = new AbortController();
    const pending = client.tasks({ signal: controller.signal });
    await until(() => requests() === 1, "the request to start");
    const started = Date.now();
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    // Promptly: well before the 10 s the server would take, with room for a busy CI machine.
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(requests()).toBe(1);
    await until(() => resources() <= before, "the request's timer and socket to be released", 3_000);
  });
});
