import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  BadRequestError,
  burnRate,
  cumulativeBySession,
  DashboardClient,
  NotFoundError,
  ProtocolError,
  spentPerDay,
  spentPerSession,
  spentToday,
  type UsageSample,
} from "../src/index.js";
import { json, rejection, startPeer } from "./helpers/peer.js";

// The usage helpers (pure, local days in a DST time zone) and client.history.usage at the edge (real HTTP).

const HOUR = 3_600_000;
const s = (at: number, session: string, costUsd: number, tokens = 0, provider = "claude"): UsageSample => ({
  at,
  session,
  provider,
  costUsd,
  tokens,
});

let savedTz: string | undefined;
beforeAll(() => {
  savedTz = process.env.TZ;
  // A zone with DST: 2026-03-29 has 23 hours there, 2026-10-25 has 25.
  process.env.TZ = "Europe/Berlin";
});
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

describe("usage helpers", () => {
  it("spentPerDay: local days, oldest first, every day present, DST days whole", () => {
    const now = new Date(2026, 2, 30, 9, 0).getTime(); // 30 March, 09:00 local
    const samples = [
      s(new Date(2026, 2, 27, 23, 59).getTime(), "a", 5), // outside 3 days
      s(new Date(2026, 2, 28, 0, 0).getTime(), "a", 1, 10),
      s(new Date(2026, 2, 29, 0, 30).getTime(), "a", 0.25, 5), // the 23-hour day
      s(new Date(2026, 2, 29, 23, 30).getTime(), "b", 0.5, 5),
      s(new Date(2026, 2, 30, 8, 59).getTime(), "b", 2, 1),
    ];
    expect(spentPerDay(samples, { now, days: 3 })).toEqual([
      { day: "2026-03-28", start: new Date(2026, 2, 28).getTime(), costUsd: 1, tokens: 10 },
      { day: "2026-03-29", start: new Date(2026, 2, 29).getTime(), costUsd: 0.75, tokens: 10 },
      { day: "2026-03-30", start: new Date(2026, 2, 30).getTime(), costUsd: 2, tokens: 1 },
    ]);
    expect(new Date(2026, 2, 30).getTime() - new Date(2026, 2, 29).getTime()).toBe(23 * HOUR);
    expect(spentPerDay([], { now, days: 14 })).toHaveLength(14);
    expect(() => spentPerDay([], { now, days: 0 })).toThrow(TypeError);
  });

  it("spentToday and burnRate: since local midnight, and the last hour (exclusive start, inclusive now)", () => {
    const now = new Date(2026, 9, 25, 12, 0).getTime(); // the 25-hour day
    const samples = [
      s(new Date(2026, 9, 24, 23, 59).getTime(), "a", 9),
      s(new Date(2026, 9, 25, 0, 0).getTime(), "a", 1, 100),
      s(now - HOUR, "a", 2, 1), // exactly an hour ago: not in the last hour
      s(now - HOUR + 1, "b", 3, 2),
      s(now, "b", 4, 3),
      s(now + 1, "b", 100), // the future (a skewed clock): not counted
    ];
    expect(spentToday(samples, now)).toEqual({ costUsd: 10, tokens: 106 });
    expect(burnRate(samples, now)).toEqual({ costUsd: 7, tokens: 5 });
    expect(burnRate(samples, now, 10)).toEqual({ costUsd: 4, tokens: 3 });
  });

  it("spentPerSession: per session and provider, most costly first; hostile keys are only keys", () => {
    const hostile = "<img src=x onerror=alert(1)>";
    const out = spentPerSession([s(1, "a", 1, 5), s(2, hostile, 3, 1, "__proto__"), s(3, "a", 1, 5, "codex"), s(4, "c", 0, 50)]);
    expect(out.map((e) => [e.session, e.costUsd, e.tokens])).toEqual([
      [hostile, 3, 1],
      ["a", 2, 10],
      ["c", 0, 50],
    ]);
    expect(out[1]!.providers).toEqual({ claude: { costUsd: 1, tokens: 5 }, codex: { costUsd: 1, tokens: 5 } });
    expect(Object.keys(out[0]!.providers)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).costUsd).toBeUndefined();
  });

  it("cumulativeBySession: shared times from `from` to `to`, lines that start at 0 and end at each session's sum", () => {
    const series = cumulativeBySession([s(5, "a", 1, 1), s(10, "b", 2, 2), s(10, "a", 0.5, 0), s(20, "a", 1, 3), s(30, "a", 9)], 0, 25);
    expect(series.times).toEqual([0, 5, 10, 20, 25]);
    expect(series.sessions).toEqual([
      { session: "a", costUsd: [0, 1, 1.5, 2.5, 2.5], tokens: [0, 1, 1, 4, 4] },
      { session: "b", costUsd: [0, 0, 2, 2, 2], tokens: [0, 0, 2, 2, 2] },
    ]);
  });

  it("property: days and sessions each add up to the samples within them", () => {
    const sample = fc.record({
      at: fc.integer({ min: 1_780_000_000_000, max: 1_780_000_000_000 + 20 * 24 * HOUR }),
      session: fc.constantFrom("tg:1", "tg:2", "x"),
      provider: fc.constantFrom("claude", "codex"),
      costUsd: fc.integer({ min: 0, max: 1000 }).map((n) => n / 100),
      tokens: fc.nat({ max: 10_000 }),
    });
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 80 }), fc.integer({ min: 1, max: 30 }), (raw, days) => {
        const samples = [...raw].sort((a, b) => a.at - b.at);
        const now = 1_780_000_000_000 + 20 * 24 * HOUR;
        const perDay = spentPerDay(samples, { now, days });
        const first = perDay[0]!.start;
        const inRange = samples.filter((x) => x.at >= first && x.at <= now);
        expect(perDay.reduce((n, d) => n + d.tokens, 0)).toBe(inRange.reduce((n, x) => n + x.tokens, 0));
        expect(perDay.at(-1)!.costUsd).toBeCloseTo(spentToday(samples, now).costUsd, 9);
        const perSession = spentPerSession(samples);
        expect(perSession.reduce((n, x) => n + x.tokens, 0)).toBe(samples.reduce((n, x) => n + x.tokens, 0));
        const series = cumulativeBySession(samples, 0, now);
        for (const line of series.sessions) {
          const sum = perSession.find((p) => p.session === line.session)!;
          expect(line.tokens.at(-1)).toBe(sum.tokens);
          expect(line.costUsd.at(-1)).toBeCloseTo(sum.costUsd, 9);
        }
      }),
    );
  });
});

