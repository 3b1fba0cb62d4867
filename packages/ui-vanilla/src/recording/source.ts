/**
 * Where a recording may come from when named in the address bar: `#recording=<path>`, fetched from this site
 * only. No DOM: the page's address is passed in.
 */

/** The path in a `#recording=…` fragment (decoded), or null when the fragment names none. */
export function recordingPathFromHash(hash: string): string | null {
  const match = /^#recording=(.*)$/s.exec(hash);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1] ?? "").trim();
  } catch {
    return (match[1] ?? "").trim();
  }
}

const hasControlCharacter = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
};

export type ResolvedRecordingUrl = { ok: true; url: string } | { ok: false; reason: string };

/**
 * A recording path as a URL on the page's own origin, or why not. Only paths are taken ("/demo.jsonl",
 * "recordings/x.jsonl"): a URL with a scheme or a host ("https://…", "//host/…", "data:…") is refused in words,
 * so a link cannot make the page fetch from elsewhere (the site's CSP would block it too, less clearly).
 */
export function resolveRecordingUrl(path: string, pageUrl: string): ResolvedRecordingUrl {
  if (!path) return { ok: false, reason: "#recording= names no file: give a path on this site, such as #recording=/demo.jsonl" };
  const refuse = (): ResolvedRecordingUrl => ({
    ok: false,
    reason: "recordings open only from this site: #recording= takes a path such as /demo.jsonl, not an address on another origin",
  });
  // A scheme ("https:", "javascript:", "data:"), a host ("//x", "\\x"), or control characters: not a plain path.
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || /^[\\/]{2}/.test(path) || /\\/.test(path) || hasControlCharacter(path)) {
    return refuse();
  }
  let url: URL;
  let page: URL;
  try {
    page = new URL(pageUrl);
    url = new URL(path, page);
  } catch {
    return { ok: false, reason: "#recording= is not a path this page can open" };
  }
  if (url.origin !== page.origin || page.origin === "null") return refuse();
  url.hash = "";
  return { ok: true, url: url.href };
}

/** The file name at the end of a path, for the player's title ("demo.jsonl"). */
export function recordingName(path: string): string {
  const last = path.split(/[?#]/)[0]?.split("/").filter(Boolean).pop() ?? "";
  try {
    return decodeURIComponent(last) || "recording";
  } catch {
    return last || "recording";
  }
}
