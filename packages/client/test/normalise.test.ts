import { describe, expect, it } from "vitest";
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  ProtocolError,
  RangeNotSatisfiableError,
  ServiceUnavailableError,
} from "../src/errors.js";
import { leadingContinuationBytes, trailingIncompleteBytes } from "../src/internal/utf8.js";
import { parseSessions } from "../src/resources/sessions.js";
import { unswapProviderModel } from "../src/resources/status.js";
import { parseTasks } from "../src/resources/tasks.js";

const modern = {
  transport: "tg",
  chat_id: 123456789,
  topic_id: null,
  topic_name: null,
  provider: "claude",
  model: "opus",
  created_at: "2026-04-21T09:12:44.801233+00:00",
  last_active: "2026-04-21T10:03:17.120977+00:00",
  provider_sessions: {
    claude: { session_id: "3f0c", message_count: 12, total_cost_usd: 0.8421, total_tokens: 48211 },
    codex: { session_id: "", message_count: 3, total_cost_usd: 0.0, total_tokens: 9120 },
  },
};

describe("status un-swap", () => {
  it("recognises the provider by its id, whichever field it is in", () => {
    expect(unswapProviderModel("opus", "claude")).toEqual({ provider: "claude", model: "opus" });
    expect(unswapProviderModel("claude", "opus")).toEqual({ provider: "claude", model: "opus" });
    expect(unswapProviderModel("gpt-5.4", "codex")).toEqual({ provider: "codex", model: "gpt-5.4" });
    for (const id of ["gemini", "antigravity", "grok"]) expect(unswapProviderModel("m", id).provider).toBe(id);
    // Neither known: trust ductor's shipped swap.
    expect(unswapProviderModel("mistral-large", "mistral")).toEqual({ provider: "mistral", model: "mistral-large" });
    expect(unswapProviderModel("unknown", "unknown")).toEqual({ provider: "unknown", model: "unknown" });
  });
});

describe("sessions", () => {
  it("turns the keyed object into a list, newest first, camelCase with Dates", () => {
    const list = parseSessions({
      "tg:1": { ...modern, chat_id: 1, last_active: "2026-04-20T18:40:55.402211+00:00" },
      "tg:-1001234567890:42": { ...modern, chat_id: -1001234567890, topic_id: 42, topic_name: "Research", reasoning_effort: "high" },
    });
    expect(list.map((s) => s.key)).toEqual(["tg:-1001234567890:42", "tg:1"]);
    const s = list[0]!;
    expect(s).toMatchObject({
      transport: "tg",
      chatId: -1001234567890,
      topicId: 42,
      topicName: "Research",
      provider: "claude",
      model: "opus",
      reasoningEffort: "high",
      legacy: false,
    });
    expect(s.lastActive.toISOString()).toBe("2026-04-21T10:03:17.120Z");
    expect(s.providerSessions.claude).toEqual({ sessionId: "3f0c", messageCount: 12, totalCostUsd: 0.8421, totalTokens: 48211 });
    expect(list.skipped).toEqual([]);
  });

  it("normalises legacy entries: unprefixed keys and flat metrics", () => {
    const [s] = parseSessions({
      "123456789:99": {
        provider: "claude",
        model: "sonnet",
        created_at: "2025-01-02T03:04:05",
        last_active: "2025-01-02T04:00:00",
        session_id: "abc",
        message_count: 4,
        total_cost_usd: 0.25,
        total_tokens: 1000,
      },
    });
    expect(s).toMatchObject({ key: "123456789:99", transport: "tg", chatId: 123456789, topicId: null, legacy: true });
    expect(s!.providerSessions).toEqual({ claude: { sessionId: "abc", messageCount: 4, totalCostUsd: 0.25, totalTokens: 1000 } });
    // No offset: taken as UTC, as ductor writes.
    expect(s!.createdAt.toISOString()).toBe("2025-01-02T03:04:05.000Z");
  });

  it("skips a bad entry, keeps the others and says which and why", () => {
    const list = parseSessions({
      "tg:1": modern,
      "tg:2": "garbage",
      "tg:3": { ...modern, last_active: "yesterday" },
      "tg:4": { ...modern, provider_sessions: { claude: { total_cost_usd: "free" } } },
    });
    expect(list.map((s) => s.key)).toEqual(["tg:1"]);
    expect(list.skipped.map((x) => x.key)).toEqual(["tg:2", "tg:3", "tg:4"]);
    expect(list.skipped[1]!.error).toBeInstanceOf(ProtocolError);
    expect(list.skipped[1]!.error.message).toMatch(/sessions\["tg:3"\]\.last_active: expected ISO-8601/);
    expect(list.skipped[2]!.error.message).toMatch(/provider_sessions\.claude\.total_cost_usd: expected number, got string/);
  });

  it("rejects a body that is not an object", () => {
    for (const body of [[], "x", null, 3]) expect(() => parseSessions(body)).toThrow(ProtocolError);
    expect(parseSessions({})).toEqual([]);
  });
});

