/**
 * Why the tail gives up, as one line for stderr: a refused token, a server that cannot be reached, a URL that
 * is not a relay when `--since` needs one. Pure (the error in, the line out); messages that came from a server
 * are sanitised like everything else from it.
 */
import { APIError, AuthenticationError, ConnectionError, NotFoundError, TimeoutError } from "@ductor/dashboard-client";
import { TOKEN_ENV } from "../serve/token-source.js";
import { sanitizeLine } from "./sanitize.js";

/** The system error code (ECONNREFUSED, ENOTFOUND…) somewhere in the cause chain. */
function errnoCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^E[A-Z_]+$/.test(code)) return code;
    // undici's fetch wraps several attempts (IPv4, IPv6) in an AggregateError.
    const inner = (e as { errors?: unknown }).errors;
    if (Array.isArray(inner) && inner.length) return errnoCode(inner[0]);
  }
  return undefined;
}

const WHY: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused (nothing listens there?)",
  ENOTFOUND: "no such host",
  EAI_AGAIN: "the host name could not be resolved",
  ETIMEDOUT: "timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ECONNRESET: "connection reset",
};

/** `--since` against a server that is not a relay. */
export function needsRelay(url: string, why: string): string {
  return `--since needs a relay, and ${url} is not one: ${why}. Point --ductor at \`ductor-dashboard serve\` (with the token it records ductor's stream)`;
}

/** One line saying why the tail cannot go on with `url`; `tokenSource`: where the token came from, for a refusal. */
export function failureMessage(err: unknown, url: string, tokenSource = `$${TOKEN_ENV} or --token-file`): string {
  if (err instanceof AuthenticationError) {
    return `${url} refused the token (401): check ${tokenSource}`;
  }
  if (err instanceof NotFoundError) return needsRelay(url, "it has no history (404)");
  if (err instanceof APIError) return `${url} answered ${err.status}: ${sanitizeLine(err.message, 160)}`;
  if (err instanceof ConnectionError) {
    const code = errnoCode(err);
    if (code) return `cannot reach ${url}: ${WHY[code] ?? code}`;
    if (err instanceof TimeoutError) return `no answer from ${url}: ${sanitizeLine(err.message, 160)}`;
    return `cannot reach ${url}: ${sanitizeLine(err.message.replace(/^stream: /, ""), 160)}`;
  }
  return sanitizeLine(err instanceof Error ? err.message : String(err), 200);
}
