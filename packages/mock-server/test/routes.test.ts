import { describe, expect, it } from "vitest";
import { decodePath, matchPattern, matchRoute } from "../src/routes/match.js";
import { allowedMethods, allowsMethod, isUpgradeRoute, type Route } from "../src/routes/route.js";
import { ROUTES } from "../src/routes/table.js";

describe("matchPattern", () => {
  it("exact patterns match the percent-decoded path, nothing normalised", () => {
    expect(matchPattern("/dashboard/status", "/dashboard/status")).toEqual({});
    expect(matchPattern("/dashboard/status", "/dashboard%2Fstatus")).toEqual({});
    expect(matchPattern("/health", "/%68ealth")).toEqual({});
    for (const path of ["/dashboard/status/", "/dashboard", "/dashboard/./status", "/Dashboard/status", ""]) {
      expect(matchPattern("/dashboard/status", path), path).toBeUndefined();
    }
  });

  it("a {name} is one raw segment, decoded after the split", () => {
    const p = "/dashboard/logs/{filename}";
    expect(matchPattern(p, "/dashboard/logs/agent.log")).toEqual({ param: "agent.log" });
    expect(matchPattern(p, "/dashboard/logs/..%2Fx")).toEqual({ param: "../x" });
    expect(matchPattern(p, "/dashboard/logs/%2E")).toEqual({ param: "." });
    expect(matchPattern(p, "/dashboard/logs/a%20b")).toEqual({ param: "a b" });
    for (const path of ["/dashboard/logs/", "/dashboard/logs", "/dashboard/logs/a/b", "/dashboard/logs/a/", "/dashboard%2Flogs%2Fa"]) {
      expect(matchPattern(p, path), path).toBeUndefined();
    }
  });

  it("patterns other than exact paths or one trailing {name} are refused", () => {
    for (const bad of ["/a/{x}/b", "/a{x}", "/a/{x}{y}", "/a/{x"]) expect(() => matchPattern(bad, "/a/b"), bad).toThrow(/route pattern/);
  });

  it("decodePath keeps invalid escapes as they are and decodes the valid ones around them", () => {
    expect(decodePath("a%2Fb")).toBe("a/b");
    expect(decodePath("%zz%41")).toBe("%zzA");
    expect(decodePath("%E9%41")).toBe("%E9A"); // a lone UTF-8 lead byte is not a character
  });
});

describe("matchRoute", () => {
  const routes: Route[] = [
    { method: "GET", pattern: "/a", auth: "none", handler: () => ({ status: 200 }) },
    { method: "GET", pattern: "/a/{name}", auth: "none", handler: () => ({ status: 200 }) },
  ];

  it("ignores the query string and returns the first route that matches", () => {
    expect(matchRoute(routes, "/a?x=/a/b")).toEqual({ route: routes[0] });
    expect(matchRoute(routes, "/a/b%3Fc?d")).toEqual({ route: routes[1], param: "b?c" });
    expect(matchRoute(routes, "/b")).toBeUndefined();
  });
});

describe("ductor's route table", () => {
  it("has ductor's endpoints, one route per path", () => {
    expect(ROUTES.map((r) => `${r.method} ${r.pattern}`)).toEqual([
      "GET /health",
      "GET /dashboard/status",
      "GET /dashboard/sessions",
      "GET /dashboard/tasks",
      "GET /dashboard/logs",
      "GET /dashboard/logs/{filename}",
      "GET /dashboard/stream",
      "GET /ws",
      "GET /files",
      "POST /upload",
    ]);
  });

  it("the WebSocket endpoints are upgrade routes; only /health and /ws need no credentials", () => {
    expect(ROUTES.filter(isUpgradeRoute).map((r) => r.pattern)).toEqual(["/dashboard/stream", "/ws"]);
    expect(ROUTES.filter((r) => r.auth === "none").map((r) => r.pattern)).toEqual(["/health", "/ws"]);
    expect(ROUTES.find((r) => r.pattern === "/dashboard/stream")?.auth).toBe("query-token");
  });

  it("GET routes answer HEAD too and list both in Allow; POST routes only POST", () => {
    const [health] = ROUTES;
    const upload = ROUTES.find((r) => r.pattern === "/upload")!;
    expect([allowsMethod(health!, "GET"), allowsMethod(health!, "HEAD"), allowsMethod(health!, "POST")]).toEqual([true, true, false]);
    expect(allowedMethods(health!)).toBe("GET,HEAD");
    expect([allowsMethod(upload, "POST"), allowsMethod(upload, "HEAD")]).toEqual([true, false]);
    expect(allowedMethods(upload)).toBe("POST");
  });
});
