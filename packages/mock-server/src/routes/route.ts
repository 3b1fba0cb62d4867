/**
 * A route is data: `{ method, pattern, auth, handler }` (or `upgrade` for a WebSocket endpoint), in
 * the spirit of MSW's request handlers. The dispatcher (dispatch.ts) does everything routes share:
 * 404/405 pages, HEAD, auth, the plain-GET answer of WebSocket endpoints.
 */
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Handler, RouteContext } from "./context.js";

interface RouteBase {
  /** `GET` routes answer HEAD too, like aiohttp's `add_get`. */
  method: "GET" | "POST";
  /** An exact path, or one ending in a `{name}` segment (see match.ts). */
  pattern: string;
}

interface HttpRoute extends RouteBase {
  /** `bearer`: ductor's `Authorization: Bearer <token>` check, a JSON 401 before the handler runs. */
  auth: "bearer" | "none";
  handler: Handler;
}

/** A WebSocket handshake to answer: the socket is still raw, nothing has been written to it yet. */
interface Upgrade {
  req: IncomingMessage;
  socket: Socket;
  head: Buffer;
  /** The route's auth passed (always true for `auth: "none"`). */
  authorized: boolean;
}

export type UpgradeHandler = (upgrade: Upgrade, ctx: RouteContext) => void;

export interface UpgradeRoute extends RouteBase {
  method: "GET";
  /**
   * `query-token`: `?token=` checked like ductor's stream; a wrong one still reaches the handler
   * (`authorized: false`), since ductor answers it after the handshake, with Close 1008.
   */
  auth: "query-token" | "none";
  upgrade: UpgradeHandler;
}

export type Route = HttpRoute | UpgradeRoute;

export const isUpgradeRoute = (route: Route): route is UpgradeRoute => "upgrade" in route;

/** The `Allow` header of a 405: what aiohttp lists for the path. */
export const allowedMethods = (route: Route): string => (route.method === "GET" ? "GET,HEAD" : route.method);

export const allowsMethod = (route: Route, method: string): boolean =>
  method === route.method || (route.method === "GET" && method === "HEAD");
