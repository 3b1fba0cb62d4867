#!/usr/bin/env node
/**
 * Generates the bundled recordings and their data folders, deterministically (seeded PRNG, fixed
 * clock), so a re-run produces byte-identical files and a diff shows only intended changes.
 *
 *   node scripts/generate-recordings.mjs
 *
 * Output: recordings/<name>.jsonl and recordings/<name>/{sessions.json,tasks.json,logs/…}
 *
 * Over 300 lines on purpose: most of it is the scripted content of the two sessions (their text, tool
 * calls, sessions, tasks and log lines), which reads best in one place beside the few helpers that
 * write it out. It only runs by hand, when the bundled recordings change.
 */
import { mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "recordings");

// ---------- deterministic helpers ----------

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A float that must be written with a decimal point even when integral (Python float). */
class F {
  constructor(v) {
    this.v = v;
  }
}
const f = (v) => new F(v);

function pyFloat(v) {
  if (Number.isInteger(v)) return `${v}.0`;
  if (Math.abs(v) < 1e-4) {
    // Python's repr switches to exponent form below 1e-4, with a two-digit exponent.
    const [m, e] = v.toExponential().split("e");
    const n = Number(e);
    return `${m}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  return String(v);
}

/** Python `json.dumps(value, indent=2, ensure_ascii=False)`: how ductor writes its JSON files. */
function dumpsIndent(value, level = 0) {
  const pad = "  ".repeat(level + 1);
  const end = "  ".repeat(level);
  if (value instanceof F) return pyFloat(value.v);
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value !== "object") return String(value);
  if (value instanceof Map) {
    // A Map keeps insertion order even for numeric-looking keys (a plain object would not).
    if (value.size === 0) return "{}";
    return `{\n${[...value].map(([k, v]) => `${pad}${JSON.stringify(k)}: ${dumpsIndent(v, level + 1)}`).join(",\n")}\n${end}}`;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => pad + dumpsIndent(v, level + 1)).join(",\n")}\n${end}]`;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return "{}";
  return `{\n${keys.map((k) => `${pad}${JSON.stringify(k)}: ${dumpsIndent(value[k], level + 1)}`).join(",\n")}\n${end}}`;
}

/** The same value as the JSON the recording snapshot stores (plain numbers). */
const plain = (value) =>
  JSON.parse(JSON.stringify(value, (_k, v) => (v instanceof F ? v.v : v instanceof Map ? Object.fromEntries(v) : v)));

// ---------- recordings ----------

class Timeline {
  constructor(seed) {
    this.t = 0;
    this.lines = [];
    this.rand = mulberry32(seed);
  }
  /** Advance by a gap in [min, max] ms (integer). */
  wait(min, max = min) {
    this.t += Math.round(min + (max - min) * this.rand());
    return this;
  }
  ev(type, data) {
    this.lines.push({ t: this.t, event: { type, data } });
    return this;
  }
  text(data, min = 1500, max = 5000) {
    return this.wait(min, max).ev("text_delta", data);
  }
  tool(name, min = 800, max = 5000) {
    return this.wait(min, max).ev("tool_activity", name);
  }
  status(label, min = 500, max = 2000) {
    return this.wait(min, max).ev("system_status", label);
  }
  snapshot(path, body) {
    this.lines.push({ t: this.t, snapshot: { path, status: 200, body } });
    return this;
  }
}

function writeRecording(name, header, lines) {
  const text = `${[JSON.stringify(header), ...lines.map((l) => JSON.stringify(l))].join("\n")}\n`;
  writeFileSync(join(ROOT, `${name}.jsonl`), text);
}

// ---------- data folders ----------

const BASE_EPOCH = 1776762000; // 2026-04-21 09:00:00 UTC

function isoAt(epochSeconds, micros) {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, `.${String(micros).padStart(6, "0")}+00:00`);
}

