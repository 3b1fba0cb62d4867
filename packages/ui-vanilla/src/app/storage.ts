/**
 * Token storage. The token lives in sessionStorage (gone when the tab closes) unless the person ticks
 * "remember on this device", which puts it in localStorage. Storage may be unavailable (privacy modes):
 * every access is guarded.
 */
import { SERVER_NAME } from "@ductor/dashboard-client";

const TOKEN_KEY = "ductor-dashboard.token";
const URL_KEY = "ductor-dashboard.baseUrl";

function store(kind: "session" | "local"): Storage | null {
  try {
    return kind === "session" ? globalThis.sessionStorage : globalThis.localStorage;
  } catch {
    return null;
  }
}

function get(kind: "session" | "local", key: string): string | null {
  try {
    return store(kind)?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

function set(kind: "session" | "local", key: string, value: string): void {
  try {
    store(kind)?.setItem(key, value);
  } catch {
    /* storage full or blocked: the token then lives only in memory */
  }
}

function remove(kind: "session" | "local", key: string): void {
  try {
    store(kind)?.removeItem(key);
  } catch {
    /* ignore */
  }
}

export interface Saved {
  token: string;
  baseUrl: string | null;
  remembered: boolean;
}

export function loadSaved(): Saved | null {
  const s = get("session", TOKEN_KEY);
  if (s) return { token: s, baseUrl: get("session", URL_KEY), remembered: false };
  const l = get("local", TOKEN_KEY);
  if (l) return { token: l, baseUrl: get("local", URL_KEY), remembered: true };
  return null;
}

export function loadBaseUrl(): string | null {
  return get("session", URL_KEY) ?? get("local", URL_KEY);
}

export function saveToken(token: string, baseUrl: string | null, remember: boolean): void {
  forgetToken();
  const kind = remember ? "local" : "session";
  set(kind, TOKEN_KEY, token);
  if (baseUrl) set(kind, URL_KEY, baseUrl);
}

export function forgetToken(): void {
  remove("session", TOKEN_KEY);
  remove("local", TOKEN_KEY);
}

/**
 * Takes `#token=…` (optionally `&route=…`, or `#/view&token=…`) out of the address bar at once,
 * returning the token. The fragment never reaches the server, and replaceState removes it from history.
 */
export function takeTokenFromUrl(): string | null {
  const hash = globalThis.location?.hash ?? "";
  const m = /(?:^#|[&?#/])token=([^&]*)/.exec(hash);
  if (!m) return null;
  let token: string;
  try {
    token = decodeURIComponent(m[1] ?? "");
  } catch {
    token = m[1] ?? "";
  }
  const rest = hash.replace(/[&?]?token=[^&]*/, "").replace(/^#&/, "#");
  const clean = rest === "#" || rest === "" ? "#/stream" : rest;
  try {
    history.replaceState(history.state, "", `${location.pathname}${location.search}${clean}`);
  } catch {
    location.hash = clean;
  }
  return token || null;
}

/**
 * Tokens of the ductors behind one relay (`ductor-dashboard serve` with several), one per server name: each ductor
 * has its own token, so signing in or out of one never touches another, nor the single-ductor token above.
 */
const SERVER_TOKEN_KEY = "ductor-dashboard.token@";

export function loadServerToken(server: string): { token: string; remembered: boolean } | null {
  const s = get("session", SERVER_TOKEN_KEY + server);
  if (s) return { token: s, remembered: false };
  const l = get("local", SERVER_TOKEN_KEY + server);
  return l ? { token: l, remembered: true } : null;
}

export function saveServerToken(server: string, token: string, remember: boolean): void {
  forgetServerToken(server);
  set(remember ? "local" : "session", SERVER_TOKEN_KEY + server, token);
}

export function forgetServerToken(server: string): void {
  remove("session", SERVER_TOKEN_KEY + server);
  remove("local", SERVER_TOKEN_KEY + server);
}

/**
 * Takes `#server=<name>&token=…` out of the address bar at once, like takeTokenFromUrl: a link that signs one ductor
 * of several in. The token leaves the address bar whatever the name: a link whose name is not a valid server name
 * is still returned (`server` as written), for the page to say that name is not one of its ductors; it never
 * signs anything in, since no relay serves that name. The address bar is left on that ductor's stream
 * (`#/s/<name>/stream`), or on the overview (`#/`) for a name that cannot be one. Null when the fragment has no
 * `server=` and token.
 */
export function takeServerTokenFromUrl(): { server: string; token: string } | null {
  const hash = globalThis.location?.hash ?? "";
  const link = parseServerLink(hash);
  if (!link) return null;
  const clean = SERVER_NAME.test(link.server) ? `#/s/${link.server}/stream` : "#/";
  try {
    history.replaceState(history.state, "", `${location.pathname}${location.search}${clean}`);
  } catch {
    location.hash = clean;
  }
  return link;
}

/**
 * `#server=work&token=abc` (either order) → { server, token }. Pure, for tests. The name is as written (decoded):
 * whether it names one of the relay's ductors is for the caller, which knows them.
 */
export function parseServerLink(hash: string): { server: string; token: string } | null {
  if (!hash.startsWith("#")) return null;
  const params = new Map<string, string>();
  for (const part of hash.slice(1).split("&")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    let value = part.slice(eq + 1);
    try {
      value = decodeURIComponent(value);
    } catch {
      /* a stray % stays as typed */
    }
    params.set(part.slice(0, eq), value);
  }
  const server = params.get("server");
  const token = params.get("token");
  if (!server || !token) return null;
  return { server, token };
}

/**
 * The last event seq a person saw from a relay, per server (`key`: its base URL), kept in localStorage so a
 * reload, or tomorrow morning, can mark what is new since.
 */
const SEEN_KEY = "ductor-dashboard.lastSeen:";

export function loadLastSeen(key: string): number | null {
  const value = Number(get("local", SEEN_KEY + key));
  return Number.isSafeInteger(value) && value > 0 ? value : null;
}

export function saveLastSeen(key: string, seq: number): void {
  set("local", SEEN_KEY + key, String(seq));
}

/** A person's on/off choice (such as notifications for a server), kept in localStorage. */
const FLAG_KEY = "ductor-dashboard.";

export function loadFlag(name: string): boolean {
  return get("local", FLAG_KEY + name) === "1";
}

export function saveFlag(name: string, on: boolean): void {
  if (on) set("local", FLAG_KEY + name, "1");
  else remove("local", FLAG_KEY + name);
}
