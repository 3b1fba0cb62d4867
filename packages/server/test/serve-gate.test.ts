/**
 * The serve gate as a pure function: hostile request-targets, methods, Host and Origin values, and properties
 * over arbitrary targets (whatever is forwarded is on the allow-list and reads the same to every parser).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decide, type GateDecision, type GateRequest } from "../src/serve/gate.js";
import { createHostAllowList, isHostAllowed, parseHost, parseHostPattern } from "../src/serve/hosts.js";
import { parseRequestTarget } from "../src/serve/request-target.js";
import { readTokenFile, resolveToken } from "../src/serve/token-source.js";

const HOST = "127.0.0.1:8080";
const hosts = createHostAllowList("127.0.0.1", ["dash.example"]);
const ask = (method: string, url: string, more: Partial<GateRequest> = {}): GateDecision =>
  decide({ method, url, host: HOST, origin: undefined, upgrade: undefined, ...more }, hosts);
const askUpgrade = (url: string, more: Partial<GateRequest> = {}): GateDecision => ask("GET", url, { upgrade: "websocket", ...more });

describe("request targets", () => {
  const malformed: string[] = [
    "/dashboard/../files?path=/etc/passwd",
    "/dashboard/%2e%2e/files",
    "/dashboard/%2E%2E/files",
    "/dashboard/%2e%2E/files",
    "/dashboard/.%2e/files",
    "/dashboard/%2e./files",
    "/dashboard/./status",
    "/dashboard/%2e/status",
    "/dashboard/%252e%252e/files",
    "/dashboard/%25252e/files",
    "/dashboard/logs/..%2f..%2ffiles",
    "/dashboard/logs/..%2F..%2Ffiles",
    "/dashboard/%2e%2e%2ffiles",
    "/dashboard%2f..%2ffiles",
    "/dashboard/logs/a%2fb",
    "/dashboard/logs/a%5cb",
    "/dashboard\\..\\files",
    "/dashboard/%5c..%5cfiles",
    "/dashboard//status",
    "//dashboard/status",
    "///files",
    "/dashboard/logs/..",
    "/dashboard/logs/%2e%2e",
    "/dashboard/logs/.",
    "/dashboard/logs/%c0%ae%c0%ae",
    "/dashboard/logs/%e0%80%ae",
    "/dashboard/logs/%ff",
    "/dashboard/%zz",
    "/dashboard/%2",
    "/dashboard/logs/a%",
    "/dashboard/logs/a%00b",
    "/dashboard/logs/a%0ab",
    "/dashboard/logs/a%7fb",
    "/dashboard/stream/../../ws",
    "/health/..",
    "/x#frag",
    "http://127.0.0.1:8741/files?path=/etc/passwd",
    "127.0.0.1:8741",
    "*",
    "",
    "files",
  ];
  it.each(malformed)("refuses %j as malformed (400) for GET and for an upgrade", (url) => {
    for (const decision of [ask("GET", url), askUpgrade(url), ask("POST", url)]) {
      expect(decision).toMatchObject({ action: "refuse", status: 400 });
      if (decision.action === "refuse") expect(decision.reason.length).toBeGreaterThan(5);
    }
  });

  it("normalises to one canonical encoding", () => {
    expect(parseRequestTarget("/dashboard/%73tatus")).toMatchObject({ ok: true, path: "/dashboard/status" });
    expect(parseRequestTarget("/dashboard/logs/my%20log.txt")).toMatchObject({ ok: true, path: "/dashboard/logs/my%20log.txt" });
    expect(parseRequestTarget("/dashboard/logs/caf%C3%A9.log")).toMatchObject({ ok: true, path: "/dashboard/logs/caf%C3%A9.log" });
    expect(parseRequestTarget("/dashboard/logs/a..b.log")).toMatchObject({ ok: true, segments: ["dashboard", "logs", "a..b.log"] });
    expect(parseRequestTarget("/")).toMatchObject({ ok: true, segments: [""], path: "/", query: "" });
    expect(parseRequestTarget("/assets/")).toMatchObject({ ok: true, segments: ["assets", ""], path: "/assets/" });
  });

  it("keeps the query string exactly as received", () => {
    expect(ask("GET", "/dashboard/logs/agent.log?tail=10&x=%2e%2e/..")).toEqual({
      action: "proxy",
      url: "/dashboard/logs/agent.log?tail=10&x=%2e%2e/..",
    });
    expect(askUpgrade("/dashboard/stream?token=a-b_c")).toEqual({ action: "proxy", url: "/dashboard/stream?token=a-b_c" });
    expect(ask("GET", "/?")).toEqual({ action: "static", url: "/?" });
  });
});

describe("the allow-list", () => {
  it.each([
    ["/health"],
    ["/dashboard/status"],
    ["/dashboard/sessions"],
    ["/dashboard/tasks"],
    ["/dashboard/logs"],
    ["/dashboard/logs/agent.log"],
    ["/dashboard/logs/agent.log.1"],
  ])("forwards GET and HEAD %s", (url) => {
    expect(ask("GET", url)).toEqual({ action: "proxy", url });
    expect(ask("HEAD", url)).toEqual({ action: "proxy", url });
  });

  it.each(["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "get"])(
    "refuses %s on an allowed path with 405 and Allow",
    (method) => {
      for (const url of ["/health", "/dashboard/status", "/dashboard/logs/agent.log"]) {
        expect(ask(method, url)).toMatchObject({ action: "refuse", status: 405, headers: { allow: "GET, HEAD" } });
      }
    },
  );

  it.each([
    "/dashboard/logs/a/b",
    "/dashboard/logs/",
    "/dashboard/status/",
    "/dashboard/status/x",
    "/dashboard/",
    "/dashboard",
    "/dashboard/files",
    "/dashboard/ws",
    "/dashboard/upload",
    "/dashboard/Status",
    "/health/",
    "/health/x",
  ])("refuses %s under ductor's prefixes with 404, whatever the method", (url) => {
    for (const method of ["GET", "HEAD", "POST"]) expect(ask(method, url)).toMatchObject({ action: "refuse", status: 404 });
  });

  it("sends everything else to the static site, read-only", () => {
    expect(ask("GET", "/")).toEqual({ action: "static", url: "/" });
    expect(ask("GET", "/files?path=/etc/passwd")).toEqual({ action: "static", url: "/files?path=/etc/passwd" });
    expect(ask("HEAD", "/assets/index-abc.js")).toEqual({ action: "static", url: "/assets/index-abc.js" });
    expect(ask("POST", "/upload")).toMatchObject({ action: "refuse", status: 405 });
    expect(ask("OPTIONS", "/")).toMatchObject({ action: "refuse", status: 405 });
  });

  it("answers a plain GET on the stream with 426, other methods with 405", () => {
    expect(ask("GET", "/dashboard/stream")).toMatchObject({ action: "refuse", status: 426, headers: { upgrade: "websocket" } });
    expect(ask("GET", "/dashboard/stream?token=x")).toMatchObject({ action: "refuse", status: 426 });
    expect(ask("POST", "/dashboard/stream")).toMatchObject({ action: "refuse", status: 405 });
  });

  it("upgrades only GET /dashboard/stream to a WebSocket", () => {
    expect(askUpgrade("/dashboard/stream")).toEqual({ action: "proxy", url: "/dashboard/stream" });
    expect(askUpgrade("/dashboard/stream", { upgrade: "WebSocket" })).toEqual({ action: "proxy", url: "/dashboard/stream" });
    expect(askUpgrade("/dashboard/stream", { method: "POST" })).toMatchObject({ action: "refuse", status: 405 });
    expect(askUpgrade("/dashboard/stream", { upgrade: "h2c" })).toMatchObject({ action: "refuse", status: 400 });
    expect(askUpgrade("/dashboard/stream", { upgrade: "" })).toMatchObject({ action: "refuse", status: 400 });
    for (const url of ["/ws", "/", "/dashboard/status", "/dashboard/stream/", "/dashboard/stream/x", "/health"]) {
      expect(askUpgrade(url)).toMatchObject({ action: "refuse", status: 404 });
    }
  });
});

describe("Host and Origin", () => {
  it.each([
    "evil.example",
    "evil.example:8080",
    "localhost.evil.example",
    "evillocalhost",
    "127.0.0.1.nip.io",
    "127.0.0.2",
    "0.0.0.0",
    "[::2]",
    "[::1",
    "::1",
    "localhost:",
    "localhost:99999",
    "localhost:8o",
    "localhost:8080:80",
    "",
    " ",
    "bad host",
    "a/b",
    "user@localhost",
  ])("refuses Host %j with 403 before looking at the path", (host) => {
    for (const url of ["/", "/health", "/dashboard/../files"])
      expect(ask("GET", url, { host })).toMatchObject({ action: "refuse", status: 403 });
    expect(askUpgrade("/dashboard/stream", { host })).toMatchObject({ action: "refuse", status: 403 });
  });

  it("refuses a missing Host", () => {
    expect(ask("GET", "/", { host: undefined })).toMatchObject({ action: "refuse", status: 403 });
  });

  it.each([
    "localhost",
    "LOCALHOST:8080",
    "app.localhost",
    "a.b.localhost:1",
    "127.0.0.1",
    "127.0.0.1:8080",
    "[::1]",
    "[::1]:8080",
    "dash.example",
    "Dash.Example:443",
  ])("serves Host %j", (host) => {
    expect(ask("GET", "/health", { host })).toEqual({ action: "proxy", url: "/health" });
  });

  it("adds the bound address, but never a wildcard one", () => {
    expect(isHostAllowed(createHostAllowList("192.168.1.5"), "192.168.1.5:8080")).toBe(true);
    expect(isHostAllowed(createHostAllowList("my-box.lan"), "my-box.lan")).toBe(true);
    expect(isHostAllowed(createHostAllowList("::1"), "[::1]:8080")).toBe(true);
    expect(isHostAllowed(createHostAllowList("0.0.0.0"), "0.0.0.0:8080")).toBe(false);
    expect(isHostAllowed(createHostAllowList("::"), "[::]:8080")).toBe(false);
    expect(isHostAllowed(createHostAllowList("0.0.0.0"), "192.168.1.5")).toBe(false);
    expect(isHostAllowed(createHostAllowList("0.0.0.0", ["192.168.1.5"]), "192.168.1.5:8080")).toBe(true);
  });

  it("parses --allowed-host values: ports, wildcards, bare IPv6; refuses junk", () => {
    expect(parseHostPattern("Dash.Example:8080")).toEqual({ name: "dash.example", subdomains: false, port: 8080 });
    expect(parseHostPattern("*.example.com")).toEqual({ name: "example.com", subdomains: true, port: undefined });
    expect(parseHostPattern("fe80::1")).toEqual({ name: "[fe80::1]", subdomains: false, port: undefined });
    const list = createHostAllowList("127.0.0.1", ["dash.example:8080", "*.example.com"]);
    expect(isHostAllowed(list, "dash.example:8080")).toBe(true);
    expect(isHostAllowed(list, "dash.example:9090")).toBe(false);
    expect(isHostAllowed(list, "dash.example")).toBe(false);
    expect(isHostAllowed(list, "a.example.com")).toBe(true);
    expect(isHostAllowed(list, "example.com")).toBe(false);
    expect(isHostAllowed(list, "aexample.com")).toBe(false);
    for (const junk of ["", "http://x", "a b", "x/y", "x:port", "[zz]"]) expect(() => parseHostPattern(junk)).toThrow(TypeError);
    expect(parseHost("[::1]:8080")).toEqual({ name: "[::1]", port: 8080 });
  });

  it("accepts a stream upgrade without Origin or from the dashboard's own page, refuses any other", () => {
    expect(askUpgrade("/dashboard/stream")).toMatchObject({ action: "proxy" });
    expect(askUpgrade("/dashboard/stream", { origin: `http://${HOST}` })).toMatchObject({ action: "proxy" });
    expect(askUpgrade("/dashboard/stream", { host: "Dash.Example", origin: "http://dash.example" })).toMatchObject({ action: "proxy" });
    expect(askUpgrade("/dashboard/stream", { host: "dash.example", origin: "https://dash.example" })).toMatchObject({ action: "proxy" });
    for (const origin of [
      "http://evil.example",
      `http://evil.example:8080`,
      "null",
      "",
      "http://localhost:8080",
      "http://127.0.0.1",
      `ws://${HOST}`,
      `http://${HOST}.evil.example`,
      `http://${HOST}/`,
    ]) {
      expect(askUpgrade("/dashboard/stream", { origin }), origin).toMatchObject({ action: "refuse", status: 403 });
    }
  });
});

describe("properties over arbitrary targets", () => {
  const ALLOWED_FORWARD = /^\/(health|dashboard\/(status|sessions|tasks|logs|stream)|dashboard\/logs\/[^/?#\\]+)(\?.*)?$/s;
  // Targets built from the pieces that matter: separators, dots, percent-escapes (single and double).
  const piece = fc.constantFrom(
    "/",
    ".",
    "..",
    "%2e",
    "%2E",
    "%2f",
    "%5c",
    "%25",
    "%252e",
    "\\",
    "dashboard",
    "logs",
    "stream",
    "health",
    "files",
    "ws",
    "a",
    "%00",
    "%",
    "?",
    "#",
  );
  const anyTarget = fc.array(piece, { maxLength: 12 }).map((parts) => `/${parts.join("")}`);
  // Half of them start on an allowed path, so that the forwarding branch is exercised often.
  const base = fc.constantFrom("/health", "/dashboard/status", "/dashboard/logs", "/dashboard/logs/", "/dashboard/stream", "/dashboard/");
  const nearAllowed = fc.tuple(base, fc.array(piece, { maxLength: 6 })).map(([start, parts]) => start + parts.join(""));
  const target = fc.oneof(anyTarget, nearAllowed);
  const method = fc.constantFrom("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS");

  it("forwards only allow-listed paths, which re-read identically and are decided the same way again", () => {
    let forwarded = 0;
    fc.assert(
      fc.property(target, method, fc.boolean(), (url, m, upgrade) => {
        const decision = ask(m, url, { upgrade: upgrade ? "websocket" : undefined });
        if (decision.action !== "proxy") return;
        forwarded += 1;
        expect(decision.url).toMatch(ALLOWED_FORWARD);
        // http-proxy-3 re-parses req.url with WHATWG URL; aiohttp decodes once: neither may change the path.
        const reread = new URL(decision.url, "http://ductor.invalid");
        expect(reread.pathname).toBe(decision.url.split("?")[0]);
        const decoded = decodeURIComponent(reread.pathname).split("/");
        expect(decoded).not.toContain("..");
        expect(decoded).not.toContain(".");
        // Idempotent: the forwarded target is itself forwarded unchanged.
        expect(ask(m, decision.url, { upgrade: upgrade ? "websocket" : undefined })).toEqual(decision);
        if (upgrade) expect(decision.url.split("?")[0]).toBe("/dashboard/stream");
        else expect(["GET", "HEAD"]).toContain(m);
      }),
      { numRuns: 3_000 },
    );
    expect(forwarded).toBeGreaterThan(10); // the property was exercised, not vacuously true
  });

  it("with several ductors, forwards only /s/<known name>/<allow-listed path>, prefix taken off", () => {
    const servers = new Set(["home", "work"]);
    const scoped = fc
      .tuple(
        fc.oneof(
          { arbitrary: fc.constantFrom("/s/home", "/s/work"), weight: 4 },
          { arbitrary: fc.constantFrom("/s/nope", "/s", "/s/", "/s/home/s/work", "/s/%68ome", "/s/HOME", ""), weight: 1 },
        ),
        fc.oneof({ arbitrary: nearAllowed, weight: 3 }, { arbitrary: target, weight: 1 }),
      )
      .map(([prefix, url]) => prefix + url);
    let forwarded = 0;
    fc.assert(
      fc.property(scoped, method, fc.boolean(), (url, m, upgrade) => {
        const decision = decide(
          { method: m, url, host: HOST, origin: undefined, upgrade: upgrade ? "websocket" : undefined },
          hosts,
          servers,
        );
        if (decision.action !== "proxy" && decision.action !== "relay") return;
        forwarded += 1;
        expect(servers.has(decision.server ?? "")).toBe(true);
        // What reaches the backend is the single-ductor decision for the rest of the path.
        const rest = parseRequestTarget(url);
        expect(rest.ok && rest.segments.slice(0, 2)).toEqual(["s", decision.server]);
        const single = ask(m, decision.url, { upgrade: upgrade ? "websocket" : undefined });
        expect(single).toEqual({ action: decision.action, url: decision.url });
      }),
      { numRuns: 3_000 },
    );
    expect(forwarded).toBeGreaterThan(10);
  });

  it("with several ductors, the bare paths are 404 and /dashboard/servers is the listing", () => {
    const servers = new Set(["home"]);
    const several = (url: string, m = "GET") =>
      decide({ method: m, url, host: HOST, origin: undefined, upgrade: undefined }, hosts, servers);
    expect(several("/dashboard/status")).toMatchObject({ action: "refuse", status: 404, reason: expect.stringMatching(/\/s\/<name>/) });
    expect(several("/health")).toMatchObject({ action: "refuse", status: 404 });
    expect(several("/s/other/health")).toMatchObject({ action: "refuse", status: 404 });
    expect(several("/s/home/health")).toEqual({ action: "proxy", url: "/health", server: "home" });
    expect(several("/s/home/dashboard/history/usage?from=1")).toEqual({
      action: "relay",
      url: "/dashboard/history/usage?from=1",
      server: "home",
    });
    expect(several("/s/home/dashboard/servers")).toMatchObject({ action: "refuse", status: 404 });
    expect(several("/dashboard/servers")).toEqual({ action: "servers" });
    expect(several("/dashboard/servers", "POST")).toMatchObject({ action: "refuse", status: 405 });
    expect(ask("GET", "/dashboard/servers")).toEqual({ action: "servers" });
    // The site stays at the root, and a single ductor's /s/… is just a (missing) page.
    expect(several("/index.html")).toEqual({ action: "static", url: "/index.html" });
    expect(ask("GET", "/s/home/health")).toEqual({ action: "static", url: "/s/home/health" });
  });

  it("never forwards or serves anything for a Host outside the list", () => {
    fc.assert(
      fc.property(target, fc.string({ maxLength: 30 }), (url, host) => {
        fc.pre(!isHostAllowed(hosts, host));
        expect(ask("GET", url, { host })).toMatchObject({ action: "refuse", status: 403 });
      }),
      { numRuns: 1_000 },
    );
  });
});

describe("token sources", () => {
  const files: Record<string, string> = {
    "/t/ok": "file-token\n",
    "/t/crlf": "file-token\r\n",
    "/t/empty": "\n",
    "/t/two": "a\nb\n",
    "/t/spaced": " tok \n",
  };
  const read = (path: string): string => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: "ENOENT" });
    return text;
  };

  it("prefers --token-file, then DUCTOR_API_TOKEN, then --token (which always warns)", () => {
    expect(resolveToken({ file: "/t/ok", env: "e", argv: "a" }, read)).toMatchObject({ token: "file-token", source: "file" });
    expect(resolveToken({ env: "e", argv: "a" }, read)).toMatchObject({ token: "e", source: "env" });
    expect(resolveToken({ env: "", argv: "a" }, read)).toMatchObject({ token: "a", source: "argv" });
    expect(resolveToken({}, read)).toEqual({ token: undefined, source: "none", warnings: [] });
    expect(resolveToken({ env: "e" }, read).warnings).toEqual([]);
    expect(resolveToken({ argv: "a" }, read).warnings.join("\n")).toMatch(/ps/);
    expect(resolveToken({ env: "e", argv: "a" }, read).warnings).toHaveLength(1);
  });

  it("trims the trailing newline of a token file and fails clearly on a bad one", () => {
    expect(readTokenFile("/t/crlf", read)).toBe("file-token");
    expect(() => readTokenFile("/t/missing", read)).toThrow(/\/t\/missing.*ENOENT/);
    expect(() => readTokenFile("/t/empty", read)).toThrow(/empty/);
    expect(() => readTokenFile("/t/two", read)).toThrow(/more than one line/);
    // A space pasted around a token is named with where it came from (ductor would answer 500, the client refuses it).
    expect(() => readTokenFile("/t/spaced", read)).toThrow(/the token in the file \/t\/spaced has a space/);
    expect(() => resolveToken({ env: " tok " }, read)).toThrow(/the token in \$DUCTOR_API_TOKEN has a space/);
    expect(() => resolveToken({ argv: "tök" }, read)).toThrow(/the token in --token has a character that is not printable ASCII/);
  });
});