const task = {
  task_id: "9f2c4a1e",
  chat_id: 123456789,
  parent_agent: "main",
  name: "pricing-research",
  prompt_preview: "Research…",
  provider: "claude",
  model: "sonnet",
  status: "running",
  session_id: "",
  created_at: 1776762012.5531,
  completed_at: 0.0,
  elapsed_seconds: 0.0,
  error: "",
  result_preview: "",
  question_count: 0,
  num_turns: 0,
  last_question: "",
  original_prompt: "Research … (full)",
  thinking: "",
  tasks_dir: "/x",
  thread_id: null,
  priority: "background",
};

describe("tasks", () => {
  it("maps epoch seconds to Dates and 0.0 completion to null", () => {
    const [t] = parseTasks([task]);
    expect(t!.createdAt.getTime()).toBe(1776762012553);
    expect(t!.completedAt).toBeNull();
    expect(t).toMatchObject({
      taskId: "9f2c4a1e",
      promptPreview: "Research…",
      originalPrompt: "Research … (full)",
      threadId: null,
      reasoningEffort: "",
    });
    expect(parseTasks([{ ...task, completed_at: 1776762100.25, status: "done" }])[0]!.completedAt!.getTime()).toBe(1776762100250);
  });

  it("tolerates unknown future fields and defaults missing ones", () => {
    const [t] = parseTasks([{ task_id: "abcd1234", created_at: 1, shiny_new_field: { a: 1 }, status: "interrupted" }]);
    expect(t).toMatchObject({
      taskId: "abcd1234",
      name: "abcd1234",
      status: "interrupted",
      provider: "",
      completedAt: null,
      priority: "background",
      threadId: null,
    });
  });

  it("skips bad entries by index and rejects a non-array body", () => {
    const list = parseTasks([task, { ...task, created_at: "2026-01-01" }, 5]);
    expect(list).toHaveLength(1);
    expect(list.skipped.map((s) => s.key)).toEqual(["1", "2"]);
    expect(() => parseTasks({})).toThrow(/tasks: expected array, got object/);
  });
});

describe("APIError.from", () => {
  const h = (init?: Record<string, string>) => new Headers(init);
  it("picks the subclass by status and keeps status, body and headers", () => {
    expect(APIError.from(400, { error: "invalid filename" }, h())).toBeInstanceOf(BadRequestError);
    expect(APIError.from(401, { error: "unauthorized" }, h())).toBeInstanceOf(AuthenticationError);
    expect(APIError.from(404, "404: Not Found", h())).toBeInstanceOf(NotFoundError);
    expect(APIError.from(503, { error: "logs not configured" }, h())).toBeInstanceOf(ServiceUnavailableError);
    expect(APIError.from(500, "x", h())).toBeInstanceOf(InternalServerError);
    expect(APIError.from(502, "x", h())).toBeInstanceOf(InternalServerError);
    const e = APIError.from(405, "405: Method Not Allowed", h({ allow: "GET,HEAD" }));
    expect(e.constructor).toBe(APIError);
    expect(e.message).toBe("405 405: Method Not Allowed");
    expect(e.headers.get("allow")).toBe("GET,HEAD");
    expect(APIError.from(401, { error: "unauthorized" }, h()).message).toBe("401 unauthorized");
  });

  it("reads totalSize from a 416's Content-Range", () => {
    const e = APIError.from(416, "", h({ "content-range": "bytes */1234" }));
    expect(e).toBeInstanceOf(RangeNotSatisfiableError);
    expect((e as RangeNotSatisfiableError).totalSize).toBe(1234);
    expect((APIError.from(416, "", h()) as RangeNotSatisfiableError).totalSize).toBeNaN();
  });
});

describe("utf-8 boundaries", () => {
  const bytes = (...b: number[]) => new Uint8Array(b);
  it("counts the tail of a sequence cut at the start", () => {
    expect(leadingContinuationBytes(bytes(0xa9, 0x41))).toBe(1); // …é cut after its lead byte
    expect(leadingContinuationBytes(bytes(0x98, 0x80, 0x41))).toBe(2);
    expect(leadingContinuationBytes(bytes(0x41))).toBe(0);
  });
  it("counts a sequence cut at the end", () => {
    expect(trailingIncompleteBytes(bytes(0x41, 0xc3))).toBe(1);
    expect(trailingIncompleteBytes(bytes(0x41, 0xf0, 0x9f, 0x98))).toBe(3);
    expect(trailingIncompleteBytes(bytes(0x41, 0xf0, 0x9f, 0x98, 0x80))).toBe(0);
    expect(trailingIncompleteBytes(bytes(0x41, 0xc3, 0xa9))).toBe(0);
    expect(trailingIncompleteBytes(bytes())).toBe(0);
  });
});
