/**
 * The one place a link target from the stream becomes an `href`. Pure (no DOM).
 *
 * Only absolute http, https and mailto URLs pass. The text is parsed with the URL parser (no base, so a
 * relative or otherwise odd form throws) and the attribute gets the parser's normalised `href`, never the
 * text as written: `JAVASCRIPT:`, ` javascript:`, `java\nscript:`, `data:`, `vbscript:`, `//host`, `/path`
 * all come back null, and the caller shows them as plain text.
 */

const ALLOWED = new Set(["http:", "https:", "mailto:"]);

export function safeHref(raw: string): string | null {
  // Control characters and spaces are never part of a destination we accept (the URL parser would strip
  // some of them silently, e.g. a tab inside the scheme).
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (raw.length === 0 || raw.length > 4096 || /[\u0000-\u0020\u007f-\u009f]/.test(raw)) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (!ALLOWED.has(url.protocol)) return null;
  if (url.protocol !== "mailto:" && !url.hostname) return null;
  return url.href;
}