function sessionsFor(primaryProvider) {
  return new Map([
    [
      "tg:123456789",
      {
        transport: "tg",
        chat_id: 123456789,
        topic_id: null,
        topic_name: null,
        provider: primaryProvider,
        model: primaryProvider === "claude" ? "opus" : "gpt-5.4",
        created_at: isoAt(BASE_EPOCH + 764, 801233),
        last_active: isoAt(BASE_EPOCH + 3797, 120977),
        provider_sessions: {
          claude: { session_id: "3f0c9a4e-1b7d-4c1e-9d55-0a6c2e9b1f10", message_count: 12, total_cost_usd: f(0.8421), total_tokens: 48211 },
          codex: { session_id: "", message_count: 3, total_cost_usd: f(0), total_tokens: 9120 },
        },
      },
    ],
    [
      "tg:-1001234567890:42",
      {
        transport: "tg",
        chat_id: -1001234567890,
        topic_id: 42,
        topic_name: "Research 🔬 Forschung",
        provider: "codex",
        model: "gpt-5.4",
        created_at: isoAt(BASE_EPOCH - 53998, 113),
        last_active: isoAt(BASE_EPOCH - 51545, 402211),
        provider_sessions: {},
      },
    ],
    [
      "tg:-1001234567890:7",
      {
        transport: "tg",
        chat_id: -1001234567890,
        topic_id: 7,
        topic_name: "開発 / dev",
        provider: "gemini",
        model: "gemini-2.5-pro",
        reasoning_effort: "medium",
        created_at: isoAt(BASE_EPOCH - 172800, 5),
        last_active: isoAt(BASE_EPOCH - 90000, 999999),
        provider_sessions: {
          gemini: {
            session_id: "b1d2e3f4-0000-4a5b-8c9d-112233445566",
            message_count: 41,
            total_cost_usd: f(1.0e-5),
            total_tokens: 310422,
          },
        },
      },
    ],
    [
      "mx:!kXqWbZtYvPaLmNoR:matrix.example.org",
      {
        transport: "mx",
        chat_id: "!kXqWbZtYvPaLmNoR:matrix.example.org",
        topic_id: null,
        topic_name: null,
        provider: "claude",
        model: "sonnet",
        created_at: isoAt(BASE_EPOCH - 7200, 42),
        last_active: isoAt(BASE_EPOCH - 3600, 4242),
        provider_sessions: {
          claude: { session_id: "9a8b7c6d-5e4f-4321-abcd-ef0123456789", message_count: 5, total_cost_usd: f(0.1375), total_tokens: 20877 },
        },
      },
    ],
    // Legacy shapes (§4.1): unprefixed keys, flat metrics, no provider_sessions.
    [
      "987654321",
      {
        chat_id: 987654321,
        provider: "claude",
        model: "sonnet",
        session_id: "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
        message_count: 88,
        total_cost_usd: f(12.5),
        total_tokens: 1203344,
        created_at: "2025-11-02T08:00:00.000001+00:00",
        last_active: "2026-01-15T22:41:09.300000+00:00",
      },
    ],
    [
      "987654321:99",
      {
        chat_id: 987654321,
        topic_id: 99,
        provider: "codex",
        model: "o4-mini",
        session_id: "",
        message_count: 0,
        total_cost_usd: f(0),
        total_tokens: 0,
        created_at: "2025-12-24T18:30:00.000000+00:00",
        last_active: "2025-12-24T18:30:00.000000+00:00",
      },
    ],
  ]);
}

function task(fields) {
  // Keys in TaskEntry order (§4.2).
  return {
    task_id: fields.task_id,
    chat_id: fields.chat_id ?? 123456789,
    parent_agent: fields.parent_agent ?? "main",
    name: fields.name ?? fields.task_id,
    prompt_preview: fields.original_prompt.slice(0, 80),
    provider: fields.provider ?? "claude",
    model: fields.model ?? "sonnet",
    status: fields.status ?? "running",
    session_id: fields.session_id ?? "",
    created_at: f(fields.created_at),
    completed_at: f(fields.completed_at ?? 0),
    elapsed_seconds: f(fields.elapsed_seconds ?? 0),
    error: fields.error ?? "",
    result_preview: fields.result_preview ?? "",
    question_count: fields.question_count ?? 0,
    num_turns: fields.num_turns ?? 0,
    last_question: fields.last_question ?? "",
    original_prompt: fields.original_prompt,
    thinking: fields.thinking ?? "",
    reasoning_effort: fields.reasoning_effort ?? "",
    tasks_dir: "/home/dev/.ductor/workspace/tasks",
    thread_id: fields.thread_id ?? null,
    priority: fields.priority ?? "background",
  };
}

