/**
 * The fleet's pure parts in Node: its address-bar grammar, per-ductor tokens and links, and what a card says
 * (link, work, last line, cost today).
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { forgetServerToken, loadSaved, loadServerToken, parseServerLink, saveServerToken, saveToken } from "../src/app/storage.js";
import { cardLink, workState } from "../src/fleet/card-state.js";
import { formatCost, localMidnight } from "../src/fleet/cost-today.js";
import { FLEET_HASH, invalidServerInHash, parseFleetHash, serverHashPrefix } from "../src/fleet/fleet-route.js";
import { LastLine } from "../src/fleet/last-line.js";
import { formatCost as formatMoney } from "../src/format.js";

describe("fleet addresses", () => {
  it("reads a ductor and its view from #/s/<name>/<view>", () => {
    expect(parseFleetHash("#/s/work/sessions")).toEqual({ server: "work", route: "sessions" });
    expect(parseFleetHash("#/s/home-2/stream&x=1")).toEqual({ server: "home-2", route: "stream" });
    expect(parseFleetHash("#/s/work")).toEqual({ server: "work", route: null });
    expect(parseFleetHash("#/s/work/")).toEqual({ server: "work", route: null });
    expect(parseFleetHash("#/s/work/nope")).toEqual({ server: "work", route: null });
  });

  it("anything that names no valid ductor is the overview", () => {
    for (const hash of [
      "",
      "#",
      FLEET_HASH,
      "#/stream",
      "#/s/",
      "#/s/Work/stream",
      "#/s/-x/stream",
      `#/s/${"a".repeat(33)}/logs`,
      "#/s/%3Cimg%3E/logs",
    ]) {
      expect(parseFleetHash(hash)).toEqual({ server: null, route: null });
    }
  });

  it("a shell's prefix puts the view after the ductor's name", () => {
    expect(`${serverHashPrefix("work")}logs`).toBe("#/s/work/logs");
    expect(parseFleetHash(`${serverHashPrefix("work")}logs`)).toEqual({ server: "work", route: "logs" });
  });
});

describe("#server=<name>&token=… links", () => {
  it("names one ductor and its token, in either order, decoded", () => {
    expect(parseServerLink("#server=work&token=abc")).toEqual({ server: "work", token: "abc" });
    expect(parseServerLink("#token=a%2Bb&server=home")).toEqual({ server: "home", token: "a+b" });
    expect(parseServerLink("#server=work&token=100%")).toEqual({ server: "work", token: "100%" });
  });

  it("is not a server link without both", () => {
    expect(parseServerLink("#token=abc")).toBeNull();
    expect(parseServerLink("#server=work")).toBeNull();
    expect(parseServerLink("#server=work&token=")).toBeNull();
    expect(parseServerLink("server=work&token=abc")).toBeNull();
  });

  it("keeps a name no relay would use as written, so its token still leaves the address bar and the page can say so", () => {
    expect(parseServerLink("#server=Work&token=abc")).toEqual({ server: "Work", token: "abc" });
    expect(parseServerLink("#server=%3Cimg%3E&token=abc")).toEqual({ server: "<img>", token: "abc" });
  });
});

describe("an address naming no ductor", () => {
  it("gives the name an invalid address tried, for the overview to say it has none such", () => {
    expect(invalidServerInHash("#/s/Work/logs")).toBe("Work");
    expect(invalidServerInHash("#/s/%3Cimg%3E/logs")).toBe("<img>");
    expect(invalidServerInHash("#/s/%E0%A4%A/logs")).toBe("%E0%A4%A");
    // A valid name is parseFleetHash's; no name is the overview.
    expect(invalidServerInHash("#/s/nope/status")).toBeNull();
    expect(invalidServerInHash("#/")).toBeNull();
    expect(invalidServerInHash("#/stream")).toBeNull();
  });
});

/** A Storage over a Map, as the browser's sessionStorage/localStorage. */
function memoryStorage(): Storage {
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (k) => map.get(k) ?? null,
    key: (i) => [...map.keys()][i] ?? null,
    removeItem: (k) => void map.delete(k),
    setItem: (k, v) => void map.set(k, String(v)),
  };
}

