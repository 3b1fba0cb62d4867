/**
 * Which ductors `serve` fronts and where each token comes from (src/serve/upstreams.ts), without a process:
 * `--ductor` (plain or name=URL, repeated), `--token-file` (plain or name=FILE), `--config` and the environment.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig, resolveUpstreams, tokenEnvName } from "../src/serve/upstreams.js";

const files: Record<string, string> = {
  "/t/home": "home-file-token\n",
  "/etc/dd/work.token": "work-file-token\n",
  "/etc/dd/ductor-dashboard.json": JSON.stringify({
    ductors: [
      { name: "home", url: "http://127.0.0.1:8741", tokenFile: "/t/home" },
      { name: "work", url: "http://10.0.0.2:8741", tokenFile: "work.token" },
      { name: "lab", url: "http://10.0.0.3:8741" },
    ],
  }),
};
const read = (path: string): string => {
  const text = files[path];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
  return text;
};
const resolve = (args: Partial<Parameters<typeof resolveUpstreams>[0]>, env: Record<string, string> = {}) =>
  resolveUpstreams({ ductor: [], tokenFile: [], ...args }, env, read);

describe("serve's upstreams", () => {
  it("one plain --ductor is today's: DUCTOR_API_TOKEN, --token-file FILE, --token with a warning", () => {
    expect(resolve({ ductor: ["http://127.0.0.1:8741"] }, { DUCTOR_API_TOKEN: "env" })).toEqual({
      upstreams: [{ name: "ductor", url: "http://127.0.0.1:8741", token: "env", tokenSource: "$DUCTOR_API_TOKEN" }],
      several: false,
      warnings: [],
    });
    expect(resolve({ ductor: ["http://x:1"], tokenFile: ["/t/home"] }).upstreams[0]?.token).toBe("home-file-token");
    const argv = resolve({ ductor: ["http://x:1"], token: "argv" });
    expect(argv.upstreams[0]?.token).toBe("argv");
    expect(argv.warnings.join("\n")).toMatch(/ps/);
  });

  it("several by name: each token from its own DUCTOR_API_TOKEN_<NAME> or name=FILE, never another's", () => {
    const out = resolve(
      { ductor: ["home=http://127.0.0.1:8741", "work-2=http://10.0.0.2:8741/"], tokenFile: ["home=/t/home"] },
      { DUCTOR_API_TOKEN_HOME: "ignored: the file wins", DUCTOR_API_TOKEN_WORK_2: "work-env", DUCTOR_API_TOKEN: "shared" },
    );
    expect(out.several).toBe(true);
    expect(out.upstreams.map((u) => [u.name, u.url, u.token])).toEqual([
      ["home", "http://127.0.0.1:8741", "home-file-token"],
      ["work-2", "http://10.0.0.2:8741/", "work-env"],
    ]);
    expect(out.warnings.join("\n")).toMatch(/DUCTOR_API_TOKEN is not used with several/);
    // No token of its own: that ductor is proxied, not recorded; nobody else's token is borrowed.
    expect(resolve({ ductor: ["a=http://x:1", "b=http://y:1"] }, { DUCTOR_API_TOKEN_A: "a" }).upstreams[1]?.token).toBeUndefined();
    expect(tokenEnvName("work-2")).toBe("DUCTOR_API_TOKEN_WORK_2");
    // `~/` after name= is not expanded by shells: serve expands it.
    expect(() => resolve({ ductor: ["a=http://x:1", "b=http://y:1"], tokenFile: ["a=~/dd-token"] })).toThrow(
      `cannot read the token file ${join(homedir(), "dd-token")}`,
    );
    expect(() => resolve({ ductor: ["a=http://x:1", "b=http://y:1"] }, { DUCTOR_API_TOKEN_B: "b tok" })).toThrow(
      /the token in \$DUCTOR_API_TOKEN_B has a space/,
    );
  });

  it("one named --ductor keeps today's URLs and takes either its own variable or today's", () => {
    expect(resolve({ ductor: ["home=http://x:1"] }, { DUCTOR_API_TOKEN_HOME: "named" }).upstreams[0]).toMatchObject({
      name: "home",
      token: "named",
    });
    expect(resolve({ ductor: ["home=http://x:1"] }, { DUCTOR_API_TOKEN: "plain" })).toMatchObject({
      several: false,
      upstreams: [{ token: "plain" }],
    });
  });

  it("reads a config file: token files relative to it, no tokens inside it, no unknown keys", () => {
    const out = resolve({ config: "/etc/dd/ductor-dashboard.json" }, { DUCTOR_API_TOKEN_LAB: "lab-env" });
    expect(out.upstreams.map((u) => [u.name, u.token])).toEqual([
      ["home", "home-file-token"],
      ["work", "work-file-token"],
      ["lab", "lab-env"],
    ]);
    expect(() => parseConfig('{"ductors":[{"name":"a","url":"http://x","token":"secret"}]}', "c.json")).toThrow(/tokenFile/);
    expect(() => parseConfig('{"ductors":[{"name":"a","url":"http://x","tokenfile":"f"}]}', "c.json")).toThrow(/unknown key "tokenfile"/);
    expect(() => parseConfig("{", "c.json")).toThrow(/not JSON/);
    expect(() => parseConfig('{"ductors": [{"name": "a", "url": "http://x"},]}', "c.json")).toThrow(
      /^c\.json is not JSON \([^\n]*\); a trailing comma/,
    );
    expect(() => resolve({ config: "/etc/dd/missing.json" })).toThrow("cannot read the config file /etc/dd/missing.json (ENOENT)");
    expect(() => parseConfig("{}", "c.json")).toThrow(/ductors/);
  });

  it("refuses what cannot say whose it is, and bad names", () => {
    expect(() => resolve({})).toThrow(/no ductor/);
    expect(() => resolve({ ductor: ["http://x:1", "b=http://y:1"] })).toThrow(/each needs a name/);
    expect(() => resolve({ ductor: ["a=http://x:1", "b=http://y:1"], tokenFile: ["/t/home"] })).toThrow(/whose token file/);
    expect(() => resolve({ ductor: ["a=http://x:1", "b=http://y:1"], token: "t" })).toThrow(/--token/);
    expect(() => resolve({ ductor: ["a=http://x:1"], tokenFile: ["c=/t/home"] })).toThrow(/no ductor is named c/);
    expect(() => resolve({ ductor: ["Home=http://x:1"] })).toThrow(/lowercase/);
    expect(() => resolve({ ductor: ["a=http://x:1"], config: "/etc/dd/ductor-dashboard.json" })).toThrow(/not both/);
    expect(() => resolve({ ductor: ["a=http://x:1", "b=http://y:1"], tokenFile: ["a=/missing"] })).toThrow(/cannot read the token file/);
  });
});
