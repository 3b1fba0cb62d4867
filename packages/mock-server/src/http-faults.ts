/**
 * The HTTP faults as wrappers: `httpDelayMs` around the whole request listener (every response
 * waits, 404s included), `httpStatus`/`htmlErrors` around the handlers of `/dashboard/*` routes
 * (after auth) and the stream's handshake (after a good token), as a failing ductor or proxy would.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Faults } from "./faults.js";
import {
  frameworkError,
  internalError,
  jsonReply,
  methodNotAllowed,
  notFound,
  proxyHtmlError,
  type Reply,
  sendRaw,
  unauthorized,
} from "./http.js";
import type { Handler } from "./routes/context.js";
import type { Route, UpgradeHandler } from "./routes/route.js";

/** What the `httpStatus` fault answers instead: ductor's own body for that status where it has one. */
function statusFaultReply(faults: Faults, req: IncomingMessage): Reply | undefined {
  const s = faults.httpStatus;
  if (s === undefined) return undefined;
  if (faults.htmlErrors) return proxyHtmlError(s);
  if (s === 401) return unauthorized();
  if (s === 404) return notFound();
  if (s === 405) return methodNotAllowed();
  if (s === 500) return internalError(req);
  if (s === 503) return jsonReply({ error: "logs not configured" }, 503);
  if (s < 400) return jsonReply({ status: "ok" }, s);
  return frameworkError(s);
}

const withStatusFault =
  (handler: Handler): Handler =>
  (r, ctx) =>
    statusFaultReply(ctx.faults(), r.req) ?? handler(r, ctx);

/** A failed handshake: the fault's status instead of the 101, for a good token only. */
const withStatusFaultOnUpgrade =
  (upgrade: UpgradeHandler): UpgradeHandler =>
  (u, ctx) => {
    const fault = u.authorized ? statusFaultReply(ctx.faults(), u.req) : undefined;
    if (fault) sendRaw(u.socket, fault);
    else upgrade(u, ctx);
  };

/** `/dashboard/*` routes get the status fault; `/health`, `/files`, `/upload` and `/ws` never do. */
export function withDashboardFaults(route: Route): Route {
  if (!route.pattern.startsWith("/dashboard/")) return route;
  return "upgrade" in route
    ? { ...route, upgrade: withStatusFaultOnUpgrade(route.upgrade) }
    : { ...route, handler: withStatusFault(route.handler) };
}

type Listener = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Every response waits `httpDelayMs` first. The waits are tracked so `cancel()` (server close) can
 * drop them with their connections instead of leaving timers behind.
 */
export function withResponseDelay(faults: () => Faults, next: Listener): Listener & { cancel(): void } {
  const pending = new Set<{ timer: NodeJS.Timeout; res: ServerResponse }>();
  const wait = (res: ServerResponse) =>
    new Promise<void>((resolve) => {
      const entry = {
        res,
        timer: setTimeout(() => {
          pending.delete(entry);
          resolve();
        }, faults().httpDelayMs),
      };
      pending.add(entry);
    });
  const listener = async (req: IncomingMessage, res: ServerResponse) => {
    if ((faults().httpDelayMs ?? 0) > 0) await wait(res);
    if (res.destroyed) return; // the client gave up (or close() cut it) while it waited
    await next(req, res);
  };
  return Object.assign(listener, {
    cancel() {
      for (const p of pending) {
        clearTimeout(p.timer);
        p.res.destroy();
      }
      pending.clear();
    },
  });
}