function tasksFor(kind) {
  const common = [
    task({
      task_id: "9f2c4a1e",
      name: "pricing-research",
      original_prompt:
        "Research current pricing of the three vendors listed in handoffs/vendors.md and write a comparison table to handoffs/pricing.md. Include per-seat and usage-based tiers.",
      created_at: BASE_EPOCH + 12.5531,
    }),
    task({
      task_id: "0b7d3e91",
      parent_agent: "docs-agent",
      chat_id: -1001234567890,
      thread_id: 42,
      provider: "codex",
      model: "gpt-5.4",
      status: "waiting",
      session_id: "thread_01HZX3",
      original_prompt: "Draft the migration guide for v2 → v3 (breaking changes: config keys, CLI flags, the removed `--legacy` mode).",
      created_at: BASE_EPOCH - 1800.25,
      question_count: 1,
      num_turns: 6,
      last_question: "Should the guide cover Windows service setup too, or link to the existing page?",
      priority: "interactive",
    }),
    task({
      task_id: "c4e5f6a7",
      status: "done",
      session_id: "7e6d5c4b-3a29-4817-9605-f4e3d2c1b0a9",
      original_prompt: "Summarise yesterday's failed CI runs and group them by root cause.",
      created_at: BASE_EPOCH - 600.75,
      completed_at: BASE_EPOCH - 12.125,
      elapsed_seconds: 588.625,
      result_preview: "3 root causes: flaky network test (4 runs), missing env var in deploy job (2), OOM in e2e shard 3 (1).",
      num_turns: 9,
      priority: "batch",
    }),
  ];
  if (kind === "coding") {
    common.push(
      task({
        task_id: "d00df00d",
        status: "failed",
        provider: "gemini",
        model: "gemini-2.5-pro",
        original_prompt: "Bump every dependency to its latest minor version and run the full test suite.",
        created_at: BASE_EPOCH - 300,
        completed_at: BASE_EPOCH - 240,
        elapsed_seconds: 60,
        error: "CLI exited with code 1: rate limit exceeded (429)",
        num_turns: 2,
      }),
    );
  } else {
    common.push(
      task({
        task_id: "e1f2a3b4",
        status: "cancelled",
        provider: "",
        model: "",
        original_prompt: "翻訳: README を日本語に翻訳して docs/ja/README.md に保存してください。見出しはそのまま残すこと。",
        created_at: BASE_EPOCH + 0.5,
        completed_at: BASE_EPOCH + 3.0,
        elapsed_seconds: 2.5,
      }),
    );
  }
  return common;
}

function pad2(n) {
  return String(n).padStart(2, "0");
}

