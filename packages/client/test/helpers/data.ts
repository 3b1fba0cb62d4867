import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A ductor data folder (sessions.json, tasks.json, logs/) for the mock server, as ductor would hold it. */
export function makeDataDir(): { dir: string; log: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), "ductor-client-test-"));
  const sessions = {
    "tg:123456789": {
      transport: "tg",
      chat_id: 123456789,
      topic_id: null,
      topic_name: null,
      provider: "claude",
      model: "opus",
      created_at: "2026-04-21T09:12:44.801233+00:00",
      last_active: "2026-04-21T10:03:17.120977+00:00",
      provider_sessions: { claude: { session_id: "3f0c9a4e", message_count: 12, total_cost_usd: 0.8421, total_tokens: 48211 } },
    },
    "tg:-1001234567890:42": {
      transport: "tg",
      chat_id: -1001234567890,
      topic_id: 42,
      topic_name: "Récherche",
      provider: "codex",
      model: "gpt-5.4",
      created_at: "2026-04-20T18:01:02.000113+00:00",
      last_active: "2026-04-20T18:40:55.402211+00:00",
      provider_sessions: {},
    },
    "987654321": {
      provider: "claude",
      model: "sonnet",
      created_at: "2025-12-01T08:00:00.000001+00:00",
      last_active: "2025-12-01T09:00:00.000001+00:00",
      session_id: "old",
      message_count: 2,
      total_cost_usd: 3.5e-5,
      total_tokens: 10,
    },
    "tg:broken": { transport: "tg", chat_id: [1], last_active: "2026-01-01T00:00:00+00:00" },
  };
  const tasks = [
    {
      task_id: "9f2c4a1e",
      chat_id: 123456789,
      parent_agent: "main",
      name: "pricing-research",
      prompt_preview: "Research current pricing",
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
      original_prompt: "Research current pricing (full)",
      thinking: "",
      tasks_dir: "/home/user/.ductor/workspace/tasks",
      thread_id: null,
      priority: "background",
      future_field: true,
    },
  ];
  writeFileSync(join(dir, "sessions.json"), JSON.stringify(sessions));
  writeFileSync(join(dir, "tasks.json"), JSON.stringify(tasks));
  mkdirSync(join(dir, "logs"));
  const log = Buffer.from("2026-04-21 12:00:00 [INFO] ductor_bot.api.server:server.py:262: API server listening — ✓ ö\n", "utf8");
  writeFileSync(join(dir, "logs", "agent.log"), log);
  writeFileSync(join(dir, "logs", "service log #1.err"), Buffer.from([0x6f, 0x6b, 0xff, 0x0a]));
  return { dir, log };
}
