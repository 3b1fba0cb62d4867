/**
 * The usage core (src/relay/usage.ts) and its parameters: increases between sessions snapshots, resets, skipped
 * bodies, the baseline at `from`, and the incremental ledger agreeing with a fresh fold.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseUsageQuery } from "../src/relay/params.js";
import { UsageLedger, usageSamples, type StoredSnapshot } from "../src/relay/usage.js";

type Ps = { session_id?: string; total_cost_usd?: unknown; total_tokens?: unknown; message_count?: number };
const body = (sessions: Record<string, Record<string, Ps>>): string =>
  JSON.stringify(
    Object.fromEntries(
      Object.entries(sessions).map(([key, ps]) => [key, { transport: "tg", chat_id: 1, provider: "claude", provider_sessions: ps }]),
    ),
  );
const snap = (at: number, sessions: Record<string, Record<string, Ps>>): StoredSnapshot => ({ at, body: body(sessions) });
const claude = (cost: number, tokens: number, id = "a"): Record<string, Ps> => ({
  claude: { session_id: id, total_cost_usd: cost, total_tokens: tokens },
});

describe("usageSamples", () => {
  it("samples the increase between consecutive snapshots; the first snapshot is the baseline", () => {
    const snaps = [
      snap(1000, { "tg:1": claude(0.5, 1000) }),
      snap(2000, { "tg:1": claude(0.8421, 1500) }),
      snap(3000, { "tg:1": claude(0.8421, 1500) }), // nothing went up: no sample
      snap(4000, { "tg:1": claude(1, 1500), "tg:2": claude(0.25, 300) }), // tg:2 is new: its totals are the increase
    ];
    expect(usageSamples(snaps, 0, 10_000)).toEqual([
      { at: 2000, session: "tg:1", provider: "claude", costUsd: 0.3421, tokens: 500 },
      { at: 4000, session: "tg:1", provider: "claude", costUsd: 0.1579, tokens: 0 },
      { at: 4000, session: "tg:2", provider: "claude", costUsd: 0.25, tokens: 300 },
    ]);
  });

  it("a new session_id or a total that went down counts the new totals whole", () => {
    const snaps = [
      snap(1, { "tg:1": claude(2, 5000, "a") }),
      snap(2, { "tg:1": claude(0.1, 100, "b") }), // new CLI session
      snap(3, { "tg:1": claude(0.3, 50, "b") }), // tokens went down: a reset
      snap(4, { "tg:1": claude(0.4, 80, "b") }),
    ];
    expect(usageSamples(snaps, 0, 10).map((s) => [s.at, s.costUsd, s.tokens])).toEqual([
      [2, 0.1, 100],
      [3, 0.3, 50],
      [4, 0.1, 30],
    ]);
  });

  it("from: the last snapshot at or before it is the baseline; to is inclusive", () => {
    const snaps = [
      snap(10, { k: claude(1, 10) }),
      snap(20, { k: claude(2, 20) }),
      snap(30, { k: claude(4, 40) }),
      snap(40, { k: claude(7, 70) }),
    ];
    expect(usageSamples(snaps, 20, 30)).toEqual([{ at: 30, session: "k", provider: "claude", costUsd: 2, tokens: 20 }]);
    expect(usageSamples(snaps, 25, 40).map((s) => s.costUsd)).toEqual([2, 3]);
    expect(usageSamples(snaps, 40, 100)).toEqual([]);
    expect(usageSamples(snaps, 0, 9)).toEqual([]);
  });

  it("skips what it cannot read, never throws; legacy flat metrics count for the entry's provider", () => {
    const hostile = "<img src=x onerror=alert(1)>";
    const snaps: StoredSnapshot[] = [
      snap(1, { a: claude(1, 10), [hostile]: claude(0, 0) }),
      { at: 2, body: "not json" },
      { at: 3, body: "[1,2]" },
      { at: 4, body: "null" },
      {
        at: 5,
        body: JSON.stringify({
          a: { provider_sessions: { claude: { session_id: "a", total_cost_usd: "lots", total_tokens: 11 }, codex: 7 } },
          b: "no",
          c: { provider_sessions: [] },
          d: { provider: "codex", session_id: "x", total_cost_usd: 0.5, total_tokens: 99 },
          e: { provider_sessions: { claude: { total_cost_usd: -1 } } },
          [hostile]: { provider_sessions: { claude: { session_id: "a", total_cost_usd: 0.01, total_tokens: 1 } } },
        }),
      },
      snap(6, { a: claude(1.5, 20) }),
    ];
    expect(usageSamples(snaps, 0, 10)).toEqual([
      { at: 5, session: "d", provider: "codex", costUsd: 0.5, tokens: 99 },
      { at: 5, session: hostile, provider: "claude", costUsd: 0.01, tokens: 1 },
      { at: 6, session: "a", provider: "claude", costUsd: 0.5, tokens: 10 },
    ]);
  });

  it("a session missing from one snapshot keeps its last totals", () => {
    const snaps = [snap(1, { a: claude(1, 10) }), snap(2, {}), snap(3, { a: claude(1.25, 15) })];
    expect(usageSamples(snaps, 0, 10)).toEqual([{ at: 3, session: "a", provider: "claude", costUsd: 0.25, tokens: 5 }]);
  });

  // A series of totals per pair that only ever goes up (no resets, one session id each).
  const growing = fc
    .array(
      fc.record({
        session: fc.constantFrom("tg:1", "tg:2", "mx:!room:3"),
        provider: fc.constantFrom("claude", "codex"),
        cost: fc.integer({ min: 0, max: 5_000 }),
        tokens: fc.integer({ min: 0, max: 10_000 }),
        gap: fc.integer({ min: 1, max: 60_000 }),
      }),
      { maxLength: 60 },
    )
    .map((steps) => {
      const state: Record<string, Record<string, Ps & { total_cost_usd: number; total_tokens: number }>> = {};
      let at = 1_700_000_000_000;
      const snaps: StoredSnapshot[] = [];
      for (const step of steps) {
        const ps = (state[step.session] ??= {});
        const prev = ps[step.provider] ?? { session_id: "s", total_cost_usd: 0, total_tokens: 0 };
        ps[step.provider] = {
          session_id: "s",
          total_cost_usd: prev.total_cost_usd + step.cost / 10_000,
          total_tokens: prev.total_tokens + step.tokens,
        };
        at += step.gap;
        snaps.push(snap(at, structuredClone(state)));
      }
      return snaps;
    });

  const totalsOf = (s: StoredSnapshot | undefined): { cost: number; tokens: number } => {
    let cost = 0;
    let tokens = 0;
    const parsed = JSON.parse(s?.body ?? "{}") as Record<
      string,
      { provider_sessions: Record<string, { total_cost_usd: number; total_tokens: number }> }
    >;
    for (const e of Object.values(parsed))
      for (const p of Object.values(e.provider_sessions)) {
        cost += p.total_cost_usd;
        tokens += p.total_tokens;
      }
    return { cost, tokens };
  };

  it("property: with no resets, the samples sum to the last totals minus the baseline's", () => {
    fc.assert(
      fc.property(growing, fc.nat({ max: 70 }), (snaps, cut) => {
        const base = snaps[Math.min(cut, snaps.length) - 1] ?? snaps[0];
        const from = base?.at ?? 0;
        const samples = usageSamples(snaps, from, Number.MAX_SAFE_INTEGER);
        const last = totalsOf(snaps.at(-1));
        const first = totalsOf(base);
        expect(samples.reduce((n, s) => n + s.tokens, 0)).toBe(last.tokens - first.tokens);
        expect(samples.reduce((n, s) => n + s.costUsd, 0)).toBeCloseTo(last.cost - first.cost, 6);
        for (const [i, s] of samples.entries()) {
          expect(s.costUsd > 0 || s.tokens > 0).toBe(true);
          expect(s.at).toBeGreaterThan(from);
          if (i > 0) expect(s.at).toBeGreaterThanOrEqual(samples[i - 1]!.at);
        }
      }),
    );
  });

  it("property: the ledger, fed a growing and pruned list request by request, answers like a fresh fold", () => {
    fc.assert(
      fc.property(growing, fc.array(fc.nat({ max: 70 }), { minLength: 1, maxLength: 6 }), (snaps, cuts) => {
        const ledger = new UsageLedger();
        const all = usageSamples(snaps, 0, Number.MAX_SAFE_INTEGER);
        let shown = 0;
        for (const cut of [...cuts].sort((a, b) => a - b)) {
          shown = Math.max(shown, Math.min(cut, snaps.length));
          expect(ledger.samples(snaps.slice(0, shown), 0, Number.MAX_SAFE_INTEGER)).toEqual(
            all.filter((s) => s.at <= (snaps[shown - 1]?.at ?? 0)),
          );
        }
        // Retention drops the oldest half: samples at or before the oldest left go too.
        const kept = snaps.slice(Math.floor(snaps.length / 2));
        const oldest = kept[0]?.at ?? 0;
        expect(ledger.samples(kept, 0, Number.MAX_SAFE_INTEGER)).toEqual(all.filter((s) => s.at > oldest));
      }),
    );
  });
});

describe("parseUsageQuery", () => {
  const parse = (q: string) => parseUsageQuery(new URLSearchParams(q));
  it("from and to are optional epoch ms; anything else is an error that names the parameter", () => {
    expect(parse("")).toEqual({ ok: true, value: { from: undefined, to: undefined } });
    expect(parse("from=5&to=1700000000000")).toEqual({ ok: true, value: { from: 5, to: 1_700_000_000_000 } });
    for (const [q, word] of [
      ["from=-1", "from"],
      ["to=1e3", "to"],
      ["from=", "from"],
      ["from=1&from=2", "from"],
      ["from=9&to=3", "from"],
      ["since=1", "since"],
    ] as const) {
      const r = parse(q);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toContain(word);
    }
  });
});
