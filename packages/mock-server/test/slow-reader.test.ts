/**
 * One slow reader must not hurt anyone else. The slow reader here is real: a raw TCP client that
 * sends a valid WebSocket upgrade (offering permessage-deflate, so frames also queue in ws's async
 * compressor) and then never reads. The kernel's socket buffers absorb a few MB before the server's
 * own backlog grows, so the replay pushes tens of MB of big, incompressible frames.
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { startMockServer, type MockServer, type MockServerOptions, type Recording } from "../src/index.js";
import { connect, connectCounting, openSlowReader, sampleRss, waitFor } from "./helpers.js";

const servers: MockServer[] = [];
async function start(opts: MockServerOptions): Promise<MockServer> {
  const s = await startMockServer(opts);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** `count` text_delta events of 64 KiB each, `gapMs` apart, cycling through a few random strings. */
function bigRecording(count: number, gapMs = 1): Recording {
  const pool = Array.from({ length: 8 }, () => randomBytes(48 * 1024).toString("base64url")); // 64 KiB of text each
  return {
    header: { ductorRecording: 1, recordedAt: "2026-04-21T10:00:00.000Z", source: "synthetic" },
    entries: Array.from({ length: count }, (_, i) => ({ t: i * gapMs, event: { type: "text_delta", data: pool[i % pool.length] } })),
  };
}

const MiB = 1024 * 1024;

async function slowReaderScenario(speed: number, events: number, gapMs = 1) {
  const recording = bigRecording(events, gapMs);
  // sentLimit 0: the sent() log would otherwise keep every frame alive and blur the memory figure.
  const s = await start({ token: "t", speed, recording, autoplay: "manual", sentLimit: 0 });
  const slow = await openSlowReader(s.port, "t");
  const normal = connectCounting(`${s.streamUrl}?token=t`);
  await waitFor(() => s.streamClients() === 2, 5000);
  const rss = sampleRss();
  const started = Date.now();
  s.replay.start();
  let slowDroppedAfterMs: number | undefined;
  const watch = setInterval(() => {
    if (slowDroppedAfterMs === undefined && s.streamClients() < 2) slowDroppedAfterMs = Date.now() - started;
  }, 5);
  try {
    await normal.waitFrames(events + 1, 30_000); // the auth ping, then every event
  } finally {
    clearInterval(watch);
    rss.stop();
    slow.destroy();
  }
  const figures = {
    speed,
    events,
    mib: Math.round((events * 64 * 1024) / MiB),
    normalMs: Date.now() - started,
    slowDroppedAfterMs,
    rssGrowthMiB: Math.round(rss.peakGrowth() / MiB),
  };
  console.log("slow reader:", JSON.stringify(figures));
  return { s, normal, figures };
}

describe("a socket that never reads", () => {
  it("speed 0: the others get every frame, the slow one is dropped alone, memory stays flat", async () => {
    const { s, normal, figures } = await slowReaderScenario(0, 600);
    expect(normal.frames).toBe(601);
    expect(normal.closed).toBe(false);
    expect(figures.slowDroppedAfterMs).toBeDefined();
    expect(s.streamClients()).toBe(1);
    expect(figures.rssGrowthMiB).toBeLessThan(150);
  }, 40_000);

  it("speed > 0: the slow one is dropped once its backlog passes the limit; memory stays flat", async () => {
    // 75 MiB over 4.8 s (16 MiB/s, compressed per socket): a pace a reader that reads keeps up with on a 2-core
    // machine with both cores busy (at 32 MiB/s it fell behind there and was dropped itself), while the one that
    // never reads passes its limit (8 MiB plus what the kernel buffers) within the first second or so.
    const { s, normal, figures } = await slowReaderScenario(1, 1200, 4);
    expect(normal.frames).toBe(1201);
    expect(figures.slowDroppedAfterMs).toBeDefined();
    expect(s.streamClients()).toBe(1);
    expect(figures.rssGrowthMiB).toBeLessThan(150);
  }, 60_000);
});

describe("limits", () => {
  it("maxBacklogBytes: a small limit still lets speed 0 feed a healthy socket in step, and drops the slow one", async () => {
    const s = await start({
      token: "t",
      speed: 0,
      recording: bigRecording(200),
      autoplay: "manual",
      sentLimit: 0,
      maxBacklogBytes: 256 * 1024,
    });
    const slow = await openSlowReader(s.port, "t");
    const normal = connectCounting(`${s.streamUrl}?token=t`);
    await waitFor(() => s.streamClients() === 2, 5000);
    s.replay.start();
    try {
      await normal.waitFrames(201, 15_000);
    } finally {
      slow.destroy();
    }
    expect(normal.closed).toBe(false);
    expect(s.streamClients()).toBe(1);
  });

  it("one frame bigger than the limit still reaches a reader that keeps up, with the frames around it", async () => {
    const s = await start({ token: "t", maxBacklogBytes: 1 * MiB });
    const normal = connectCounting(`${s.streamUrl}?token=t`);
    await waitFor(() => s.streamClients() === 1, 5000);
    s.broadcast({ type: "text_delta", data: "before" });
    s.broadcast({ type: "text_delta", data: "x".repeat(4 * MiB) });
    s.broadcast({ type: "text_delta", data: "after" });
    await normal.waitFrames(4, 10_000); // the auth ping and the three events
    expect(s.streamClients()).toBe(1);
  });

  it("maxConnections: an upgrade over the limit is refused with HTTP 503; a freed slot can be used again", async () => {
    const s = await start({ token: "t", maxConnections: 2 });
    const a = connect(`${s.streamUrl}?token=t`);
    const b = connect(`${s.streamUrl}?token=t`);
    await Promise.all([a.waitFrames(1), b.waitFrames(1)]);
    const c = connect(`${s.streamUrl}?token=t`);
    await expect(c.opened).rejects.toThrow("HTTP 503");
    // A bad token still learns it is bad (101 then 1008), whatever the load.
    const bad = connect(`${s.streamUrl}?token=nope`);
    expect((await bad.closed).code).toBe(1008);
    a.ws.close();
    await a.closed;
    await waitFor(() => s.streamClients() === 1, 2000);
    const d = connect(`${s.streamUrl}?token=t`);
    await d.waitFrames(1);
    expect(s.streamClients()).toBe(2);
  });

  it("rejects limits that are not positive integers", async () => {
    await expect(startMockServer({ maxBacklogBytes: 0 })).rejects.toThrow("maxBacklogBytes");
    await expect(startMockServer({ maxConnections: 1.5 })).rejects.toThrow("maxConnections");
  });
});
