/**
 * `GET /dashboard/history/usage` on a real relay in front of the real mock server, over real sockets, with a real
 * SQLite file: the mock's sessions.json changes (as ductor rewrites it: a temp file and a rename), the relay's
 * snapshots of it become samples, the client reads them typed, and they are still there after a restart.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DashboardClient, NotFoundError, type UsageSample } from "@ductor/dashboard-client";
import { startMockServer, type MockServer } from "@ductor/mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDashboardServer, type DashboardServer } from "../src/serve.js";
import { siteDir } from "./helpers.js";
import { FAST_UPSTREAM, waitFor } from "./relay-support.js";

const HOSTILE = "tg:<img src=x onerror=alert(1)>";

let mock: MockServer;
let tmp: string;
let data: string;
const cleanups: (() => unknown)[] = [];

type Totals = [sessionId: string, cost: number, tokens: number];
/** sessions.json as ductor writes it: one entry per key, its providers' running totals. */
function writeSessions(sessions: Record<string, Record<string, Totals>>): void {
  const body = Object.fromEntries(
    Object.entries(sessions).map(([key, ps]) => [
      key,
      {
        transport: "tg",
        chat_id: 1,
        topic_id: null,
        topic_name: null,
        provider: "claude",
        model: "opus",
        created_at: "2026-04-21T09:12:44.801233+00:00",
        last_active: "2026-04-21T10:03:17.120977+00:00",
        provider_sessions: Object.fromEntries(
          Object.entries(ps).map(([p, [session_id, total_cost_usd, total_tokens]]) => [
            p,
            { session_id, message_count: 1, total_cost_usd, total_tokens },
          ]),
        ),
      },
    ]),
  );
  const temp = join(data, "sessions.json.tmp");
  writeFileSync(temp, JSON.stringify(body));
  renameSync(temp, join(data, "sessions.json"));
}

