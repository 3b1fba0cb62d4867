/**
 * Normalise an HTTP request-target before any decision is made on it. The proxy must decide on the same path
 * that ductor will act on: a path is accepted only when it has exactly one reading (no dot segments, encoded
 * or not; no separators hidden in a segment; nothing left to decode a second time), and is then rebuilt in one
 * canonical encoding, so that nothing downstream (http-proxy-3 re-parses with WHATWG URL, aiohttp decodes
 * once) can read it differently.
 */

export type ParsedTarget =
  | {
      ok: true;
      /** The decoded path segments; "/" is `[""]`, a trailing slash leaves a last `""`. */
      segments: readonly string[];
      /** The canonical path: each segment percent-encoded with encodeURIComponent. */
      path: string;
      /** The query exactly as received, with its "?" (or ""). */
      query: string;
    }
  | { ok: false; reason: string };

const PERCENT_ESCAPE = /%(?![0-9A-Fa-f]{2})/;
// C0 controls and DEL: never part of a file or endpoint name, and NUL truncates names in some stacks.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

function refuse(reason: string): ParsedTarget {
  return { ok: false, reason };
}

export function parseRequestTarget(raw: string): ParsedTarget {
  // Only origin-form ("/path?query"): absolute-form ("http://host/path") and asterisk-form ("*") are for
  // proxies and OPTIONS, neither of which this server is.
  if (!raw.startsWith("/")) return refuse("the request target must be a path starting with /");
  if (raw.includes("#")) return refuse("a fragment has no place in a request target");
  const queryAt = raw.indexOf("?");
  const rawPath = queryAt === -1 ? raw : raw.slice(0, queryAt);
  const query = queryAt === -1 ? "" : raw.slice(queryAt);
  // Backslashes are separators to WHATWG URL parsers and to Windows; "//" is an empty segment that
  // normalisers collapse (or read as a host). Either way the path would have two readings.
  if (rawPath.includes("\\")) return refuse("backslash in the path");
  if (rawPath.includes("//")) return refuse("empty path segment (//)");

  const segments: string[] = [];
  for (const rawSegment of rawPath.slice(1).split("/")) {
    if (PERCENT_ESCAPE.test(rawSegment)) return refuse("malformed percent-encoding");
    let segment: string;
    try {
      segment = decodeURIComponent(rawSegment);
    } catch {
      return refuse("percent-encoding that is not UTF-8");
    }
    if (segment === "." || segment === "..") return refuse("dot segment (. or ..) in the path");
    if (segment.includes("/") || segment.includes("\\")) return refuse("encoded slash or backslash in a path segment");
    // What is left after one decoding must be final: "%252e" decodes to "%2e", a dot for anything that decodes again.
    if (segment.includes("%")) return refuse("double percent-encoding");
    if (CONTROL_CHARACTER.test(segment)) return refuse("control character in the path");
    segments.push(segment);
  }
  return { ok: true, segments, path: `/${segments.map(encodeURIComponent).join("/")}`, query };
}
