/**
 * The route matcher, as small as ductor's table needs: exact paths, and one `{name}` parameter that
 * must be the last segment. Like aiohttp (yarl), matching is on the percent-decoded path, without
 * normalising it (a trailing slash or a `..` is a different path, so a 404), and a parameter is one
 * raw segment decoded afterwards: `/dashboard/logs/..%2Fx` reaches the handler as `../x`, which is
 * how ductor's own `/` and `..` check gets to see it.
 */

export interface Match<R> {
  route: R;
  /** The percent-decoded `{name}` segment, for a pattern that has one. */
  param?: string;
}

/** yarl-style lenient percent-decoding: an invalid escape stays as it is. */
export function decodePath(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s.replace(/%[0-9a-fA-F]{2}/g, (m) => {
      try {
        return decodeURIComponent(m);
      } catch {
        return m;
      }
    });
  }
}

/** The part of a pattern before its `{name}`, or undefined for an exact pattern. */
function paramPrefix(pattern: string): string | undefined {
  const open = pattern.indexOf("{");
  if (open < 0) return undefined;
  if (pattern[open - 1] !== "/" || !/^\{\w+\}$/.test(pattern.slice(open))) {
    throw new Error(`route pattern ${pattern}: only one {name}, as the whole last segment, is supported`);
  }
  return pattern.slice(0, open);
}

/** Does `rawPath` (as sent, query removed) match `pattern`? Returns the parameter, if any. */
export function matchPattern(pattern: string, rawPath: string): { param?: string } | undefined {
  const prefix = paramPrefix(pattern);
  if (prefix === undefined) return decodePath(rawPath) === pattern ? {} : undefined;
  if (!rawPath.startsWith(prefix)) return undefined;
  const segment = rawPath.slice(prefix.length);
  return segment !== "" && !segment.includes("/") ? { param: decodePath(segment) } : undefined;
}

/** The first route, in table order, whose pattern matches the request URL's path. */
export function matchRoute<R extends { pattern: string }>(routes: readonly R[], rawUrl: string): Match<R> | undefined {
  const rawPath = rawUrl.split("?")[0] ?? "";
  for (const route of routes) {
    const m = matchPattern(route.pattern, rawPath);
    if (m) return { route, ...m };
  }
  return undefined;
}