/** Write sessions.json and wait for the relay to have stored it as a snapshot; its time. */
async function step(dash: DashboardServer, sessions: Record<string, Record<string, Totals>>): Promise<number> {
  writeSessions(sessions);
  const store = dash.relay!.store as unknown as { snapshots(path: string): { at: number; body: string }[] };
  const want = JSON.stringify(Object.values(sessions).map((ps) => Object.values(ps)));
  const seen = (): { at: number } | undefined =>
    store.snapshots("/dashboard/sessions").find((s) => {
      const parsed = JSON.parse(s.body) as Record<
        string,
        { provider_sessions: Record<string, { session_id: string; total_cost_usd: number; total_tokens: number }> }
      >;
      return (
        JSON.stringify(
          Object.values(parsed).map((e) => Object.values(e.provider_sessions).map((p) => [p.session_id, p.total_cost_usd, p.total_tokens])),
        ) === want
      );
    });
  await waitFor(() => seen() !== undefined, 10_000, "the sessions snapshot");
  return seen()!.at;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "dd-relay-usage-"));
  data = join(tmp, "data");
  mkdirSync(data);
  writeSessions({});
  mock = await startMockServer({ data, heartbeatMs: 0 });
});
afterAll(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
  await mock?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const relayOn = async (history: string | false): Promise<DashboardServer> => {
  const dash = await startDashboardServer({
    ductor: mock.url,
    siteDir,
    token: mock.token,
    history,
    relay: { ...FAST_UPSTREAM, snapshotEveryMs: 30 },
  });
  cleanups.push(() => dash.close());
  return dash;
};
const get = (dash: DashboardServer, path: string, token: string | null = mock.token) =>
  fetch(new URL(path, dash.url), { headers: token === null ? {} : { authorization: `Bearer ${token}` } });

describe("GET /dashboard/history/usage on a relay with a SQLite file", () => {
  it("turns the changing sessions.json into increases; typed by the client; kept across a restart", async () => {
    const file = join(tmp, "usage.sqlite");
    let dash = await relayOn(file);
    const t0 = await step(dash, { "tg:1": { claude: ["a", 1.5, 10_000] } }); // baseline: spent before the relay saw it
    const t1 = await step(dash, { "tg:1": { claude: ["a", 1.62, 13_400] } });
    const t2 = await step(dash, {
      "tg:1": { claude: ["a", 1.62, 13_400], codex: ["c", 0.05, 900] },
      [HOSTILE]: { claude: ["h", 0.25, 2_000] },
    });
    const t3 = await step(dash, {
      "tg:1": { claude: ["b", 0.1, 500], codex: ["c", 0.05, 900] }, // a new CLI session: its totals are the increase
      [HOSTILE]: { claude: ["h", 0.5, 2_500] },
    });
    expect(t0 < t1 && t1 < t2 && t2 < t3).toBe(true);
    const expected: UsageSample[] = [
      { at: t1, session: "tg:1", provider: "claude", costUsd: 0.12, tokens: 3_400 },
      { at: t2, session: "tg:1", provider: "codex", costUsd: 0.05, tokens: 900 },
      { at: t2, session: HOSTILE, provider: "claude", costUsd: 0.25, tokens: 2_000 },
      { at: t3, session: "tg:1", provider: "claude", costUsd: 0.1, tokens: 500 },
      { at: t3, session: HOSTILE, provider: "claude", costUsd: 0.25, tokens: 500 },
    ];

    // The wire, exactly.
    const before = Date.now();
    const res = await get(dash, "/dashboard/history/usage");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await res.json()) as { samples: UsageSample[]; from: number; to: number };
    expect(Object.keys(body)).toEqual(["samples", "from", "to"]);
    expect(body.samples).toEqual(expected);
    expect(Object.keys(body.samples[0]!)).toEqual(["at", "session", "provider", "costUsd", "tokens"]);
    expect(body.from).toBe(0);
    expect(body.to).toBeGreaterThanOrEqual(before);
    const ranged = (await (await get(dash, `/dashboard/history/usage?from=${t1}&to=${t2}`)).json()) as typeof body;
    expect(ranged).toEqual({ samples: expected.slice(1, 3), from: t1, to: t2 });

    // The client, typed and checked.
    const client = new DashboardClient({ baseUrl: dash.url, token: mock.token, maxRetries: 0 });
    expect(await client.history.usage()).toEqual(expected);
    expect(await client.history.usage({ from: t2 })).toEqual(expected.slice(3));

    // Restarted on the same file: the samples come from what was stored, not from memory.
    await dash.close();
    dash = await relayOn(file);
    const again = new DashboardClient({ baseUrl: dash.url, token: mock.token, maxRetries: 0 });
    expect(await again.history.usage({ to: t3 })).toEqual(expected);
    // And it goes on from there: a later change is one more sample.
    const t4 = await step(dash, {
      "tg:1": { claude: ["b", 0.3, 700], codex: ["c", 0.05, 900] },
      [HOSTILE]: { claude: ["h", 0.5, 2_500] },
    });
    expect(await again.history.usage({ from: t3 })).toEqual([{ at: t4, session: "tg:1", provider: "claude", costUsd: 0.2, tokens: 200 }]);
  });

  it("the in-memory history (--no-history, the library's default) records usage too", async () => {
    const dash = await relayOn(false);
    await step(dash, { "tg:9": { claude: ["m", 2, 100] } });
    const t1 = await step(dash, { "tg:9": { claude: ["m", 2.5, 160] } });
    const client = new DashboardClient({ baseUrl: dash.url, token: mock.token, maxRetries: 0 });
    // It kept only the last sessions body before: the one increase was dropped as "older than the oldest kept".
    expect(await client.history.usage()).toEqual([{ at: t1, session: "tg:9", provider: "claude", costUsd: 0.5, tokens: 60 }]);
  });

  it("the token like the other history endpoints; bad parameters are a JSON 400; a plain proxy has no usage", async () => {
    const dash = await relayOn(join(tmp, "params.sqlite"));
    expect((await get(dash, "/dashboard/history/usage", null)).status).toBe(401);
    expect((await get(dash, "/dashboard/history/usage", "wrong")).status).toBe(401);
    for (const q of ["from=-1", "to=soon", "from=2&to=1", "from=1&from=2", "since=5", `from=${Date.now() + 3_600_000}`]) {
      const res = await get(dash, `/dashboard/history/usage?${q}`);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { error: string }).error, q).toEqual(expect.any(String));
    }
    const proxy = await startDashboardServer({ ductor: mock.url, siteDir, token: mock.token, relay: false });
    cleanups.push(() => proxy.close());
    const client = new DashboardClient({ baseUrl: proxy.url, token: mock.token, maxRetries: 0 });
    await expect(client.history.usage()).rejects.toBeInstanceOf(NotFoundError);
  });
});
