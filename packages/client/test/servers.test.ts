/**
 * One ductor of several behind a relay: `new DashboardClient({ baseUrl, server })` and `client.servers()`, against
 * a real HTTP peer. The listing is checked at the edge: a relay's answer cannot point the client (and the token
 * it will be given) at another origin.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DashboardClient, NotFoundError, ProtocolError } from "../src/index.js";
import { json, startPeer, type Peer } from "./helpers/peer.js";

let peer: Peer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

const STATUS = { status: "ok", provider: "opus", model: "claude", uptime_seconds: 1, connections: 0, dashboard_connections: 0 };

describe("a server behind a relay", () => {
  it("sends every call under /s/<name>/ with that server's token, and lists from the relay's root (bases relative to it: a relay behind a path prefix works)", async () => {
    peer = await startPeer((req, res) =>
      req.url === "/relay/dashboard/servers"
        ? json(res, 200, {
            servers: [
              { name: "home", base: "/s/home/", relay: true },
              { name: "lab", base: "/s/lab/", relay: false },
            ],
          })
        : json(res, 200, STATUS),
    );
    const c = new DashboardClient({ baseUrl: `${peer.url}/relay`, token: "home-token", server: "home", maxRetries: 0 });
    expect(c.server).toBe("home");
    expect(c.baseUrl).toBe(`${peer.url}/relay/s/home/`);
    await c.status();
    const servers = await c.servers();
    expect(servers).toEqual([
      { name: "home", base: `${peer.url}/relay/s/home/`, relay: true },
      { name: "lab", base: `${peer.url}/relay/s/lab/`, relay: false },
    ]);
    expect(peer.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
      ["/relay/s/home/dashboard/status", "Bearer home-token"],
      // The listing needs no token, and is not sent one.
      ["/relay/dashboard/servers", undefined],
    ]);
  });

  it("refuses a name that is not one (it becomes a path segment)", () => {
    for (const server of ["", "Home", "../x", "a/b", "a?b", "-a", "x".repeat(33), "%2e%2e"]) {
      expect(() => new DashboardClient({ baseUrl: "http://127.0.0.1:1", server }), server).toThrow(TypeError);
    }
  });

  it("a listing that points elsewhere, or is not one, is a ProtocolError; a plain ductor's 404 a NotFoundError", async () => {
    const bodies: unknown[] = [
      { servers: [{ name: "x", base: "//evil.example/", relay: true }] },
      { servers: [{ name: "x", base: "http://evil.example/", relay: true }] },
      // What the URL parser reads as another origin, or as above the relay's root.
      { servers: [{ name: "x", base: "/\\\\evil.example/", relay: true }] },
      { servers: [{ name: "x", base: "/\\/evil.example/", relay: true }] },
      { servers: [{ name: "x", base: "/\t//evil.example/", relay: true }] },
      { servers: [{ name: "x", base: "/../../x/", relay: true }] },
      { servers: [{ name: "<img src=x onerror=alert(1)>", base: "/s/x/", relay: true }] },
      { servers: [{ name: "x", base: "/s/x/", relay: "yes" }] },
      { servers: "home" },
      [],
    ];
    let i = 0;
    peer = await startPeer((_req, res) => (i < bodies.length ? json(res, 200, bodies[i++]) : json(res, 404, { error: "not found" })));
    const c = new DashboardClient({ baseUrl: `${peer.url}/relay/`, maxRetries: 0 });
    for (const body of bodies) await expect(c.servers(), JSON.stringify(body)).rejects.toBeInstanceOf(ProtocolError);
    await expect(c.servers()).rejects.toBeInstanceOf(NotFoundError);
  });
});
