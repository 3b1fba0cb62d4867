/**
 * The Host allow-list. A DNS-rebinding page on evil.example can make the browser send requests to our port
 * while it believes it talks to evil.example; what gives it away is the Host header, which still says
 * evil.example. So only names the operator means are served: loopback names, the bound address, and
 * whatever was listed with --allowed-host.
 */

export interface HostName {
  /** Lower-case; IPv6 addresses in brackets, as in a Host header ("[::1]"). */
  name: string;
  port: number | undefined;
}

export interface HostPattern {
  /** An exact name, or (with `subdomains`) the suffix every allowed name ends with after a dot. */
  name: string;
  subdomains: boolean;
  /** When set, only this port; otherwise any (port forwarding changes it, the name is what matters). */
  port: number | undefined;
}

export interface HostAllowList {
  readonly patterns: readonly HostPattern[];
}

const REG_NAME = /^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?)*$/;
const IPV6_LITERAL = /^\[[0-9a-f:.]+\]$/;
const WILDCARD_ADDRESSES = new Set(["0.0.0.0", "[::]"]);

const LOOPBACK: readonly HostPattern[] = [
  { name: "localhost", subdomains: false, port: undefined },
  { name: "localhost", subdomains: true, port: undefined }, // *.localhost resolves to loopback (RFC 6761)
  { name: "127.0.0.1", subdomains: false, port: undefined },
  { name: "[::1]", subdomains: false, port: undefined },
];

function parsePort(text: string): number | undefined | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port <= 65_535 ? port : null;
}

/** Parse a Host header value ("name", "name:port", "[v6]", "[v6]:port"); null when it is not one. */
export function parseHost(value: string): HostName | null {
  const text = value.trim().toLowerCase();
  let name: string;
  let portText: string | undefined;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close === -1) return null;
    name = text.slice(0, close + 1);
    const rest = text.slice(close + 1);
    if (rest !== "" && !rest.startsWith(":")) return null;
    portText = rest === "" ? undefined : rest.slice(1);
    if (!IPV6_LITERAL.test(name)) return null;
  } else {
    const colon = text.indexOf(":");
    name = colon === -1 ? text : text.slice(0, colon);
    portText = colon === -1 ? undefined : text.slice(colon + 1);
    if (!REG_NAME.test(name)) return null;
  }
  const port = portText === undefined ? undefined : parsePort(portText);
  if (port === null) return null;
  return { name, port };
}

/**
 * One --allowed-host value: "name", "name:port", "[v6]", a bare IPv6 address, or "*.example.com" / ".example.com"
 * for every subdomain. Throws a TypeError naming the value when it is none of these.
 */
export function parseHostPattern(value: string): HostPattern {
  let text = value.trim().toLowerCase();
  let subdomains = false;
  if (text.startsWith("*.")) [text, subdomains] = [text.slice(2), true];
  else if (text.startsWith(".")) [text, subdomains] = [text.slice(1), true];
  // A bare IPv6 address ("::1", "fe80::1") has colons a port cannot be told from: take it whole.
  if (!text.startsWith("[") && (text.match(/:/g)?.length ?? 0) > 1) text = `[${text}]`;
  const host = parseHost(text);
  if (!host)
    throw new TypeError(`not a host name: ${JSON.stringify(value)} (expected e.g. "dash.example", "dash.example:8080" or "[::1]")`);
  return { name: host.name, subdomains, port: host.port };
}

/** Loopback names, the address the server is bound to (unless it is a wildcard), and the operator's extras. */
export function createHostAllowList(boundHost: string, extra: readonly string[] = []): HostAllowList {
  const patterns = [...LOOPBACK];
  const bound = parseHostPattern(boundHost);
  if (!WILDCARD_ADDRESSES.has(bound.name)) patterns.push({ ...bound, port: undefined });
  for (const value of extra) patterns.push(parseHostPattern(value));
  return { patterns };
}

function matches(pattern: HostPattern, host: HostName): boolean {
  if (pattern.port !== undefined && pattern.port !== host.port) return false;
  return pattern.subdomains ? host.name.endsWith(`.${pattern.name}`) : host.name === pattern.name;
}

/** Whether a request with this Host header may be served at all. A missing or malformed Host is refused. */
export function isHostAllowed(list: HostAllowList, hostHeader: string | undefined): boolean {
  if (hostHeader === undefined) return false;
  const host = parseHost(hostHeader);
  return host !== null && list.patterns.some((pattern) => matches(pattern, host));
}