function stamp(epoch) {
  // Host local time, rendered here as UTC so the output does not depend on the machine's zone.
  const d = new Date(epoch * 1000);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

function agentLog(seed, startEpoch, lineCount, withTraceback) {
  const rand = mulberry32(seed);
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const lines = [];
  let t = startEpoch;
  lines.push(`${stamp(t)} [INFO] ductor_bot.logging_config:logging_config.py:135: Logging initialized (level=INFO)`);
  t += 3;
  lines.push(`${stamp(t)} [INFO] ductor_bot.api.server:server.py:262: API server listening on 0.0.0.0:8741`);
  const templates = [
    () => `[INFO] ductor_bot.api.server:server.py:453: [main:api:123456789] API client authenticated key=tg:123456789 (E2E)`,
    () =>
      `[INFO] ductor_bot.api.server:server.py:1021: Dashboard WebSocket connected from 100.101.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}`,
    () =>
      `[INFO] ductor_bot.orchestrator.core:core.py:388: [main:msg:123456789:3f0c9a4e] Processing message (len=${Math.floor(rand() * 4000)})`,
    () =>
      `[DEBUG] ductor_bot.cli.claude:claude.py:214: [main:api:123456789:3f0c9a4e] stream event type=${pick(["assistant", "user", "system", "result"])}`,
    () => `[INFO] ductor_bot.cron.scheduler:scheduler.py:97: [main:cron] Job "daily-digest" next run at ${stamp(t + 3600)}`,
    () => `[INFO] ductor_bot.heartbeat:heartbeat.py:58: [main:hb] Heartbeat ok (agents=3, tasks=${Math.floor(rand() * 4)})`,
    () =>
      `[WARNING] ductor_bot.bus.lock_pool:lock_pool.py:71: [main:msg:-1001234567890:42] Lock wait ${(rand() * 5).toFixed(2)}s for key=tg:-1001234567890:42`,
    () => `[INFO] ductor_bot.tasks.hub:hub.py:233: [docs-agent:task] Task 0b7d3e91 asked a question (question_count=1)`,
    () =>
      `[INFO] ductor_bot.session.manager:manager.py:142: [main:msg:123456789] Session saved key=tg:123456789 provider=claude messages=${Math.floor(rand() * 40)}`,
    () =>
      `[INFO] ductor_bot.matrix.bot:bot.py:301: [main:msg:!kXqWbZtYvPaLmNoR] Message from @lena:matrix.example.org — “Kannst du das Deployment prüfen?”`,
    () =>
      `[WARNING] ductor_bot.cli.codex:codex.py:402: [main:api:123456789] Codex stream ended without final message; falling back to non-streaming retry`,
  ];
  for (let i = 2; i < lineCount; i++) {
    t += Math.floor(rand() * 40);
    lines.push(`${stamp(t)} ${pick(templates)()}`);
    if (withTraceback && i === Math.floor(lineCount * 0.6)) {
      lines.push(
        `${stamp(t)} [ERROR] ductor_bot.api.server:server.py:622: [main:api:123456789:3f0c9a4e] API dispatch error key=tg:123456789`,
      );
      lines.push("Traceback (most recent call last):");
      lines.push('  File "/opt/ductor/ductor_bot/api/server.py", line 612, in _execute_streaming');
      lines.push("    result = await self._handle_message(key, text, callbacks=callbacks)");
      lines.push('  File "/opt/ductor/ductor_bot/orchestrator/core.py", line 401, in handle_message_streaming');
      lines.push("    return await self._run_cli(session, prompt, on_text=on_text)");
      lines.push('  File "/opt/ductor/ductor_bot/cli/claude.py", line 288, in run');
      lines.push('    raise CLIError(f"claude exited with {proc.returncode}: {stderr[-200:]}")');
      lines.push("ductor_bot.cli.errors.CLIError: claude exited with 1: Error: session 3f0c9a4e not found");
    }
  }
  return `${lines.join("\n")}\n`;
}

function serviceErr() {
  return [
    "09:00:01 INFO     ductor_bot.main: starting ductor 0.16.2",
    "09:00:02 WARNING  ductor_bot.api.server: API server: Tailscale NOT detected. Your API may be exposed to the public internet on 0.0.0.0:8741.",
    "09:14:55 ERROR    ductor_bot.cli.gemini: gemini CLI wrote to stderr: \u001b[31mError:\u001b[0m quota exceeded",
    "09:14:55 ERROR    ductor_bot.tasks.hub: Task d00df00d failed: CLI exited with code 1",
    "",
  ].join("\n");
}

function writeDataFolder(name, kind, provider, logSeed) {
  const dir = join(ROOT, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "logs"), { recursive: true });
  const sessions = sessionsFor(provider);
  const tasks = tasksFor(kind);
  writeFileSync(join(dir, "sessions.json"), dumpsIndent(sessions));
  writeFileSync(join(dir, "tasks.json"), dumpsIndent(tasks));
  const logs = [
    ["agent.log", agentLog(logSeed, BASE_EPOCH, 700, true), BASE_EPOCH + 3797.25],
    ["agent.log.1", agentLog(logSeed + 1, BASE_EPOCH - 86400, 250, false), BASE_EPOCH - 60.5],
    ["service.err", serviceErr(), BASE_EPOCH + 895.125],
  ];
  for (const [file, text, mtime] of logs) {
    const path = join(dir, "logs", file);
    writeFileSync(path, text);
    utimesSync(path, mtime, mtime);
  }
  // Git and `npm pack` do not keep mtimes, so the folder pins them itself (see routes/logs.ts).
  writeFileSync(
    join(dir, LOG_MTIMES_FILE),
    `${JSON.stringify(Object.fromEntries(logs.map(([file, , mtime]) => [file, mtime])), null, 2)}\n`,
  );
  const listing = logs
    .map(([file, , mtime]) => ({ name: file, size: statSync(join(dir, "logs", file)).size, mtime }))
    .sort((a, b) => b.mtime - a.mtime);
  return { sessions: plain(sessions), tasks: plain(tasks), listing };
}

