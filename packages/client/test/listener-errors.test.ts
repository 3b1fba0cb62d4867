import { startMockServer, type MockServer } from "@ductor/mock-server";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DashboardClient, DashboardError, ListenerError, ProtocolError, type DashboardStream } from "../src/index.js";
import { buildClientForChild, runChild } from "./helpers/child.js";
import { next, until } from "./helpers/stream.js";

const servers: MockServer[] = [];
const streams: DashboardStream[] = [];
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  await Promise.all(servers.splice(0).map((m) => m.close()));
  vi.restoreAllMocks();
});
async function openStream(): Promise<{ m: MockServer; s: DashboardStream }> {
  const m = await startMockServer({ autoplay: "manual" });
  servers.push(m);
  const s = new DashboardClient({ baseUrl: m.url, token: m.token }).stream();
  streams.push(s);
  await next(s, "open");
  return { m, s };
}

describe("a listener that throws", () => {
  it("is reported as an `error` event (ListenerError, cause = what it threw); the others and later frames still arrive", async () => {
    const { m, s } = await openStream();
    const errors: DashboardError[] = [];
    s.on("error", (e) => errors.push(e));
    const boom = new TypeError("listener bug");
    s.on("text_delta", () => {
      throw boom;
    });
    const delivered: string[] = [];
    s.on("text_delta", (ev) => delivered.push(ev.data));
    m.broadcast({ type: "text_delta", data: "a" });
    m.broadcast({ type: "text_delta", data: "b" });
    m.broadcast({ type: "text_delta", data: "c" });
    await until(() => delivered.length === 3 && errors.length === 3, 3_000, "three deltas and three errors");
    expect(delivered).toEqual(["a", "b", "c"]);
    for (const e of errors) {
      expect(e).toBeInstanceOf(ListenerError);
      expect(e).toBeInstanceOf(DashboardError);
      expect(e.cause).toBe(boom);
      expect((e as ListenerError).eventType).toBe("text_delta");
      expect(e.message).toContain("listener bug");
    }
    expect(s.state).toBe("open");
  });

  it("an `error` listener that throws is not fed back into `error` (no loop): it is printed once, and the stream goes on", async () => {
    const printed = vi.spyOn(console, "error").mockImplementation(() => {});
    const { m, s } = await openStream();
    let errorCalls = 0;
    s.on("error", () => {
      errorCalls++;
      throw new Error("error listener bug");
    });
    const delivered: string[] = [];
    s.on("text_delta", (ev) => delivered.push(ev.data));
    // Each malformed frame is one error event; each makes the error listener throw.
    m.broadcast("{not json");
    m.broadcast("{not json either");
    m.broadcast({ type: "text_delta", data: "still here" });
    await until(() => delivered.length === 1, 3_000, "the delta after the bad frames");
    expect(errorCalls).toBe(2);
    expect(printed).toHaveBeenCalledTimes(1);
    expect(String(printed.mock.calls[0]![0])).toMatch(/listener threw/);
    expect(s.state).toBe("open");
  });

  it("with no `error` listener, it is printed (once per stream) rather than lost", async () => {
    const printed = vi.spyOn(console, "error").mockImplementation(() => {});
    const { m, s } = await openStream();
    const delivered: string[] = [];
    s.on("text_delta", (ev) => {
      delivered.push(ev.data);
      throw new Error("no one listens for errors");
    });
    m.broadcast({ type: "text_delta", data: "a" });
    m.broadcast({ type: "text_delta", data: "b" });
    await until(() => delivered.length === 2, 3_000, "both deltas");
    expect(printed).toHaveBeenCalledTimes(1);
    expect(printed.mock.calls[0]!.some((arg) => arg instanceof ListenerError)).toBe(true);
  });

  it("a malformed frame still reports a ProtocolError, not a ListenerError", async () => {
    const { m, s } = await openStream();
    const got = next(s, "error");
    m.broadcast("{nope");
    expect(await got).toBeInstanceOf(ProtocolError);
  });

  describe("in a real Node process (Node 20 has no reportError)", () => {
    let lib: string;
    beforeAll(async () => {
      lib = await buildClientForChild("listener-errors-lib");
    });

    it("does not kill the process, and later events still arrive", async () => {
      const m = await startMockServer({ autoplay: "manual" });
      servers.push(m);
      const script = `import { DashboardClient } from ${JSON.stringify(lib)};
const stream = new DashboardClient({ baseUrl: process.env.BASE_URL, token: process.env.TOKEN }).stream();
let seen = 0;
stream.on("text_delta", (ev) => {
  seen++;
  console.log("got", ev.data);
  if (ev.data === "last") stream.close();
  else throw new Error("listener bug on " + ev.data);
});
stream.on("close", () => console.log("closed after", seen));
`;
      const child = runChild("listener-errors-main.mjs", script, { BASE_URL: m.url, TOKEN: m.token }, 8_000);
      await until(() => m.sent().length >= 1, 5_000, "the child to authenticate");
      for (const data of ["one", "two", "last"]) m.broadcast({ type: "text_delta", data });
      const result = await child;
      expect(result.killed, result.out).toBe(false);
      expect(result.code, result.out).toBe(0);
      expect(result.out).toContain("got one\n");
      expect(result.out).toContain("got two\n");
      expect(result.out).toContain("closed after 3");
    }, 20_000);
  });
});
