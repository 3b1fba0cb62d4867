import { startMockServer, type MockServer } from "@ductor/mock-server";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { DashboardClient, type StreamDataEvent } from "../src/index.js";
import { buildClientForChild, runChild } from "./helpers/child.js";
import { next, record, until } from "./helpers/stream.js";

const servers: MockServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((m) => m.close()));
});
async function mock(): Promise<MockServer> {
  const m = await startMockServer({ autoplay: "manual" });
  servers.push(m);
  return m;
}

describe("leaving a for-await loop closes the stream (like Node's readable streams)", () => {
  let lib: string;
  beforeAll(async () => {
    lib = await buildClientForChild("iterator-exit-lib");
  });

  it("break: the socket is closed, `close` fires once, and no reconnect follows", async () => {
    const m = await mock();
    const s = new DashboardClient({ baseUrl: m.url, token: m.token }).stream({ minDelayMs: 20, maxDelayMs: 50 });
    const log = record(s);
    await next(s, "open");
    m.broadcast({ type: "text_delta", data: "one" });
    m.broadcast({ type: "text_delta", data: "two" });
    const seen: StreamDataEvent[] = [];
    for await (const ev of s) {
      seen.push(ev);
      break;
    }
    expect(seen).toEqual([{ type: "text_delta", data: "one" }]);
    expect(s.state).toBe("closed");
    await until(() => m.streamClients() === 0, 2_000, "the server to see the socket close");
    expect(log.filter((e) => e.type === "close")).toEqual([{ type: "close", ev: { code: 1000, reason: "loop exited" } }]);
    expect(log.some((e) => e.type === "reconnecting")).toBe(false);
  });

  it("a throw inside the loop body closes it too", async () => {
    const m = await mock();
    const s = new DashboardClient({ baseUrl: m.url, token: m.token }).stream();
    await next(s, "open");
    m.broadcast({ type: "text_delta", data: "one" });
    await expect(
      (async () => {
        for await (const _ of s) throw new Error("consumer failed");
      })(),
    ).rejects.toThrow("consumer failed");
    expect(s.state).toBe("closed");
  });

  it("a Node process that breaks out of the loop exits by itself", async () => {
    const m = await mock();
    const script = `import { DashboardClient } from ${JSON.stringify(lib)};
const client = new DashboardClient({ baseUrl: process.env.BASE_URL, token: process.env.TOKEN });
const stream = client.stream({ minDelayMs: 50, maxDelayMs: 200 });
stream.on("open", () => console.log("open"));
for await (const ev of stream) {
  console.log("got", ev.data);
  break;
}
console.log("left the loop, state", stream.state);
`;
    const child = runChild("iterator-exit-main.mjs", script, { BASE_URL: m.url, TOKEN: m.token }, 8_000);
    await until(() => m.streamClients() === 1, 5_000, "the child to connect");
    // The mock's first-client autoplay is off; send once the child's socket is authenticated.
    await until(() => m.sent().length >= 1, 2_000, "the auth ping");
    m.broadcast({ type: "text_delta", data: "hello" });
    const result = await child;
    expect(result.killed, result.out).toBe(false);
    expect(result.signal, result.out).toBeNull();
    expect(result.code, result.out).toBe(0);
    expect(result.out).toContain("got hello");
    expect(result.out).toContain("left the loop, state closed");
  }, 20_000);
});
