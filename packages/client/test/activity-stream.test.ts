import { type MockServer, startMockServer } from "@ductor/mock-server";
import { afterEach, describe, expect, it } from "vitest";
import { type Activity, type ActivityTracker, createActivityTracker, DashboardClient } from "../src/index.js";
import { next, until } from "./helpers/stream.js";

// End to end: the real mock server, a real socket, the real stream and the real clock. Only the order of
// activities is asserted, never how long anything took.

const servers: MockServer[] = [];
const closers: Array<{ close?(): void; dispose?(): void }> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) {
    c.dispose?.();
    c.close?.();
  }
  await Promise.all(servers.splice(0).map((m) => m.close()));
});

describe("createActivityTracker over a real socket", () => {
  it("follows tool, thinking and text frames, a dropped link and its reconnect, then the close", async () => {
    const m = await startMockServer({ autoplay: "manual" });
    servers.push(m);
    const stream = new DashboardClient({ baseUrl: m.url, token: m.token }).stream({ minDelayMs: 20, maxDelayMs: 200 });
    closers.push(stream);
    const tracker: ActivityTracker = createActivityTracker(stream);
    closers.push(tracker);
    const log: Activity[] = [];
    tracker.subscribe((a) => log.push(a));
    expect(tracker.activity.kind).toBe("connecting");
    expect(tracker.describe()).toBe("Connecting…");

    await next(stream, "open");
    expect(tracker.activity.kind).toBe("quiet");
    m.broadcast({ type: "tool_activity", data: "Shell" });
    await until(() => tracker.activity.kind === "tool", 5_000, "tool");
    expect(tracker.activity).toMatchObject({ kind: "tool", name: "Shell" });
    expect(tracker.describe()).toMatch(/^Running Shell · \d+ s$/);
    m.broadcast({ type: "system_status", data: "thinking" });
    await until(() => tracker.activity.kind === "thinking", 5_000, "thinking");
    expect(tracker.describe()).toMatch(/^Thinking · \d+ s$/);
    m.broadcast({ type: "text_delta", data: "Done.\n" });
    await until(() => log.at(-1)?.kind === "writing", 5_000, "writing");

    const reopened = next(stream, "open");
    m.dropAll(); // 1006: the stream reconnects on its own
    await reopened;
    m.broadcast({ type: "tool_activity", data: "Read" });
    await until(() => log.at(-1)?.kind === "tool", 5_000, "tool after the reconnect");
    stream.close();
    await until(() => log.at(-1)?.kind === "disconnected", 5_000, "disconnected after close");
    expect(tracker.describe()).toMatch(/^Disconnected since \d\d:\d\d \(\d+ s\)$/);

    expect(log.map((a) => (a.kind === "tool" ? `tool ${a.name}` : a.kind))).toEqual([
      "quiet",
      "tool Shell",
      "thinking",
      "writing",
      "disconnected",
      "quiet",
      "tool Read",
      "disconnected",
    ]);
    const drop = log[4] as Extract<Activity, { kind: "disconnected" }>;
    expect(drop.retryAt).toBeTypeOf("number"); // when the stream tries again, for a countdown
    expect((log[7] as Extract<Activity, { kind: "disconnected" }>).retryAt).toBeNull(); // closed for good
  });
});
