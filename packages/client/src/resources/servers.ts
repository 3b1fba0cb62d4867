import { getJson, joinUrl, type RequestConfig, type RequestOptions } from "../core/request.js";
import { expectArray, expectObject, fail, str } from "../core/validate.js";

/** One ductor behind a relay (`ductor-dashboard serve`), as `GET /dashboard/servers` lists it. */
export interface RelayServer {
  /** The name it was configured with (`--ductor home=URL`): what `new DashboardClient({ server })` takes. */
  name: string;
  /** Its API's base as an absolute URL: `<relay>/s/<name>/`, or the relay's own root for a single-ductor serve. */
  base: string;
  /** The relay records this ductor (history, resume); false when it only proxies it (no token given to serve). */
  relay: boolean;
}

/** What a server name may be: it is a path segment and part of an environment variable's name. */
export const SERVER_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** The base URL of one ductor behind a relay: `<baseUrl>/s/<name>/`. */
export function serverBaseUrl(baseUrl: string, server: string): string {
  if (!SERVER_NAME.test(server)) {
    throw new TypeError(`DashboardClient: server must be a relay's server name (${SERVER_NAME.source}), got ${JSON.stringify(server)}`);
  }
  return joinUrl(baseUrl, `/s/${server}/`);
}

/**
 * `base` resolved under the relay's root, or null when it would leave it: another origin (`//x`, `/\\x`, a tab or
 * line break the URL parser drops), or above the root (`/../`). Checked on the resolved URL, not the text, since
 * WHATWG URL parsing reads `\` as `/` and drops tabs and newlines.
 */
function underRelay(relayBase: string, base: string): string | null {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (!base.startsWith("/") || base.startsWith("//") || /[\\\u0000-\u001f\u007f]/.test(base)) return null;
  const root = new URL(joinUrl(relayBase, "/"));
  const resolved = new URL(joinUrl(relayBase, base));
  return resolved.origin === root.origin && resolved.pathname.startsWith(root.pathname) ? resolved.toString() : null;
}

/**
 * `GET /dashboard/servers` on a relay (no token: it lists names only). A plain ductor has no such endpoint
 * and answers 404 (NotFoundError). `relayBase` is the relay's root, not a server's base.
 */
export async function listServers(config: RequestConfig, relayBase: string, options?: RequestOptions): Promise<RelayServer[]> {
  const body = expectObject(await getJson({ ...config, baseUrl: relayBase }, "/dashboard/servers", options, { auth: false }), "servers");
  return expectArray(body.servers, "servers.servers").map((entry, i) => {
    const where = `servers[${i}]`;
    const item = expectObject(entry, where);
    const name = str(item, "name", where);
    if (!SERVER_NAME.test(name)) fail(`${where}.name`, "a server name", name);
    // A path under the relay's root (so a relay behind a reverse proxy's prefix works): a listing cannot send the
    // client, and the token it is about to be given, anywhere else.
    const base = str(item, "base", where);
    const resolved = underRelay(relayBase, base);
    if (resolved === null) fail(`${where}.base`, "a path on the relay", base);
    const relay = item.relay;
    if (typeof relay !== "boolean") fail(`${where}.relay`, "boolean", relay);
    return { name, base: resolved, relay };
  });
}
