import { afterEach, describe, expect, it } from "vitest";
import { startMockServer, type MockServer, type MockServerOptions, type Recording } from "../src/index.js";

const servers: MockServer[] = [];
async function start(opts: MockServerOptions): Promise<MockServer> {
  const s = await startMockServer(opts);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function get(s: MockServer, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(s.url + path, { headers: { authorization: `Bearer ${s.token}`, ...headers } });
}

type Task = { created_at: number; completed_at: number; elapsed_seconds: number; status: string };
type Session = { created_at?: string; last_active?: string };
type LogEntry = { name: string; mtime: number };

const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;

describe("shiftTimes", () => {
  it("moves the bundled data so the newest time is now, in the same formats", async () => {
    const plain = await start({ recording: "coding-session" });
    const shifted = await start({ recording: "coding-session", shiftTimes: true });
    const now = Date.now() / 1000;
    const d = shifted.timeShiftSeconds;
    expect(Number.isInteger(d)).toBe(true);
    expect(d).toBeGreaterThan(0);

    const [tasksText, tasksShiftedText] = await Promise.all(
      [get(plain, "/dashboard/tasks"), get(shifted, "/dashboard/tasks")].map(async (r) => (await r).text()),
    );
    const tasks = JSON.parse(tasksText!) as Task[];
    const moved = JSON.parse(tasksShiftedText!) as Task[];
    expect(moved.length).toBe(tasks.length);
    tasks.forEach((t, i) => {
      const m = moved[i]!;
      expect(m.created_at - t.created_at).toBeCloseTo(d, 3);
      expect(m.completed_at).toBe(t.completed_at === 0 ? 0 : t.completed_at + d);
      expect(m.elapsed_seconds).toBe(t.elapsed_seconds); // a duration, not a time
    });
    // Formats on the wire: floats stay floats with their fraction, 0.0 stays 0.0, ints stay ints.
    expect(tasksText).toContain('"created_at": 1776762012.5531');
    expect(tasksShiftedText).toContain(`"created_at": ${1776762012 + d}.5531`);
    expect(tasksShiftedText).toContain(`"created_at": ${1776761700 + d}.0`);
    expect(tasksShiftedText).toContain('"completed_at": 0.0');
    // The running task now started about an hour ago, not months ago.
    const running = moved.find((t) => t.status === "running")!;
    expect(now - running.created_at).toBeLessThan(2 * 3600);

    const sessions = (await (await get(shifted, "/dashboard/sessions")).json()) as Record<string, Session>;
    const plainSessions = (await (await get(plain, "/dashboard/sessions")).json()) as Record<string, Session>;
    const lastActive: number[] = [];
    for (const [key, s] of Object.entries(sessions)) {
      const p = plainSessions[key]!;
      for (const field of ["created_at", "last_active"] as const) {
        expect(s[field]).toMatch(ISO_MICROS);
        expect(s[field]!.slice(19)).toBe(p[field]!.slice(19)); // same microseconds, same offset
        expect(Date.parse(s[field]!) - Date.parse(p[field]!)).toBe(d * 1000);
      }
      lastActive.push(Date.parse(s.last_active!) / 1000);
    }

    const logs = (await (await get(shifted, "/dashboard/logs")).json()) as LogEntry[];
    const newest = Math.max(...lastActive, ...moved.map((t) => t.created_at), ...logs.map((l) => l.mtime));
    expect(Math.abs(newest - now)).toBeLessThan(5);
    expect(logs.map((l) => l.name)).toEqual(((await (await get(plain, "/dashboard/logs")).json()) as LogEntry[]).map((l) => l.name));
  });

  it("moves the stamps inside log files without changing sizes or byte ranges", async () => {
    const target = new Date("2030-01-02T03:04:05Z");
    const plain = await start({ recording: "coding-session" });
    const shifted = await start({ recording: "coding-session", shiftTimes: target });
    const d = shifted.timeShiftSeconds;
    const before = await (await get(plain, "/dashboard/logs/agent.log")).text();
    const res = await get(shifted, "/dashboard/logs/agent.log");
    const after = await res.text();
    expect(Buffer.byteLength(after)).toBe(Buffer.byteLength(before));
    expect(res.headers.get("content-length")).toBe(String(Buffer.byteLength(before)));
    const firstStamp = (text: string) => /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})/.exec(text)![1]!;
    const asUtc = (stamp: string) => Date.parse(`${stamp.replace(" ", "T")}Z`);
    expect(asUtc(firstStamp(after)) - asUtc(firstStamp(before))).toBe(d * 1000);
    expect(after.slice(19)).not.toBe(before.slice(19)); // later lines moved too
    const range = await get(shifted, "/dashboard/logs/agent.log", { range: "bytes=0-18" });
    expect(range.status).toBe(206);
    expect(await range.text()).toBe(firstStamp(after));
    // service.err: console lines start with HH:MM:SS, moved by the same offset within the day.
    const err = await (await get(shifted, "/dashboard/logs/service.err")).text();
    const errBefore = await (await get(plain, "/dashboard/logs/service.err")).text();
    const clock = (t: string) =>
      t
        .slice(0, 8)
        .split(":")
        .map(Number)
        .reduce((a, n) => a * 60 + n, 0);
    expect((((clock(err) - clock(errBefore)) % 86400) + 86400) % 86400).toBe(((d % 86400) + 86400) % 86400);
    // The newest time landed on the given Date (whole-second offset).
    const logs = (await (await get(shifted, "/dashboard/logs")).json()) as LogEntry[];
    expect(Math.abs(Math.max(...logs.map((l) => l.mtime)) - target.getTime() / 1000)).toBeLessThan(1);
  });

  it("moves a recording's snapshots when there is no data folder, and never the caller's object", async () => {
    const rec: Recording = {
      header: { ductorRecording: 1, recordedAt: "2026-04-21T10:00:00.000Z", source: "synthetic" },
      entries: [
        {
          t: 0,
          snapshot: {
            path: "/dashboard/tasks",
            status: 200,
            body: [{ task_id: "a", created_at: 1776765000.25, completed_at: 0, elapsed_seconds: 0 }],
          },
        },
        {
          t: 0,
          snapshot: {
            path: "/dashboard/sessions",
            status: 200,
            body: { "tg:1": { created_at: "2026-04-21T08:00:00.000042+02:00", last_active: "2026-04-21T09:30:00.5+02:00" } },
          },
        },
      ],
    };
    const copy = structuredClone(rec);
    const s = await start({ recording: rec, shiftTimes: new Date("2026-04-21T11:00:00.000Z") });
    expect(s.timeShiftSeconds).toBe(3600); // the header's 10:00Z is the newest
    const tasks = (await (await get(s, "/dashboard/tasks")).json()) as Task[];
    expect(tasks[0]).toMatchObject({ created_at: 1776768600.25, completed_at: 0, elapsed_seconds: 0 });
    const sessions = (await (await get(s, "/dashboard/sessions")).json()) as Record<string, Session>;
    expect(sessions["tg:1"]).toEqual({ created_at: "2026-04-21T09:00:00.000042+02:00", last_active: "2026-04-21T10:30:00.5+02:00" });
    expect(rec).toEqual(copy);
  });

  it("without the option, times are served as recorded", async () => {
    const s = await start({ recording: "coding-session" });
    expect(s.timeShiftSeconds).toBe(0);
    expect(await (await get(s, "/dashboard/tasks")).text()).toContain('"created_at": 1776762012.5531');
  });
});
