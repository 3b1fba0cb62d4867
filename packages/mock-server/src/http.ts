/**
 * Response helpers that reproduce what ductor's aiohttp server puts on the wire: `json_response`
 * bodies, the framework's own text/HTML error pages, and the constant-time token check.
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { pyJson } from "./pyjson.js";

export { pyFloat, reformatPyJson } from "./pyjson.js";

/** aiohttp sends this on every response; clients that sniff the server can see it is "ductor-like". */
export const SERVER_HEADER = "Python/3.12 aiohttp/3.11.18";

const JSON_TYPE = "application/json; charset=utf-8";
export const TEXT_TYPE = "text/plain; charset=utf-8";
const HTML_TYPE = "text/html; charset=utf-8";

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** `web.json_response(value, status=…)`, with the body pre-encoded Python style. */
export function jsonReply(value: unknown, status = 200): Reply {
  return { status, headers: { "Content-Type": JSON_TYPE }, body: pyJson(value) };
}

/** A JSON body that is already Python-formatted text (from `reformatPyJson`). */
export function rawJsonReply(text: string, status = 200): Reply {
  return { status, headers: { "Content-Type": JSON_TYPE }, body: text };
}

export const unauthorized = (): Reply => jsonReply({ error: "unauthorized" }, 401);

/** aiohttp's HTTPException default body: `"<status>: <reason>"`, text/plain. */
export function frameworkError(status: number, extraHeaders?: Record<string, string>): Reply {
  return {
    status,
    headers: { "Content-Type": TEXT_TYPE, ...extraHeaders },
    body: `${status}: ${reasonPhrase(status)}`,
  };
}

export const notFound = (): Reply => frameworkError(404);
export const methodNotAllowed = (): Reply => frameworkError(405, { Allow: "GET,HEAD" });

/**
 * What aiohttp's request handler sends when a handler raises: text, or a small HTML page when the
 * client accepts HTML, always with `Connection: close`.
 */
export function internalError(req: IncomingMessage): Reply {
  const title = "500 Internal Server Error";
  const msg = "Server got itself in trouble";
  const wantsHtml = (req.headers.accept ?? "").includes("text/html");
  return wantsHtml
    ? {
        status: 500,
        headers: { "Content-Type": HTML_TYPE, Connection: "close" },
        body: `<html><head><title>${title}</title></head><body>\n<h1>${title}</h1>\n${msg}\n</body>\n</html>\n`,
      }
    : { status: 500, headers: { "Content-Type": TEXT_TYPE, Connection: "close" }, body: `${title}\n\n${msg}` };
}

/** An HTML error page like a reverse proxy (nginx) would send, for the `htmlErrors` fault. */
export function proxyHtmlError(status: number): Reply {
  const title = `${status} ${reasonPhrase(status)}`;
  return {
    status,
    headers: { "Content-Type": "text/html" },
    body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
  };
}

function reasonPhrase(status: number): string {
  return REASONS[status] ?? "Unknown";
}

const REASONS: Record<number, string> = {
  200: "OK",
  206: "Partial Content",
  304: "Not Modified",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Request Entity Too Large",
  416: "Requested Range Not Satisfiable",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** Write a Reply; HEAD gets the same status and headers (incl. Content-Length) but no body. */
export function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  const body = reply.body ?? "";
  const headers: Record<string, string> = { Server: SERVER_HEADER, ...reply.headers };
  if (!("Content-Length" in headers) && reply.status !== 304) {
    headers["Content-Length"] = String(Buffer.byteLength(body));
  }
  res.writeHead(reply.status, reply.status === 304 ? reasonPhrase(304) : reasonPhrase(reply.status), headers);
  if (req.method === "HEAD" || reply.status === 304) res.end();
  else res.end(body);
}

/**
 * Answer a WebSocket handshake with a plain HTTP response written on its raw socket (node:http has
 * no ServerResponse for an upgrade request), then close the connection.
 */
export function sendRaw(socket: Socket, reply: Reply): void {
  const body = reply.body ?? "";
  const headers: Record<string, string> = {
    Server: SERVER_HEADER,
    ...reply.headers,
    "Content-Length": String(Buffer.byteLength(body)),
    Connection: "close",
  };
  const head = [`HTTP/1.1 ${reply.status} ${reasonPhrase(reply.status)}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  socket.end(`${head.join("\r\n")}\r\n\r\n${typeof body === "string" ? body : body.toString("latin1")}`);
}

/** Raised when ductor's `hmac.compare_digest` would raise (a non-ASCII str): the request becomes a 500. */
export class NonAsciiTokenError extends Error {
  override name = "NonAsciiTokenError";
}

/**
 * `hmac.compare_digest(given, token)` semantics: constant time, and non-ASCII input raises instead
 * of returning false (ductor answers 500 then, not 401).
 */
export function tokenMatches(given: string, token: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is "anything beyond ASCII", as ductor checks it.
  if (/[^\u0000-\u007f]/.test(given)) throw new NonAsciiTokenError("non-ASCII token");
  const a = Buffer.from(given, "latin1");
  const b = Buffer.from(token, "latin1");
  if (a.length !== b.length) {
    timingSafeEqual(b, b); // keep the timing independent of where the mismatch is
    return false;
  }
  return timingSafeEqual(a, b);
}

/** ductor's `_verify_bearer`: the prefix is exactly `Bearer ` (case-sensitive, one space). */
export function bearerOk(req: IncomingMessage, token: string): boolean {
  const auth = req.headers.authorization ?? "";
  if (!auth.startsWith("Bearer ")) return false;
  return tokenMatches(auth.slice(7), token);
}