describe("per-ductor tokens", () => {
  const g = globalThis as { sessionStorage?: Storage; localStorage?: Storage };
  afterEach(() => {
    delete g.sessionStorage;
    delete g.localStorage;
  });

  it("each ductor has its own token; none is the single-ductor token", () => {
    g.sessionStorage = memoryStorage();
    g.localStorage = memoryStorage();
    saveServerToken("home", "home-token", false);
    saveServerToken("work", "work-token", true);
    expect(loadServerToken("home")).toEqual({ token: "home-token", remembered: false });
    expect(loadServerToken("work")).toEqual({ token: "work-token", remembered: true });
    expect(loadServerToken("lab")).toBeNull();
    expect(loadSaved()).toBeNull();
    expect(g.localStorage.getItem("ductor-dashboard.token@work")).toBe("work-token");

    // Remembering moves it; forgetting one leaves the other, and the single-ductor token, alone.
    saveToken("single", null, false);
    saveServerToken("home", "home-2", true);
    expect(g.sessionStorage.getItem("ductor-dashboard.token@home")).toBeNull();
    forgetServerToken("home");
    expect(loadServerToken("home")).toBeNull();
    expect(loadServerToken("work")?.token).toBe("work-token");
    expect(loadSaved()?.token).toBe("single");
  });

  it("without storage (a privacy mode) nothing throws and nothing is held", () => {
    saveServerToken("home", "t", true);
    expect(loadServerToken("home")).toBeNull();
    forgetServerToken("home");
  });
});

describe("a card's link", () => {
  const now = 1_000_000;
  it("tells a relay that lost ductor from a page that lost the relay", () => {
    const open = { kind: "open", since: 0 } as const;
    expect(cardLink({ signedIn: true, link: open, upstream: null }, now)).toEqual({ kind: "live", text: "live" });
    expect(cardLink({ signedIn: true, link: open, upstream: "connected" }, now).kind).toBe("live");
    expect(cardLink({ signedIn: true, link: open, upstream: "disconnected" }, now)).toEqual({ kind: "unreachable", text: "unreachable" });
    expect(cardLink({ signedIn: true, link: open, upstream: "refused" }, now).kind).toBe("unreachable");
    expect(
      cardLink({ signedIn: true, link: { kind: "reconnecting", retryAt: now + 2_500, attempt: 1, code: 1006 }, upstream: null }, now),
    ).toEqual({
      kind: "reconnecting",
      text: "reconnecting in 3 s",
    });
    expect(cardLink({ signedIn: true, link: { kind: "reconnecting", retryAt: now - 1, attempt: 2 }, upstream: null }, now).text).toBe(
      "reconnecting…",
    );
    expect(cardLink({ signedIn: true, link: { kind: "closed", code: 1011 }, upstream: null }, now).kind).toBe("unreachable");
    expect(cardLink({ signedIn: true, link: { kind: "connecting" }, upstream: null }, now).kind).toBe("connecting");
  });

  it("is signed out without a token, or when the token was refused", () => {
    expect(cardLink({ signedIn: false, link: { kind: "open", since: 0 }, upstream: null }, now)).toEqual({
      kind: "signed-out",
      text: "signed out",
    });
    expect(cardLink({ signedIn: true, link: { kind: "refused" }, upstream: null }, now)).toEqual({
      kind: "signed-out",
      text: "token refused",
    });
  });

  it("working or quiet from the activity; unknown while not linked", () => {
    expect(workState({ kind: "tool", name: "Shell", since: 0 })).toBe("working");
    expect(workState({ kind: "writing", since: 0, lastAt: 0 })).toBe("working");
    expect(workState({ kind: "thinking", since: 0 })).toBe("working");
    expect(workState({ kind: "status", label: "compacting", since: 0 })).toBe("working");
    expect(workState({ kind: "quiet", since: 0 })).toBe("quiet");
    expect(workState({ kind: "connecting", since: 0 })).toBe("unknown");
    expect(workState({ kind: "disconnected", since: 0, retryAt: null, upstream: true })).toBe("unknown");
  });
});

