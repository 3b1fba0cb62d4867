/**
 * `ductor-dashboard demo` in-process: the links it prints open a working dashboard. One mock ductor by default;
 * with `fleet`, two behind one dashboard, each link signing in its own ductor only.
 */
import { AuthenticationError, DashboardClient } from "@ductor/dashboard-client";
import { afterEach, describe, expect, it } from "vitest";
import { startDemo, type Demo } from "../src/demo.js";
import { siteDir } from "./helpers.js";

let demo: Demo | undefined;
afterEach(async () => {
  await demo?.close();
  demo = undefined;
});

/** The `open…: URL` links of a banner, as URLs. */
const links = (banner: string): URL[] => [...banner.matchAll(/^ {2}open[^:]*: (\S+)$/gm)].map((m) => new URL(m[1]!));
const fragment = (url: URL): URLSearchParams => new URLSearchParams(url.hash.slice(1));

describe("ductor-dashboard demo", () => {
  it("prints one link whose token opens the dashboard on the replayed session", async () => {
    demo = await startDemo({ port: 0, siteDir });
    const [link, ...rest] = links(demo.banner);
    expect(rest).toEqual([]);
    const token = fragment(link!).get("token")!;
    const client = new DashboardClient({ baseUrl: link!.origin, token });
    expect((await client.status()).status).toBe("ok");
    expect((await client.servers()).map((s) => s.name)).toEqual(["ductor"]);
    expect(demo.banner).toContain("demo --fleet");
  });

  it("--fleet: two ductors behind one dashboard, a link per ductor that signs in that one only", async () => {
    demo = await startDemo({ port: 0, siteDir, fleet: true });
    const printed = links(demo.banner);
    expect(printed.map((l) => fragment(l).get("server"))).toEqual(["alpha", "beta"]);
    const base = printed[0]!.origin;
    expect((await new DashboardClient({ baseUrl: base }).servers()).map((s) => [s.name, s.relay])).toEqual([
      ["alpha", true],
      ["beta", true],
    ]);
    const [alphaToken, betaToken] = printed.map((l) => fragment(l).get("token")!);
    expect(alphaToken).not.toBe(betaToken);
    const alpha = new DashboardClient({ baseUrl: base, token: alphaToken!, server: "alpha", maxRetries: 0 });
    const beta = new DashboardClient({ baseUrl: base, token: betaToken!, server: "beta", maxRetries: 0 });
    expect((await alpha.status()).status).toBe("ok");
    expect((await beta.status()).status).toBe("ok");
    await expect(new DashboardClient({ baseUrl: base, token: alphaToken!, server: "beta", maxRetries: 0 }).status()).rejects.toBeInstanceOf(
      AuthenticationError,
    );
  });
});
