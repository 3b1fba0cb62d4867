/**
 * Taking a request through the route table, with what aiohttp does for every route: a text 404 for
 * an unknown path, a 405 with `Allow` for another method, HEAD as GET without the body, the bearer
 * check before the handler, a 400 for a plain request on a WebSocket endpoint. Upgrade requests go
 * to the route's `upgrade`, or get the plain answer written on the raw socket.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import {
  bearerOk,
  frameworkError,
  internalError,
  methodNotAllowed,
  notFound,
  type Reply,
  send,
  sendRaw,
  TEXT_TYPE,
  tokenMatches,
  unauthorized,
} from "../http.js";
import type { Answer, RouteContext } from "./context.js";
import { isFileReply, sendFile } from "./logs.js";
import { matchRoute } from "./match.js";
import { allowedMethods, allowsMethod, isUpgradeRoute, type Route } from "./route.js";

export interface Router {
  routes: readonly Route[];
  ctx: RouteContext;
  token: string;
}

/** aiohttp's WebSocketResponse.prepare fails on a plain request before the handler sees the token. */
function noUpgrade(req: IncomingMessage): Reply {
  const upgrade = req.headers.upgrade;
  return {
    status: 400,
    headers: { "Content-Type": TEXT_TYPE },
    body: `No WebSocket UPGRADE hdr: ${upgrade ?? "None"}\n Can "Upgrade" only to "WebSocket".`,
  };
}

/** Route one request to its answer. Throws where ductor's handler would raise (the caller sends a 500). */
export async function answer(router: Router, req: IncomingMessage): Promise<Answer> {
  const found = matchRoute(router.routes, req.url ?? "/");
  if (!found) return notFound();
  const { route, param } = found;
  if (!allowsMethod(route, req.method ?? "GET")) return frameworkError(405, { Allow: allowedMethods(route) });
  if (isUpgradeRoute(route)) return noUpgrade(req);
  if (route.auth === "bearer" && !bearerOk(req, router.token)) return unauthorized();
  return route.handler({ req, param }, router.ctx);
}

export function writeAnswer(req: IncomingMessage, res: ServerResponse, a: Answer): void {
  if (isFileReply(a)) sendFile(req.method, res, a);
  else send(req, res, a);
}

/** node:http's `upgrade` event: a WebSocket handshake for an upgrade route, else the plain answer. */
export function answerUpgrade(router: Router, req: IncomingMessage, socket: Socket, head: Buffer): void {
  socket.on("error", () => socket.destroy());
  const found = matchRoute(router.routes, req.url ?? "/");
  const isWebSocket = (req.headers.upgrade ?? "").toLowerCase() === "websocket";
  if (!found || !isUpgradeRoute(found.route) || !isWebSocket) {
    // Not a WebSocket endpoint: answer as the plain HTTP route would (404, 405, 400…), minus files.
    void answer(router, req)
      .catch(() => internalError(req))
      .then((a) => sendRaw(socket, isFileReply(a) ? frameworkError(400) : a));
    return;
  }
  // A handshake is a GET (RFC 6455 §4.1); a HEAD cannot be one either.
  if (req.method !== "GET") return sendRaw(socket, methodNotAllowed());
  const { route } = found;
  let authorized = true;
  if (route.auth === "query-token") {
    const given = new URL(req.url ?? "/", "http://x").searchParams.get("token") ?? "";
    try {
      authorized = tokenMatches(given, router.token);
    } catch {
      return sendRaw(socket, internalError(req)); // non-ASCII token: ductor's compare raises
    }
  }
  route.upgrade({ req, socket, head, authorized }, router.ctx);
}