const LOG_MTIMES_FILE = "log-mtimes.json";

// ---------- coding-session ----------

function codingSession() {
  const data = writeDataFolder("coding-session", "coding", "claude", 1234);
  const tl = new Timeline(42);
  const repo = "/home/dev/projects/invoice-service";
  tl.snapshot("/dashboard/status", {
    status: "ok",
    provider: "opus",
    model: "claude",
    uptime_seconds: 3797,
    connections: 1,
    dashboard_connections: 1,
  });
  tl.snapshot("/dashboard/sessions", data.sessions);
  tl.snapshot("/dashboard/tasks", data.tasks);
  tl.snapshot("/dashboard/logs", data.listing);

  tl.status("thinking", 300, 600);
  tl.text("I'll start by reproducing the failure, then trace it to the code that computes the totals.", 2500, 4000);
  tl.tool("TodoWrite");
  tl.tool("Shell");
  tl.status("thinking", 2000, 4000);
  tl.text(
    "The test run fails in one place:\n\n```\nFAIL  test/totals.test.ts > invoice totals > applies the discount before tax\n  AssertionError: expected 107.99 to be 107.98\n   ❯ test/totals.test.ts:41:27\n```\n\nThat's a rounding issue: the discount and the tax are rounded separately. Let me find where totals are computed.",
  );
  tl.tool("Grep");
  tl.tool("Glob");
  tl.tool("Read");
  tl.tool("Read");
  tl.status("thinking", 1500, 3000);
  tl.text(
    `Found it in <file:${repo}/src/totals.ts>. \`computeTotal()\` rounds after each step:\n\n\`\`\`ts\nconst discounted = round2(subtotal * (1 - discount));\nconst tax = round2(discounted * rate);\nreturn round2(discounted + tax);\n\`\`\`\n\nRounding \`discounted\` before computing the tax loses a cent on some inputs. The fix is to keep full precision until the end and round once, in **cents**, with banker's rounding disabled.`,
  );
  tl.tool("Read");
  tl.tool("Grep");
  tl.tool("Read");
  tl.tool("TodoWrite");
  tl.tool("Edit", 3000, 6000);
  tl.tool("Shell", 1000, 2000);
  tl.status("thinking", 4000, 7000);
  tl.text(
    "The totals test passes now, but two other tests broke:\n\n| test | expected | got |\n|---|---|---|\n| `rounds half-cents up` | 10.01 | 10.00 |\n| `handles zero tax` | 99.99 | 99.98 |\n\nBoth depend on `round2` being applied to the tax on its own. I'll switch to integer cents throughout instead.",
  );
  tl.tool("Read");
  tl.tool("Glob");
  tl.tool("Grep");
  tl.tool("Read");
  tl.tool("Read");
  tl.text(
    `\`round2\` is used in four more places (<file:${repo}/src/tax.ts>, <file:${repo}/src/discounts.ts>, two reports). I'll add \`toCents\`/\`fromCents\` helpers and migrate them one by one.`,
  );
  tl.tool("Write", 3000, 6000);
  tl.tool("Edit", 3000, 5000);
  tl.tool("Edit", 2000, 4000);
  tl.tool("MultiEdit", 4000, 7000);
  tl.tool("Shell", 1000, 2000);
  tl.text(
    "One type error left in the reports module:\n\n```\nsrc/reports/monthly.ts:57:19 - error TS2345: Argument of type 'number' is not assignable to parameter of type 'Cents'.\n```",
  );
  tl.tool("Read");
  tl.tool("Edit", 2000, 4000);
  tl.tool("Shell", 1000, 2000);
  tl.status("compacting", 5000, 8000);
  tl.status(null, 9000, 14000);
  tl.status("thinking", 1000, 2000);
  tl.text(
    "Context was compacted; continuing with the cents refactor. Running the full suite to check nothing else depends on the old helper.",
  );
  tl.tool("Shell", 1500, 3000);
  tl.status("recovering", 6000, 9000);
  tl.text("Session recovered — the previous CLI session had expired, so I started a fresh one with the same context.\n\n", 4000, 6000);
  tl.status("thinking", 800, 1500);
  tl.tool("Read");
  tl.tool("Grep");
  tl.tool("Shell", 1500, 3000);
  tl.text("All 148 tests pass:\n\n```\n Test Files  23 passed (23)\n      Tests  148 passed (148)\n   Duration  4.81s\n```", 3000, 5000);
  tl.tool("TodoWrite");
  tl.tool("Shell"); // git switch -c / commit
  tl.tool("Shell"); // git push
  tl.tool("mcp__github__create_pull_request", 1500, 3000);
  tl.tool("TodoWrite", 2000, 3000);
  tl.text(
    `Done. Summary of the fix:\n\n1. **Root cause**: \`computeTotal()\` rounded the discounted subtotal before applying tax, so some invoices were off by one cent.\n2. **Fix**: totals are computed in integer cents end to end (\`toCents\` / \`fromCents\` in <file:${repo}/src/money.ts>), rounding once.\n3. **Tests**: added 3 regression cases to <file:${repo}/test/totals.test.ts>; the full suite passes.\n\nPull request: https://github.com/acme/invoice-service/pull/317 — "Fix one-cent rounding error in invoice totals".`,
    2500,
    4000,
  );
  writeRecording(
    "coding-session",
    { ductorRecording: 1, recordedAt: "2026-04-21T10:03:17.120Z", source: "synthetic", provider: "claude", model: "opus" },
    tl.lines,
  );
  return tl;
}

