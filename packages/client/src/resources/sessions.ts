import { getJson, type RequestConfig, type RequestOptions } from "../core/request.js";
import {
  expectObject,
  fail,
  int,
  isoDate,
  listResult,
  nullableInt,
  nullableStr,
  num,
  parseEntries,
  str,
  type JsonObject,
  type ListResult,
} from "../core/validate.js";

/** Usage of one provider's CLI session within a ductor session. */
export interface ProviderSession {
  sessionId: string;
  messageCount: number;
  totalCostUsd: number;
  totalTokens: number;
}

export interface Session {
  /** The storage key in sessions.json, e.g. `tg:123456789` or `tg:-100123:42` (API sessions use `tg:` too). */
  key: string;
  transport: string;
  /** A number for Telegram; newer ductor versions may use a string (a Matrix room id). */
  chatId: number | string;
  topicId: number | null;
  topicName: string | null;
  provider: string;
  model: string;
  /** Only in ductor versions newer than the PR base. */
  reasoningEffort?: string;
  createdAt: Date;
  lastActive: Date;
  providerSessions: Record<string, ProviderSession>;
  /** The entry had legacy flat metrics (moved into `providerSessions[provider]`) or an unprefixed key. */
  legacy: boolean;
}

/** Sorted newest `lastActive` first. Entries that could not be read are in `skipped`, not thrown. */
export type SessionList = ListResult<Session>;

export async function getSessions(config: RequestConfig, options?: RequestOptions): Promise<SessionList> {
  return parseSessions(await getJson(config, "/dashboard/sessions", options));
}

/**
 * sessions.json is returned raw (protocol.md §2.2, §4.1): any JSON value, legacy keys and fields,
 * stale entries. A non-object body is a ProtocolError; one bad entry is skipped and reported.
 */
export function parseSessions(body: unknown): SessionList {
  const root = expectObject(body, "sessions");
  const { items, skipped } = parseEntries(Object.entries(root), parseSession);
  items.sort((a, b) => b.lastActive.getTime() - a.lastActive.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return listResult(items, skipped);
}

function parseSession(value: unknown, key: string): Session {
  const path = `sessions[${JSON.stringify(key)}]`;
  const e = expectObject(value, path);
  // Legacy keys have no transport prefix ("123456789", "123456789:99"); those were Telegram.
  const prefixed = /^[A-Za-z][\w-]*:/.test(key);
  const keyParts = key.split(":");
  const transport = str(e, "transport", path, prefixed ? keyParts[0]! : "tg");
  const chatId = readChatId(e, path, prefixed ? keyParts[1] : keyParts[0]);
  const provider = str(e, "provider", path, "");
  const createdAt = e.created_at === undefined ? undefined : isoDate(e, "created_at", path);
  const lastActive = e.last_active === undefined && createdAt ? createdAt : isoDate(e, "last_active", path);

  let providerSessions: Record<string, ProviderSession> = {};
  let legacy = !prefixed;
  if (e.provider_sessions !== undefined) {
    const ps = expectObject(e.provider_sessions, `${path}.provider_sessions`);
    for (const [id, v] of Object.entries(ps)) providerSessions[id] = parseProviderSession(v, `${path}.provider_sessions.${id}`);
  } else if (["session_id", "message_count", "total_cost_usd", "total_tokens"].some((k) => k in e)) {
    // Before provider_sessions existed the metrics sat flat on the entry, for the entry's provider.
    providerSessions = { [provider || "claude"]: parseProviderSession(e, path) };
    legacy = true;
  }

  const session: Session = {
    key,
    transport,
    chatId,
    topicId: nullableInt(e, "topic_id", path),
    topicName: nullableStr(e, "topic_name", path),
    provider,
    model: str(e, "model", path, ""),
    createdAt: createdAt ?? lastActive,
    lastActive,
    providerSessions,
    legacy,
  };
  if (typeof e.reasoning_effort === "string") session.reasoningEffort = e.reasoning_effort;
  return session;
}

function readChatId(e: JsonObject, path: string, fromKey: string | undefined): number | string {
  const v = e.chat_id;
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string") return v;
  if (v === undefined && fromKey !== undefined && fromKey !== "") {
    return /^-?\d+$/.test(fromKey) ? Number(fromKey) : fromKey;
  }
  return fail(`${path}.chat_id`, "integer or string", v);
}

function parseProviderSession(value: unknown, path: string): ProviderSession {
  const v = expectObject(value, path);
  return {
    sessionId: str(v, "session_id", path, ""),
    messageCount: int(v, "message_count", path, 0),
    totalCostUsd: num(v, "total_cost_usd", path, 0),
    totalTokens: int(v, "total_tokens", path, 0),
  };
}
