import { startMockServer, type MockServer } from "@ductor/mock-server";
import { afterEach, describe, expect, it } from "vitest";
import { DashboardClient, InternalServerError, ProtocolError, type DashboardError } from "../src/index.js";
import { decodeFrame } from "../src/stream/events.js";
import { json, startPeer, type Peer, rejection } from "./helpers/peer.js";
import { next, until } from "./helpers/stream.js";

/** 100,000 levels: parses fine in V8, but anything that recurses over it (JSON.stringify, String) overflows the stack. */
const LEVELS = 100_000;
const deepArray = "[".repeat(LEVELS) + "]".repeat(LEVELS);

let peer: Peer | undefined;
let server: MockServer | undefined;
afterEach(async () => {
  await peer?.close();
  await server?.close();
  peer = server = undefined;
});

describe("deeply nested JSON is a ProtocolError like every other bad body, never a RangeError", () => {
  it("GET /dashboard/sessions answering 100k nested arrays", async () => {
    peer = await startPeer((_req, res) => json(res, 200, deepArray));
    const e = await rejection(new DashboardClient({ baseUrl: peer.url, token: "t", maxRetries: 0 }).sessions());
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toMatch(/^sessions: expected object, got array/);
    expect(peer.count()).toBe(1);
  });

  it("a sessions entry whose field is deeply nested is skipped with a ProtocolError; the others are kept", async () => {
    const body = `{"tg:1": {"chat_id": ${deepArray}, "last_active": "2026-01-01T00:00:00+00:00"}, "tg:2": {"last_active": "2026-01-01T00:00:00+00:00"}}`;
    peer = await startPeer((_req, res) => json(res, 200, body));
    const sessions = await new DashboardClient({ baseUrl: peer.url, token: "t" }).sessions();
    expect(sessions.map((s) => s.key)).toEqual(["tg:2"]);
    expect(sessions.skipped).toHaveLength(1);
    expect(sessions.skipped[0]!.key).toBe("tg:1");
    expect(sessions.skipped[0]!.error).toBeInstanceOf(ProtocolError);
  });

  it("tasks: a deeply nested entry is skipped", async () => {
    peer = await startPeer((_req, res) => json(res, 200, `[${deepArray}]`));
    const tasks = await new DashboardClient({ baseUrl: peer.url, token: "t" }).tasks();
    expect(tasks).toHaveLength(0);
    expect(tasks.skipped[0]!.error).toBeInstanceOf(ProtocolError);
  });

  it("an error status with a deeply nested JSON body is still the status's class", async () => {
    peer = await startPeer((_req, res) => json(res, 500, deepArray));
    const e = await rejection(new DashboardClient({ baseUrl: peer.url, token: "t", maxRetries: 0 }).status());
    expect(e).toBeInstanceOf(InternalServerError);
    expect(e.message).toMatch(/^500 /);
  });

  it("decodeFrame: a deeply nested type or data is a ProtocolError", () => {
    for (const frame of [`{"type": ${deepArray}}`, `{"type": "text_delta", "data": ${deepArray}}`, deepArray]) {
      expect(() => decodeFrame(frame)).toThrow(ProtocolError);
    }
  });

  it("stream: such a frame is one ProtocolError event and the stream goes on", async () => {
    server = await startMockServer({ autoplay: "manual" });
    const s = new DashboardClient({ baseUrl: server.url, token: server.token }).stream();
    try {
      const errors: DashboardError[] = [];
      const deltas: string[] = [];
      s.on("error", (e) => errors.push(e));
      s.on("text_delta", (ev) => deltas.push(ev.data));
      await next(s, "open");
      server.broadcast(`{"type": ${deepArray}}`);
      server.broadcast({ type: "text_delta", data: "after" });
      await until(() => deltas.length === 1, 3_000, "the delta after the deep frame");
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(ProtocolError);
      expect(s.state).toBe("open");
    } finally {
      s.close();
    }
  });
});
