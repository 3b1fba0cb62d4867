import { getJson, type RequestConfig, type RequestOptions } from "../core/request.js";
import {
  epochSeconds,
  optionalEpochSeconds,
  expectArray,
  expectObject,
  int,
  listResult,
  nullableInt,
  num,
  parseEntries,
  str,
  type ListResult,
} from "../core/validate.js";

/** `interrupted` appears in newer ductor versions; unknown future values pass through as strings. */
export type TaskStatus = "running" | "waiting" | "done" | "failed" | "cancelled" | "interrupted" | (string & {});

/** A background task in flight (finished ones are not listed by ductor). */
export interface Task {
  taskId: string;
  chatId: number;
  parentAgent: string;
  name: string;
  /** First 80 characters of the prompt. There is no `prompt` field on the wire. */
  promptPreview: string;
  /** The full prompt; can be long. */
  originalPrompt: string;
  /** May be `""` right after submission. */
  provider: string;
  model: string;
  status: TaskStatus;
  sessionId: string;
  createdAt: Date;
  /** `null` while running (ductor sends `0.0`). */
  completedAt: Date | null;
  elapsedSeconds: number;
  error: string;
  resultPreview: string;
  questionCount: number;
  numTurns: number;
  lastQuestion: string;
  thinking: string;
  /** Newer ductor versions only; `""` otherwise. */
  reasoningEffort: string;
  tasksDir: string;
  threadId: number | null;
  priority: string;
}

/** In submission order. Entries that could not be read are in `skipped` (key = array index). */
export type TaskList = ListResult<Task>;

export async function getTasks(config: RequestConfig, options?: RequestOptions): Promise<TaskList> {
  return parseTasks(await getJson(config, "/dashboard/tasks", options));
}

export function parseTasks(body: unknown): TaskList {
  const entries = expectArray(body, "tasks").map((v, i): [string, unknown] => [String(i), v]);
  const { items, skipped } = parseEntries(entries, parseTask);
  return listResult(items, skipped);
}

/** Only `task_id` and `created_at` are required; the field set grows between ductor versions. */
function parseTask(value: unknown, index: string): Task {
  const path = `tasks[${index}]`;
  const t = expectObject(value, path);
  const taskId = str(t, "task_id", path);
  return {
    taskId,
    chatId: int(t, "chat_id", path, 0),
    parentAgent: str(t, "parent_agent", path, "main"),
    name: str(t, "name", path, taskId),
    promptPreview: str(t, "prompt_preview", path, ""),
    originalPrompt: str(t, "original_prompt", path, ""),
    provider: str(t, "provider", path, ""),
    model: str(t, "model", path, ""),
    status: str(t, "status", path, "running"),
    sessionId: str(t, "session_id", path, ""),
    createdAt: epochSeconds(t, "created_at", path),
    completedAt: optionalEpochSeconds(t, "completed_at", path),
    elapsedSeconds: num(t, "elapsed_seconds", path, 0),
    error: str(t, "error", path, ""),
    resultPreview: str(t, "result_preview", path, ""),
    questionCount: int(t, "question_count", path, 0),
    numTurns: int(t, "num_turns", path, 0),
    lastQuestion: str(t, "last_question", path, ""),
    thinking: str(t, "thinking", path, ""),
    reasoningEffort: str(t, "reasoning_effort", path, ""),
    tasksDir: str(t, "tasks_dir", path, ""),
    threadId: nullableInt(t, "thread_id", path),
    priority: str(t, "priority", path, "background"),
  };
}
