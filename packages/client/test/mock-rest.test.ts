import { rmSync } from "node:fs";
import { startMockServer, type MockServer } from "@ductor/mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  BadRequestError,
  DashboardClient,
  InternalServerError,
  NotFoundError,
  RangeNotSatisfiableError,
  ServiceUnavailableError,
  TimeoutError,
} from "../src/index.js";
import { makeDataDir } from "./helpers/data.js";

let mock: MockServer;
let data: ReturnType<typeof makeDataDir>;
let client: DashboardClient;

beforeAll(async () => {
  data = makeDataDir();
  mock = await startMockServer({ data: data.dir, status: { provider: "claude", model: "opus" } });
  client = new DashboardClient({ baseUrl: mock.url, token: mock.token, retryMinDelayMs: 5, retryMaxDelayMs: 20 });
});
afterAll(async () => {
  await mock.close();
  rmSync(data.dir, { recursive: true, force: true });
});

describe("REST against the mock server", () => {
  it("health", async () => {
    expect(await client.health()).toEqual({ status: "ok", connections: expect.any(Number) });
  });

  it("status comes back un-swapped", async () => {
    const s = await client.status();
    expect(s).toMatchObject({ status: "ok", provider: "claude", model: "opus", dashboardConnections: 0 });
    expect(s.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });

  it("sessions: newest first, legacy normalised, the broken entry skipped and reported", async () => {
    const list = await client.sessions();
    expect(list.map((s) => s.key)).toEqual(["tg:123456789", "tg:-1001234567890:42", "987654321"]);
    expect(list[1]!.topicName).toBe("Récherche");
    expect(list[2]).toMatchObject({ legacy: true, transport: "tg", chatId: 987654321 });
    expect(list[2]!.providerSessions.claude!.totalCostUsd).toBe(3.5e-5);
    expect(list.skipped.map((s) => s.key)).toEqual(["tg:broken"]);
  });

  it("tasks: Dates from epoch seconds, unknown fields tolerated", async () => {
    const [t] = await client.tasks();
    expect(t).toMatchObject({ taskId: "9f2c4a1e", promptPreview: "Research current pricing", completedAt: null });
    expect(t!.createdAt.getTime()).toBe(1776762012553);
  });

  it("logs.list and logs.read, whole, tail and range; names with spaces and # survive", async () => {
    const list = await client.logs.list();
    expect(list.map((f) => f.name).sort()).toEqual(["agent.log", "service log #1.err"]);
    expect(list.find((f) => f.name === "agent.log")!.size).toBe(data.log.length);
    expect(list[0]!.mtime).toBeInstanceOf(Date);

    const whole = await client.logs.read("agent.log");
    expect(whole).toMatchObject({
      text: data.log.toString("utf8"),
      start: 0,
      end: data.log.length,
      totalSize: data.log.length,
      partial: false,
    });
    expect(whole.lastModified).toBeInstanceOf(Date);

    const tail = await client.logs.read("agent.log", { tail: 4 }); // "ö\n" is 3 bytes; the 4th is a space
    expect(tail).toMatchObject({ text: " ö\n", partial: true, end: data.log.length });

    // The log ends in "✓ ö\n" (3+1+2+1 bytes): the last 6 bytes start inside ✓, whose tail is dropped.
    const mid = await client.logs.read("agent.log", { tail: 6 });
    expect(mid).toMatchObject({ text: " ö\n", start: data.log.length - 4, end: data.log.length });

    const service = await client.logs.read("service log #1.err");
    expect(service.text).toBe("ok\uFFFD\n");
  });

  it("416 → RangeNotSatisfiableError with the current size; 404 and 400 typed", async () => {
    const e = await client.logs.read("agent.log", { range: { start: data.log.length + 10 } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RangeNotSatisfiableError);
    expect((e as RangeNotSatisfiableError).totalSize).toBe(data.log.length);
    await expect(client.logs.read("nope.log")).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.logs.read("a..b.log")).rejects.toBeInstanceOf(BadRequestError);
  });

  it("a wrong token is an AuthenticationError on every /dashboard route", async () => {
    const bad = new DashboardClient({ baseUrl: mock.url, token: "wrong" });
    for (const call of [
      () => bad.status(),
      () => bad.sessions(),
      () => bad.tasks(),
      () => bad.logs.list(),
      () => bad.logs.read("agent.log"),
    ]) {
      await expect(call()).rejects.toBeInstanceOf(AuthenticationError);
    }
    expect((await bad.health()).status).toBe("ok");
  });

  it("faults: 503 JSON and a proxy's HTML 502 are typed; a slow server times out", async () => {
    try {
      mock.setFaults({ httpStatus: 503 });
      await expect(client.status({ maxRetries: 1 })).rejects.toBeInstanceOf(ServiceUnavailableError);
      mock.setFaults({ httpStatus: 502, htmlErrors: true });
      const e = (await client.tasks({ maxRetries: 0 }).catch((x: unknown) => x)) as Error;
      expect(e).toBeInstanceOf(InternalServerError);
      expect(e.message).toMatch(/^502 .*</);
      mock.setFaults({ httpDelayMs: 400 });
      await expect(client.status({ timeoutMs: 100, maxRetries: 0 })).rejects.toBeInstanceOf(TimeoutError);
    } finally {
      mock.setFaults({});
    }
  });
});
