/**
 * Where the address bar points when one page watches several ductors. Pure (strings in, values out), so the
 * grammar is tested in Node:
 *
 *   #/                      the fleet overview (also anything that names no ductor)
 *   #/s/<name>/<view>       that ductor's app on one view (#/s/work/sessions): a bookmark opens it
 *   #/s/<name>              that ductor's app on its first view
 *
 * A single ductor keeps today's `#/stream`, `#/sessions`…: the shell's own routing.
 */
import { SERVER_NAME } from "@ductor/dashboard-client";
import { ROUTES, type Route } from "../app/types.js";

export interface FleetLocation {
  /** The ductor the URL names, or null for the overview. */
  server: string | null;
  /** Its view, when the URL names a known one. */
  route: Route | null;
}

const SERVER_HASH = /^#\/s\/([^/?&#]+)(?:\/([a-z]*))?/;

export function parseFleetHash(hash: string): FleetLocation {
  const m = SERVER_HASH.exec(hash);
  const name = m?.[1];
  if (!name || !SERVER_NAME.test(name)) return { server: null, route: null };
  const route = m[2] as Route | undefined;
  return { server: name, route: route && ROUTES.includes(route) ? route : null };
}

/**
 * The name an address tried to open that is not a valid server name (`#/s/Work/logs` → "Work"), so the overview
 * can say it has no such ductor; null for an address that names none, or a valid name (parseFleetHash has it).
 */
export function invalidServerInHash(hash: string): string | null {
  const m = SERVER_HASH.exec(hash);
  if (!m?.[1] || SERVER_NAME.test(m[1])) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/** A view's name in a sentence ("open its Logs"). */
export const ROUTE_NAMES: Record<Route, string> = {
  status: "Status",
  stream: "Live stream",
  sessions: "Sessions & tasks",
  logs: "Logs",
};

/** The prefix a ductor's shell puts before its view names: `#/s/work/` + `stream`. */
export function serverHashPrefix(server: string): string {
  return `#/s/${server}/`;
}

/** The overview's address. */
export const FLEET_HASH = "#/";