describe("client.history.usage", () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });
  const peerWith = async (reply: Parameters<typeof startPeer>[0]) => {
    const peer = await startPeer(reply);
    closers.push(() => peer.close());
    return { peer, client: new DashboardClient({ baseUrl: peer.url, token: "t", maxRetries: 0 }) };
  };

  it("asks with from/to only when given, with the token, and returns the samples typed", async () => {
    const samples = [s(10, "tg:1", 0.12, 3400), s(20, "tg:2", 0, 5, "codex")];
    const { peer, client } = await peerWith((_req, res) => json(res, 200, { samples, from: 0, to: 99 }));
    expect(await client.history.usage()).toEqual(samples);
    expect(await client.history.usage({ from: 5 })).toEqual(samples);
    expect(await client.history.usage({ from: 5, to: 99 })).toEqual(samples);
    expect(peer.requests.map((r) => r.url)).toEqual([
      "/dashboard/history/usage",
      "/dashboard/history/usage?from=5",
      "/dashboard/history/usage?from=5&to=99",
    ]);
    expect(peer.requests[0]!.headers.authorization).toBe("Bearer t");
  });

  it("refuses bad arguments before asking", async () => {
    const { peer, client } = await peerWith((_req, res) => json(res, 200, { samples: [] }));
    for (const opts of [{ from: -1 }, { to: 1.5 }, { from: 9, to: 3 }, { from: "1" as unknown as number }]) {
      await expect(client.history.usage(opts)).rejects.toThrow(TypeError);
    }
    expect(peer.count()).toBe(0);
  });

  it("a plain ductor (404) is NotFoundError; the relay's 400 is BadRequestError", async () => {
    const { client } = await peerWith((req, res) =>
      req.url?.includes("from") ? json(res, 400, { error: '"from" must not be after "to"' }) : json(res, 404, { detail: "Not Found" }),
    );
    expect(await rejection(client.history.usage())).toBeInstanceOf(NotFoundError);
    expect(await rejection(client.history.usage({ from: 1 }))).toBeInstanceOf(BadRequestError);
  });

  it("a sample that breaks the contract is a ProtocolError naming it", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ samples: {} }, /usage\.samples: expected array/],
      [
        { samples: [{ at: 1, session: "a", provider: "claude", costUsd: "1", tokens: 1 }] },
        /usage\.samples\[0\]\.costUsd: expected number/,
      ],
      [{ samples: [{ at: 1, session: "a", provider: "claude", costUsd: -1, tokens: 1 }] }, /costUsd: expected non-negative number/],
      [{ samples: [{ at: 1, session: 7, provider: "claude", costUsd: 1, tokens: 1 }] }, /session: expected string/],
      [{ samples: [{ at: 1, session: "a", provider: "claude", costUsd: 1, tokens: 1.5 }] }, /tokens: expected integer/],
      [{ samples: [s(5, "a", 1), s(4, "a", 1)] }, /not in ascending time/],
    ];
    for (const [body, message] of cases) {
      const { client } = await peerWith((_req, res) => json(res, 200, body));
      const error = await rejection(client.history.usage());
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error.message).toMatch(message);
    }
  });
});
