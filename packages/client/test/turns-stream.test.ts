import { type MockServer, readRecording, startMockServer } from "@ductor/mock-server";
import { afterEach, describe, expect, it } from "vitest";
import { DashboardClient, type StreamDataEvent, TurnSegmenter } from "../src/index.js";
import { next, until } from "./helpers/stream.js";

// The wiring docs/turns.md shows, end to end: a recording replayed by the real mock server over a real
// socket, each event stamped with its local arrival time, reconnects fed in as gaps.

const servers: MockServer[] = [];
const streams: Array<{ close(): void }> = [];
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  await Promise.all(servers.splice(0).map((m) => m.close()));
});

describe("TurnSegmenter fed from a live stream", () => {
  it("long-output replayed over a socket is one named-session turn; a reconnect marks it as having a gap", async () => {
    const rec = await readRecording("long-output");
    const recorded = rec.entries.flatMap((e) => ("event" in e ? [e.event] : []));
    const m = await startMockServer({ recording: rec, speed: 0, autoplay: "first-client" });
    servers.push(m);
    const stream = new DashboardClient({ baseUrl: m.url, token: m.token }).stream({ minDelayMs: 20, maxDelayMs: 200 });
    streams.push(stream);

    const turns = new TurnSegmenter();
    let received = 0;
    const feed = (ev: StreamDataEvent) => {
      received++;
      turns.push(ev, ev.at ?? Date.now());
    };
    stream.on("text_delta", feed);
    stream.on("tool_activity", feed);
    stream.on("system_status", feed);
    stream.on("open", ({ connection, resumed }) => {
      if (connection > 1 && !resumed) turns.push({ type: "gap" }); // plain ductor: what was sent meanwhile is lost
    });

    await m.replay.done;
    await until(() => received === recorded.length, 5_000, "every recorded event");
    expect(turns.turns).toHaveLength(1);
    const [turn] = turns.turns;
    expect(turn?.open).toBe(true);
    expect(turn?.startedBy).toBe("start");
    expect(turn?.session).toEqual({ name: "release-notes", provider: "codex" });
    expect(turn?.tools.map((t) => t.name)).toEqual(recorded.filter((e) => e.type === "tool_activity").map((e) => e.data));
    const text = recorded
      .filter((e) => e.type === "text_delta")
      .map((e) => e.data)
      .join("");
    expect(turn?.text()).toBe(text.slice("**[release-notes | codex]**\n".length));
    expect(turn?.gap).toBe(false);

    const reopened = next(stream, "open");
    m.dropAll();
    await reopened;
    m.broadcast({ type: "text_delta", data: " (after the reconnect)" });
    await until(() => received === recorded.length + 1, 5_000, "the event after the reconnect");
    expect(turns.turns).toHaveLength(1); // seconds later: still the same turn…
    expect(turn?.gap).toBe(true); // …which may have lost events meanwhile
    expect(turn?.text().endsWith(" (after the reconnect)")).toBe(true);
  });
});
