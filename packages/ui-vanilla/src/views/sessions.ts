import { elementBanner } from "../app/failure.js";
import { createPolling } from "../app/poll.js";
import type { Scope } from "../app/scope.js";
import type { AppContext, SessionData, TaskData, View } from "../app/types.js";
import { h } from "../dom.js";
import { formatCost, formatCount, formatDuration, formatRelative } from "../format.js";
import { breakableId, createTable } from "./data-table.js";
import { createUsagePanel } from "./usage-panel.js";
import { createViewHeader } from "./view-header.js";

const SESSIONS_INTERVAL_MS = 3_000;

const KNOWN_STATUSES = new Set(["running", "waiting", "done", "failed", "cancelled", "interrupted"]);

function pill(status: string): HTMLElement {
  const known = KNOWN_STATUSES.has(status) ? status : "unknown";
  return h("span", { class: `pill pill-${known}` }, status || "unknown");
}

function when(date: Date | null | undefined, now: number): Node {
  const valid = date instanceof Date && Number.isFinite(date.getTime());
  return h("time", valid ? { datetime: date.toISOString(), title: date.toLocaleString() } : null, formatRelative(valid ? date : null, now));
}

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

function sessionTotals(s: SessionData): { messages: number; cost: number; tokens: number } {
  let messages = 0;
  let cost = 0;
  let tokens = 0;
  const ps = (s as { providerSessions?: Record<string, unknown> }).providerSessions ?? {};
  for (const v of Object.values(ps)) {
    const m = (v ?? {}) as { messageCount?: unknown; totalCostUsd?: unknown; totalTokens?: unknown };
    messages += num(m.messageCount);
    cost += num(m.totalCostUsd);
    tokens += num(m.totalTokens);
  }
  return { messages, cost, tokens };
}

export function createSessionsView(ctx: AppContext, scope: Scope): View {
  const header = createViewHeader("Sessions & tasks", "dd-h-sessions");
  const tasksError = h("p", { class: "banner banner-error", role: "alert", hidden: true });
  const sessionsError = h("p", { class: "banner banner-error", role: "alert", hidden: true });
  const tasks = createTable(
    "Background tasks",
    [
      "Task",
      { label: "Status", kind: "value" },
      "Provider / model",
      "Prompt",
      { label: "Created", kind: "value" },
      { label: "Elapsed", kind: "value" },
    ],
    "No background tasks.",
    "tasks",
  );
  const sessions = createTable(
    "Sessions",
    [
      { label: "Key", kind: "id" },
      "Topic",
      "Provider",
      "Model",
      { label: "Last active", kind: "value" },
      { label: "Messages", kind: "value" },
      { label: "Cost", kind: "value" },
      { label: "Tokens", kind: "value" },
    ],
    "No sessions yet: sessions.json is empty or missing.",
    "sessions",
  );
  const usage = createUsagePanel(ctx, scope);
  const tasksCount = h("span", { class: "count muted" });
  const sessionsCount = h("span", { class: "count muted" });
  const el = h(
    "section",
    { class: "view view-sessions", "aria-labelledby": "dd-h-sessions", hidden: true },
    header.el,
    header.error,
    h(
      "section",
      { class: "panel", "aria-labelledby": "dd-h-tasks" },
      h("h2", { id: "dd-h-tasks" }, "Background tasks ", tasksCount),
      tasksError,
      tasks.el,
    ),
    h(
      "section",
      { class: "panel", "aria-labelledby": "dd-h-sess" },
      h("h2", { id: "dd-h-sess" }, "Sessions ", sessionsCount),
      sessionsError,
      sessions.el,
    ),
    usage.el,
  );
  scope.register(() => el.remove());

  const renderTasks = (list: readonly TaskData[], now: number): void => {
    tasksCount.textContent = list.length ? `(${list.length})${skippedNote(list)}` : skippedNote(list).replace(/^ · /, "");
    tasks.set(
      list.map((t) => {
        const created = t.createdAt instanceof Date ? t.createdAt : null;
        const running = t.status === "running" || t.status === "waiting";
        const elapsed = running && created ? (now - created.getTime()) / 1000 : num(t.elapsedSeconds);
        const pm = [t.provider, t.model].filter(Boolean).join(" / ") || "–";
        const name = h("span", { class: "cell-main" }, t.name || t.taskId);
        const cell = t.name && t.name !== t.taskId ? [name, h("span", { class: "cell-sub mono" }, breakableId(t.taskId))] : [name];
        const full = t.originalPrompt || t.promptPreview;
        const prompt = h("span", { class: "prompt", title: full }, full || "–");
        // What a person needs next is in these fields, not the prompt: the question a waiting task asks, why a
        // task failed, what a finished one found. Shown under the prompt, in full.
        const detail = t.lastQuestion
          ? h("span", { class: "task-detail task-question" }, `Asks: ${t.lastQuestion}`)
          : t.error
            ? h("span", { class: "task-detail task-error" }, `Error: ${t.error}`)
            : t.resultPreview
              ? h("span", { class: "task-detail task-result" }, `Result: ${t.resultPreview}`)
              : null;
        return [
          h("span", null, cell),
          pill(t.status),
          pm,
          h("span", { class: "cell-prompt" }, prompt, detail),
          when(created, now),
          formatDuration(elapsed),
        ];
      }),
    );
  };

  const skippedNote = (list: unknown): string => {
    const n = (list as { skipped?: readonly unknown[] }).skipped?.length ?? 0;
    return n ? ` · ${n} unreadable entr${n === 1 ? "y" : "ies"} skipped` : "";
  };

  const renderSessions = (list: readonly SessionData[], now: number): void => {
    sessionsCount.textContent = list.length ? `(${list.length})${skippedNote(list)}` : skippedNote(list).replace(/^ · /, "");
    sessions.set(
      list.map((s) => {
        const t = sessionTotals(s);
        return [
          h("span", { class: "mono" }, breakableId(s.key)),
          s.topicName ?? (s.topicId !== null && s.topicId !== undefined ? `#${String(s.topicId)}` : "–"),
          s.provider || "–",
          s.model || "–",
          when(s.lastActive, now),
          formatCount(t.messages),
          formatCost(t.cost),
          formatCount(t.tokens),
        ];
      }),
    );
  };

  const poller = createPolling(ctx, scope, {
    everyMs: SESSIONS_INTERVAL_MS,
    sources: [
      {
        endpoint: "/dashboard/tasks",
        doing: "load tasks",
        banner: elementBanner(tasksError),
        load: (signal) => ctx.client.tasks({ signal }),
        show: renderTasks,
      },
      {
        endpoint: "/dashboard/sessions",
        doing: "load sessions",
        banner: elementBanner(sessionsError),
        load: (signal) => ctx.client.sessions({ signal }),
        show: renderSessions,
      },
    ],
    onRoundOk: (now) => header.ok(now),
  });

  return {
    el,
    show(): void {
      el.hidden = false;
      poller.start();
      usage.poller.start();
    },
    hide(): void {
      el.hidden = true;
      poller.stop();
      usage.poller.stop();
    },
    tick(now: number): void {
      if (!el.hidden) header.tick(now);
    },
  };
}
