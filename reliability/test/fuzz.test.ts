/**
 * Fuzzing the edges where server bytes enter the client: the stream frame decoder, the sessions/tasks
 * normalisers, and the whole REST pipeline (status line, content type, body) over a real socket. Whatever
 * arrives, the only thing thrown is a typed DashboardError, and whatever is returned has the promised types.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DashboardClient, DashboardError, decodeFrame, ProtocolError } from "@ductor/dashboard-client";
import { parseSessions } from "../../packages/client/src/resources/sessions.js";
import { parseTasks } from "../../packages/client/src/resources/tasks.js";
import { rawPeer } from "./helpers.js";

/** Runs `fn`; returns its value, or undefined when it threw a ProtocolError. Anything else thrown fails the property. */
function onlyProtocolErrors<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ProtocolError) return undefined;
    throw error;
  }
}

const validFrames = fc.oneof(
  fc.record({ type: fc.constant("text_delta"), data: fc.string() }),
  fc.record({ type: fc.constant("tool_activity"), data: fc.string() }),
  fc.record({ type: fc.constant("system_status"), data: fc.option(fc.string(), { nil: null }) }),
);
/** A valid value with one thing broken: a key removed, a value swapped for any JSON value, or extra keys. */
function mutated<T extends Record<string, unknown>>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.tuple(valid, fc.nat(), fc.jsonValue(), fc.integer({ min: 0, max: 2 })).map(([value, pick, junk, how]) => {
    const keys = Object.keys(value);
    const key = keys[pick % Math.max(1, keys.length)] ?? "x";
    const copy: Record<string, unknown> = { ...value };
    if (how === 0) delete copy[key];
    else if (how === 1) copy[key] = junk;
    else copy[`extra_${pick}`] = junk;
    return copy;
  });
}

describe("fuzz: stream frame decoder", () => {
  it("any text frame decodes to a well-typed event or a ProtocolError", () => {
    const texts = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      validFrames.map((f) => JSON.stringify(f)),
      mutated(validFrames).map((f) => JSON.stringify(f)),
      validFrames.chain((f) => fc.nat().map((cut) => JSON.stringify(f).slice(0, cut))),
    );
    fc.assert(
      fc.property(texts, (text) => {
        const frame = onlyProtocolErrors(() => decodeFrame(text));
        if (frame === undefined) return;
        expect(["ping", "text_delta", "tool_activity", "system_status"]).toContain(frame.type);
        if (frame.type === "text_delta" || frame.type === "tool_activity") expect(typeof frame.data).toBe("string");
        if (frame.type === "system_status") expect(frame.data === null || typeof frame.data === "string").toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });

  it("binary frames of any content are ProtocolErrors", () => {
    fc.assert(
      fc.property(fc.uint8Array(), (bytes) => {
        expect(() => decodeFrame(bytes)).toThrow(ProtocolError);
        expect(() => decodeFrame(bytes.buffer)).toThrow(ProtocolError);
      }),
      { numRuns: 1_000 },
    );
  });
});

const isoDate = fc.date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }).map((d) => d.toISOString());
const providerSession = fc.record({
  session_id: fc.string(),
  message_count: fc.nat(),
  total_cost_usd: fc.double({ min: 0, max: 1e4, noNaN: true }),
  total_tokens: fc.nat(),
});
const session = fc.record({
  transport: fc.constantFrom("tg", "mx"),
  chat_id: fc.integer(),
  topic_id: fc.option(fc.integer(), { nil: null }),
  topic_name: fc.option(fc.string(), { nil: null }),
  provider: fc.constantFrom("claude", "codex", "gemini"),
  model: fc.string(),
  created_at: isoDate,
  last_active: isoDate,
  provider_sessions: fc.dictionary(fc.constantFrom("claude", "codex", "gemini"), providerSession),
});
const task = fc.record({
  task_id: fc.stringMatching(/^[0-9a-f]{8}$/),
  chat_id: fc.integer(),
  name: fc.string(),
  prompt_preview: fc.string(),
  status: fc.constantFrom("running", "waiting", "done", "failed", "cancelled", "interrupted"),
  created_at: fc.double({ min: 1e9, max: 2e9, noNaN: true }),
  completed_at: fc.double({ min: 0, max: 2e9, noNaN: true }),
  thread_id: fc.option(fc.integer(), { nil: null }),
});

