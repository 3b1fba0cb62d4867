import { getJson, type RequestConfig, type RequestOptions } from "../core/request.js";
import { expectObject, int, str } from "../core/validate.js";

/** `GET /health`: needs no token, so it doubles as a cheap liveness probe for the stream. */
export interface Health {
  status: string;
  /** Authenticated `/ws` chat clients. */
  connections: number;
}

export async function getHealth(config: RequestConfig, options?: RequestOptions): Promise<Health> {
  const body = expectObject(await getJson(config, "/health", options, { auth: false }), "health");
  return { status: str(body, "status", "health"), connections: int(body, "connections", "health", 0) };
}
