import { getJson, type RequestConfig, type RequestOptions } from "../core/request.js";
import { expectObject, int, str } from "../core/validate.js";

export interface Status {
  status: string;
  /** Provider id (`claude`, `codex`, …), un-swapped; `"unknown"` when ductor has no runtime target wired. */
  provider: string;
  /** The configured default model (`opus`, `gpt-5.4`, …), un-swapped. */
  model: string;
  uptimeSeconds: number;
  connections: number;
  /** Open stream sockets; may briefly count ones that are closing. */
  dashboardConnections: number;
}

/** Provider ids ductor knows. Used to tell which of the two swapped fields holds the provider. */
export const KNOWN_PROVIDERS: readonly string[] = ["claude", "codex", "gemini", "antigravity", "grok"];

/**
 * ductor's `/dashboard/status` sends `provider` and `model` swapped (protocol.md §2.1). Decide by
 * content, not by field name, so that a fixed server keeps working: whichever field holds a known
 * provider id is the provider. When neither does (a provider newer than this list), assume the
 * swap that the shipped server has.
 */
export function unswapProviderModel(wireProvider: string, wireModel: string): { provider: string; model: string } {
  const known = (v: string) => KNOWN_PROVIDERS.includes(v.toLowerCase());
  if (known(wireProvider) && !known(wireModel)) return { provider: wireProvider, model: wireModel };
  return { provider: wireModel, model: wireProvider };
}

export async function getStatus(config: RequestConfig, options?: RequestOptions): Promise<Status> {
  const path = "status";
  const body = expectObject(await getJson(config, "/dashboard/status", options), path);
  return {
    status: str(body, "status", path),
    ...unswapProviderModel(str(body, "provider", path, "unknown"), str(body, "model", path, "unknown")),
    uptimeSeconds: int(body, "uptime_seconds", path, 0),
    connections: int(body, "connections", path, 0),
    dashboardConnections: int(body, "dashboard_connections", path, 0),
  };
}