// ---------- long-output ----------

function longOutput() {
  const data = writeDataFolder("long-output", "long", "codex", 5678);
  const tl = new Timeline(7);
  tl.snapshot("/dashboard/status", {
    status: "ok",
    provider: "gpt-5.4",
    model: "codex",
    uptime_seconds: 120,
    connections: 1,
    dashboard_connections: 1,
  });
  tl.snapshot("/dashboard/sessions", data.sessions);
  tl.snapshot("/dashboard/tasks", data.tasks);
  tl.snapshot("/dashboard/logs", data.listing);

  tl.text("**[release-notes | codex]**\n", 200, 400);
  tl.status("thinking", 500, 1000);
  tl.tool("Shell");
  tl.text(
    "# Release notes — v3.0.0\n\n## Highlights\n\n- 🚀 Startup is **2.4×** faster\n- 🌍 New translations: 日本語, 中文 (简体), 한국어, العربية, עברית, Ελληνικά\n- ♿ Better screen-reader labels\n\n## Internationalisation check\n\n| Language | Sample | Direction |\n|---|---|---|\n| Japanese | 設定を保存しました | LTR |\n| Chinese | 设置已保存 | LTR |\n| Korean | 설정이 저장되었습니다 | LTR |\n| Arabic | تم حفظ الإعدادات | RTL |\n| Hebrew | ההגדרות נשמרו | RTL |\n| Hindi | सेटिंग्स सहेजी गईं | LTR |\n| Emoji ZWJ | 👩‍💻 👨‍👩‍👧‍👦 🏳️‍🌈 | — |\n| Combining | e\u0301 a\u0308 n\u0303 Z\u0335\u0321a\u0336\u0322l\u0334\u031bg\u0337o\u0338 | — |\n",
    1500,
    3000,
  );
  tl.tool("");
  tl.tool("run_shell_command");
  tl.tool("read_file");
  // ANSI escape text as a CLI prints it (the renderer must show it as text, not colour).
  const ansi = [
    "```",
    "\u001b[1m\u001b[32m✓\u001b[0m build        \u001b[2m(1.92s)\u001b[0m",
    "\u001b[1m\u001b[31m✗\u001b[0m lint         \u001b[31m3 errors\u001b[0m",
    "\u001b[33mwarning\u001b[0m: unused import `std::fmt` at src/lib.rs:3:5",
    "\u001b[31m  error\u001b[0m: mismatched types at src/main.rs:88:17 → expected `u32`, found `i64`",
    "\u001b[0K\r[==========>         ] 52%\r[====================] 100%",
    "```",
  ].join("\n");
  tl.text(`Build output:\n\n${ansi}\n`);
  // Very long lines: a 6,000-character single line and a long path-like line.
  const rand = mulberry32(99);
  const words = ["lorem", "ipsum", "δ-delta", "数据", "données", "🔥", "naïve", "façade", "Straße", "—", "résumé", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"];
  let long = "";
  while (long.length < 6000) long += `${words[Math.floor(rand() * words.length)]} `;
  tl.text(`Long line follows:\n${long.trimEnd()}\n`);
  tl.text(`/${Array.from({ length: 120 }, (_, i) => `segment-${i}`).join("/")}/final-file.txt\n`);
  // Many-line output: a table of 300 rows in one chunk (ductor sends whole messages).
  const rows = ["| # | package | old | new | note |", "|---:|---|---|---|---|"];
  for (let i = 1; i <= 300; i++) {
    rows.push(
      `| ${i} | pkg-${String(i).padStart(3, "0")}-${words[i % words.length]} | 1.${i % 17}.${i % 5} | 2.${i % 13}.0 | ${i % 50 === 0 ? "⚠️ breaking" : "ok"} |`,
    );
  }
  tl.text(`## Dependency changes\n\n${rows.join("\n")}\n`, 2000, 4000);
  tl.status("thinking");
  tl.tool("WebSearch");
  tl.text(
    "Right-to-left paragraph check:\n\nמשפט בעברית עם מספר 12345 ו-English בתוכו.\nجملة عربية تحتوي على رقم ٣٤٥ وكلمة English في الوسط.\n\nBidi controls as text: \u202eREVERSED\u202c and \u2067isolate\u2069.\n",
  );
  tl.tool("Edit");
  tl.tool("Shell");
  for (let i = 0; i < 40; i++) {
    tl.text(
      `Step ${i + 1}/40: ${"█".repeat(i % 20)}${"░".repeat(20 - (i % 20))} ${words[i % words.length]} — ${"x".repeat(60 + ((i * 37) % 200))}\n`,
      100,
      600,
    );
  }
  tl.status(null);
  tl.text(
    'Done ✅ — release notes written to <file:/home/dev/projects/app/CHANGELOG.md>.\n\nNon-BMP check: 𝄞 𠀋 🀄 — tab\tseparated\tvalues — backslash \\ and "quotes".',
  );
  writeRecording(
    "long-output",
    { ductorRecording: 1, recordedAt: "2026-04-21T12:00:00.000Z", source: "synthetic", provider: "codex", model: "gpt-5.4" },
    tl.lines,
  );
  return tl;
}

mkdirSync(ROOT, { recursive: true });
const a = codingSession();
const b = longOutput();
console.log(`coding-session: ${a.lines.length} lines, ${(a.t / 1000).toFixed(1)} s`);
console.log(`long-output: ${b.lines.length} lines, ${(b.t / 1000).toFixed(1)} s`);
