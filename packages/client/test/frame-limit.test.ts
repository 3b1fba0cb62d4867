import { startMockServer, type MockServer } from "@ductor/mock-server";
import WebSocket from "ws";
import { afterEach, describe, expect, it } from "vitest";
import {
  DashboardClient,
  FrameTooLargeError,
  ProtocolError,
  type DashboardError,
  type DashboardStream,
  type StreamOptions,
  type WebSocketConstructor,
} from "../src/index.js";
import { next, record, until } from "./helpers/stream.js";

const KiB = 1024;
const servers: MockServer[] = [];
const streams: DashboardStream[] = [];
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  await Promise.all(servers.splice(0).map((m) => m.close()));
});

/**
 * The real `ws`, constructed the way a browser's WebSocket is: from the URL alone, so nothing caps
 * frames while they are read and the whole frame reaches the message listener. This is the path
 * browsers take (real socket, real server; only ws's reading-time limit is left out).
 */
class UrlOnlyWebSocket extends WebSocket {
  constructor(url: string) {
    super(url);
  }
}

async function openStream(options: StreamOptions, WebSocketImpl?: WebSocketConstructor): Promise<{ m: MockServer; s: DashboardStream }> {
  const m = await startMockServer({ autoplay: "manual" });
  servers.push(m);
  const client = new DashboardClient({ baseUrl: m.url, token: m.token, ...(WebSocketImpl ? { WebSocket: WebSocketImpl } : {}) });
  const s = client.stream({ minDelayMs: 20, maxDelayMs: 50, ...options });
  streams.push(s);
  await next(s, "open");
  return { m, s };
}

const delta = (data: string) => ({ type: "text_delta" as const, data });

describe("stream frames are capped (maxFrameBytes)", () => {
  it("Node (ws maxPayload): an over-cap frame is refused while reading; a FrameTooLargeError event, then a reconnect per policy", async () => {
    const { m, s } = await openStream({ maxFrameBytes: 64 * KiB });
    const errors: DashboardError[] = [];
    const deltas: string[] = [];
    s.on("error", (e) => errors.push(e));
    s.on("text_delta", (ev) => deltas.push(ev.data));
    const reconnecting = next(s, "reconnecting");
    m.broadcast(delta("x".repeat(100 * KiB)));
    const r = await reconnecting;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(FrameTooLargeError);
    expect(errors[0]).toBeInstanceOf(ProtocolError);
    expect((errors[0] as FrameTooLargeError).limitBytes).toBe(64 * KiB);
    expect(errors[0]!.message).toContain("exceeded the 64 KiB cap (maxFrameBytes)");
    expect(r).toMatchObject({ code: 1009, reason: "message too big", attempt: 1 });
    expect(r.error).toBe(errors[0]);
    expect((await next(s, "open")).connection).toBe(2);
    m.broadcast(delta("small"));
    await until(() => deltas.length === 1, 2_000, "the next delta");
    expect(deltas).toEqual(["small"]);
  });

  it("Node: the default cap is 16 MiB", async () => {
    const { m, s } = await openStream({});
    const error = next(s, "error");
    m.broadcast(delta("x".repeat(16 * KiB * KiB)));
    const e = await error;
    expect(e).toBeInstanceOf(FrameTooLargeError);
    expect((e as FrameTooLargeError).limitBytes).toBe(16 * KiB * KiB);
  });

  it("browser path (the frame already received): it is skipped with a FrameTooLargeError event and the stream stays open", async () => {
    const { m, s } = await openStream({ maxFrameBytes: 64 * KiB }, UrlOnlyWebSocket as unknown as WebSocketConstructor);
    const log = record(s);
    m.broadcast(delta("before"));
    m.broadcast(delta("x".repeat(100 * KiB)));
    m.broadcast(delta("after"));
    await until(() => log.some((e) => e.type === "text_delta" && (e.ev as { data: string }).data === "after"), 2_000, "the delta after");
    expect(log.map((e) => (e.type === "text_delta" ? (e.ev as { data: string }).data : e.type))).toEqual(["before", "error", "after"]);
    const error = log[1]!.ev as FrameTooLargeError;
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(error.limitBytes).toBe(64 * KiB);
    expect(s.state).toBe("open");
  });

  it("browser path: the cap counts UTF-8 bytes, not UTF-16 characters", async () => {
    const { m, s } = await openStream({ maxFrameBytes: 64 * KiB }, UrlOnlyWebSocket as unknown as WebSocketConstructor);
    const log = record(s);
    // "✓" is 1 UTF-16 unit and 3 UTF-8 bytes: 21,000 of them fit in 64 KiB, 22,000 do not (both under 64 Ki characters).
    // Sent as raw strings: the mock's Python-style encoder would escape them to ASCII (`\u2713`), as ductor does.
    m.broadcast(JSON.stringify(delta("✓".repeat(21_000))));
    m.broadcast(JSON.stringify(delta("✓".repeat(22_000))));
    m.broadcast(delta("end"));
    await until(() => log.length === 3, 2_000, "three events");
    expect(log.map((e) => e.type)).toEqual(["text_delta", "error", "text_delta"]);
    expect((log[0]!.ev as { data: string }).data).toHaveLength(21_000);
    expect(log[1]!.ev).toBeInstanceOf(FrameTooLargeError);
  });

  it.each([0, -5, 2.5, Number.NaN])("maxFrameBytes %s is refused with a TypeError", (value) => {
    const client = new DashboardClient({ baseUrl: "http://127.0.0.1:1", token: "t" });
    expect(() => client.stream({ maxFrameBytes: value })).toThrow(TypeError);
  });
});