describe("a card's last line", () => {
  it("is the last line with something in it, however the deltas split it", () => {
    const last = new LastLine();
    expect(last.line).toBe("");
    last.push("first li");
    expect(last.line).toBe("first li");
    last.push("ne\nsecond ");
    last.push("line\n\n  \n");
    expect(last.line).toBe("second line");
    last.push("third");
    expect(last.line).toBe("third");
  });

  it("drops control characters and keeps a bounded tail", () => {
    const last = new LastLine();
    last.push("\u001b[31mred\u001b[0m text\r\n");
    expect(last.line).toBe("[31mred[0m text");
    for (let i = 0; i < 10_000; i++) last.push(`line ${i}\n`);
    expect(last.line).toBe("line 9999");
    last.push("x".repeat(10_000));
    expect(last.line.length).toBe(300);
    expect(last.line.endsWith("…")).toBe(true);
  });

  it("keeps hostile markup as the characters it is", () => {
    const last = new LastLine();
    last.push("<img src=x onerror=alert(1)>\n");
    expect(last.line).toBe("<img src=x onerror=alert(1)>");
  });

  /** The line after pushing `text` whole. */
  const lineOf = (text: string): string => {
    const last = new LastLine();
    last.push(text);
    return last.line;
  };

  it("skips fence lines, code, blank lines and rules: the last line of prose", () => {
    expect(lineOf("All 148 tests pass:\n\n```\n Tests  148 passed (148)\n```")).toBe("All 148 tests pass:");
    expect(lineOf("Build output:\n\n~~~~sh\n$ make\n```\nstill code\n~~~~\n")).toBe("Build output:");
    expect(lineOf("Before\n```")).toBe("Before");
    expect(lineOf("Before\n``")).toBe("Before"); // a fence still arriving
    expect(lineOf("Title\n===\n\n---\n***\n")).toBe("Title");
    expect(lineOf("```\n")).toBe("");
  });

  it("takes markdown's markers off: headings, quotes, bullets, emphasis, code, links, file references", () => {
    expect(lineOf("## Dependency changes ##\n")).toBe("Dependency changes");
    expect(lineOf("> > quoted **bold** and *em* and _em_ and ~~gone~~\n")).toBe("quoted bold and em and em and gone");
    expect(lineOf("- [x] 🚀 Startup is **2.4×** faster")).toBe("🚀 Startup is 2.4× faster");
    expect(lineOf("1. **Root cause**: `computeTotal()` rounded")).toBe("1. Root cause: computeTotal() rounded");
    expect(lineOf('see [the docs](https://example.com/x "t") and ![a chart](c.png) and [ref][1]')).toBe("see the docs and a chart and ref");
    expect(lineOf("Found it in <file:/home/dev/src/totals.ts>. Also <https://example.com/a_b_c>.")).toBe(
      "Found it in /home/dev/src/totals.ts. Also https://example.com/a_b_c.",
    );
    // What is in code, escaped, or inside words is the characters it is.
    expect(lineOf("`**kwargs` and `` a`b `` and \\*not em\\* and snake_case_name and 2 * 3 * 4")).toBe(
      "**kwargs and a`b and *not em* and snake_case_name and 2 * 3 * 4",
    );
    expect(lineOf("**still arriv")).toBe("still arriv");
  });

  it("reads a table row as its cells, and skips its separator", () => {
    expect(lineOf("| # | package |\n|---:|:---|\n")).toBe("# · package");
    expect(lineOf("| 300 | pkg-300-lorem | 1.11.0 | **2.1.0** | a \\| b |\n")).toBe("300 · pkg-300-lorem · 1.11.0 · 2.1.0 · a | b");
    expect(lineOf("text\n|---|---|\n")).toBe("text");
  });

  it("never joins two messages: a tool call or a status between them starts a new line", () => {
    const last = new LastLine();
    last.push("Context was compacted; continuing with the old helper.");
    last.boundary();
    last.push("Session recovered — ");
    expect(last.line).toBe("Session recovered —");
    last.push("a fresh one.\n\n");
    expect(last.line).toBe("Session recovered — a fresh one.");
    // A message that ends inside a fence does not leave the next one in code.
    last.push("Output:\n```\nlog line");
    last.boundary();
    last.push("Next message");
    expect(last.line).toBe("Next message");
    last.boundary();
    last.boundary();
    expect(last.line).toBe("Next message");
  });

  it("on the bundled recordings: never markdown source, never two messages glued, and the last prose at the end", () => {
    const ends: Record<string, string> = {
      "coding-session": 'Pull request: https://github.com/acme/invoice-service/pull/317 — "Fix one-cent rounding error in invoice totals".',
      "long-output": 'Non-BMP check: 𝄞 𠀋 🀄 — tab separated values — backslash \\ and "quotes".',
    };
    for (const [name, end] of Object.entries(ends)) {
      const last = new LastLine();
      const lines = new Set<string>();
      const events = readFileSync(new URL(`../../mock-server/recordings/${name}.jsonl`, import.meta.url), "utf8")
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => (JSON.parse(l) as { event?: { type: string; data: string | null } }).event)
        .filter((e) => e !== undefined);
      expect(events.length).toBeGreaterThan(10);
      for (const event of events) {
        if (event.type === "text_delta") last.push(event.data ?? "");
        else last.boundary();
        lines.add(last.line);
      }
      expect(last.line, name).toBe(end);
      for (const line of lines) {
        expect(line, name).not.toMatch(/^(```|~~~|\||#|>|- |\* )|\*\*|<file:|`/);
        expect(line, name).not.toMatch(/helper\.Session|totals\.The|\w\.[A-Z][a-z]+ /);
      }
    }
  });
});

describe("cost today", () => {
  const noon = new Date(2026, 10, 26, 12, 0, 0).getTime();
  const midnight = new Date(2026, 10, 26, 0, 0, 0).getTime();

  it("starts at local midnight", () => {
    expect(localMidnight(noon)).toBe(midnight);
    expect(localMidnight(midnight)).toBe(midnight);
  });

  it("reads as money the way the Usage panel and the sessions table write it, and — when it cannot be known", () => {
    expect(formatCost(null)).toBe("—");
    for (const usd of [0, 0.00004, 0.001, 0.8421, 1.234, 1234.5]) expect(formatCost(usd), String(usd)).toBe(formatMoney(usd));
    expect(formatCost(0)).toBe("$0");
    expect(formatCost(0.8421)).toBe("$0.84");
  });
});