describe("fuzz: REST normalisers", () => {
  it("sessions: any JSON value → a typed list (bad entries skipped and counted) or a ProtocolError", () => {
    const bodies = fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.oneof(session, mutated(session), fc.jsonValue())));
    fc.assert(
      fc.property(bodies, (body) => {
        const list = onlyProtocolErrors(() => parseSessions(body));
        if (list === undefined) return;
        expect(Array.isArray(list)).toBe(true);
        for (const s of list) {
          expect(typeof s.key).toBe("string");
          expect(typeof s.provider).toBe("string");
          expect(typeof s.model).toBe("string");
          for (const date of [s.createdAt, s.lastActive])
            expect(date === null || (date instanceof Date && !Number.isNaN(date.getTime()))).toBe(true);
          for (const ps of Object.values(s.providerSessions))
            expect(Number.isFinite(ps.totalCostUsd) && Number.isFinite(ps.messageCount)).toBe(true);
        }
        if (body && typeof body === "object" && !Array.isArray(body))
          expect(list.length + list.skipped.length).toBe(Object.keys(body).length);
      }),
      { numRuns: 3_000 },
    );
  });

  it("tasks: any JSON value → a typed list (bad entries skipped and counted) or a ProtocolError", () => {
    const bodies = fc.oneof(fc.jsonValue(), fc.array(fc.oneof(task, mutated(task), fc.jsonValue())));
    fc.assert(
      fc.property(bodies, (body) => {
        const list = onlyProtocolErrors(() => parseTasks(body));
        if (list === undefined) return;
        for (const t of list) {
          expect(typeof t.taskId).toBe("string");
          expect(typeof t.status).toBe("string");
          expect(t.createdAt instanceof Date && !Number.isNaN(t.createdAt.getTime())).toBe(true);
          expect(t.completedAt === null || !Number.isNaN(t.completedAt.getTime())).toBe(true);
        }
        if (Array.isArray(body)) expect(list.length + list.skipped.length).toBe(body.length);
      }),
      { numRuns: 3_000 },
    );
  });
});

describe("fuzz: the REST pipeline over a real socket", () => {
  let peer: Awaited<ReturnType<typeof rawPeer>>;
  beforeAll(async () => {
    peer = await rawPeer();
  });
  afterAll(() => peer.close());

  it("any status, content type and body → a typed value or a DashboardError, for every endpoint", async () => {
    const client = new DashboardClient({ baseUrl: peer.url, token: "t", maxRetries: 0, timeoutMs: 2_000 });
    const calls = [
      () => client.health(),
      () => client.status(),
      () => client.sessions(),
      () => client.tasks(),
      () => client.logs.list(),
      () => client.logs.read("agent.log"),
    ];
    const bodies = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.constant(
        '{"status": "ok", "provider": "opus", "model": "claude", "uptime_seconds": 1, "connections": 0, "dashboard_connections": 0}',
      ),
      fc.constant("<html><body><h1>502 Bad Gateway</h1></body></html>"),
      fc.uint8Array({ maxLength: 64 }),
    );
    const contentTypes = fc.constantFrom("application/json; charset=utf-8", "text/plain; charset=utf-8", "text/html", null);
    const statuses = fc.constantFrom(200, 200, 200, 204, 206, 301, 400, 401, 403, 404, 405, 416, 429, 500, 502, 503, 504);
    await fc.assert(
      fc.asyncProperty(statuses, contentTypes, bodies, fc.nat({ max: calls.length - 1 }), async (status, contentType, body, which) => {
        peer.answer(status, contentType, status === 204 ? "" : body);
        try {
          await calls[which]!();
        } catch (error) {
          expect(error).toBeInstanceOf(DashboardError);
        }
      }),
      { numRuns: 600 },
    );
  });
});
