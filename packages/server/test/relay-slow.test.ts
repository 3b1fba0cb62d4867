/**
 * 100 viewers that read and one raw socket that never does, on a real relay in front of the real mock: the slow
 * one is dropped alone, every other viewer gets every frame, ductor's (the mock's) link to the relay never
 * backs up, and the relay's queued bytes stay bounded. Figures are printed (speed is never asserted).
 */
import { connect, type Socket } from "node:net";
import { startMockServer } from "@ductor/mock-server";
import { afterAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startDashboardServer } from "../src/serve.js";
import { siteDir } from "./helpers.js";
import { FAST_UPSTREAM, FakeStore, viewerUrl, waitFor } from "./relay-support.js";
import { rawRequestText, upgradeHeaders } from "./serve-support.js";

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const VIEWERS = Number(process.env.RELAY_SLOW_VIEWERS ?? 100);
const MAX_QUEUE = 1024 * 1024;
const FRAME_CHARS = 2048;

describe("a viewer that never reads", () => {
  it("is dropped alone; the others get everything; the upstream never waits; memory stays bounded", async () => {
    const mock = await startMockServer({});
    cleanups.push(() => mock.close());
    const store = new FakeStore();
    const dash = await startDashboardServer({
      ductor: mock.url,
      siteDir,
      token: mock.token,
      historyStore: store,
      relay: { ...FAST_UPSTREAM, maxViewerQueueBytes: MAX_QUEUE },
    });
    cleanups.push(() => dash.close());
    const relay = dash.relay!;
    await waitFor(() => relay.stats().upstream === "connected", 10_000, "upstream");

    // The readers: count frames and check seq order without keeping them.
    const counts = new Array<number>(VIEWERS).fill(0);
    const outOfOrder: number[] = [];
    const sockets: WebSocket[] = [];
    for (let i = 0; i < VIEWERS; i++) {
      const ws = new WebSocket(viewerUrl(dash.url, mock.token));
      let last = 0;
      ws.on("message", (data) => {
        const text = data.toString();
        const seq = /"seq":(\d+)/.exec(text);
        if (seq) {
          const n = Number(seq[1]);
          if (last !== 0 && n !== last + 1) outOfOrder.push(i);
          last = n;
          counts[i]! += 1;
        }
      });
      ws.on("error", () => undefined);
      sockets.push(ws);
      cleanups.push(() => ws.terminate());
    }
    // The one that never reads: a raw upgrade on a paused socket.
    const slow: Socket = connect(dash.port, "127.0.0.1");
    cleanups.push(() => slow.destroy());
    await new Promise<void>((resolve) => slow.once("connect", () => resolve()));
    slow.write(rawRequestText("GET", `/dashboard/stream?token=${mock.token}`, upgradeHeaders(`127.0.0.1:${dash.port}`)));
    slow.pause();
    await waitFor(() => relay.stats().live === VIEWERS + 1, 20_000, "every viewer live");

    const memBefore = process.memoryUsage();
    let maxQueued = 0;
    let maxHeap = memBefore.heapUsed;
    let sent = 0;
    let sentAtDrop = 0;
    let maxLagFrames = 0;
    const started = performance.now();
    let droppedAfterMs = Number.NaN;
    const payload = "x".repeat(FRAME_CHARS - 40);
    // Paced like a busy agent (~4 MB/s into the relay, ×(VIEWERS+1) out), until the slow one is gone and a bit more.
    while (sent < 20_000) {
      for (let i = 0; i < 10; i++) mock.broadcast({ type: "text_delta", data: `${++sent} ${payload}` });
      await new Promise((r) => setTimeout(r, 5));
      const stats = relay.stats();
      maxQueued = Math.max(maxQueued, stats.queuedBytes);
      maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed);
      maxLagFrames = Math.max(maxLagFrames, sent - (stats.head - 1));
      if (stats.dropped > 0 && Number.isNaN(droppedAfterMs)) {
        droppedAfterMs = performance.now() - started;
        sentAtDrop = sent;
      }
      if (!Number.isNaN(droppedAfterMs) && sent >= sentAtDrop + 500) break;
    }
    await waitFor(() => counts.every((c) => c === sent), 30_000, "every reader has every frame");
    const stats = relay.stats();
    const memAfter = process.memoryUsage();

    // A resume from the start by a socket that never reads: catch-up holds one page for it, not the history.
    const resumer: Socket = connect(dash.port, "127.0.0.1");
    cleanups.push(() => resumer.destroy());
    await new Promise<void>((resolve) => resumer.once("connect", () => resolve()));
    resumer.write(rawRequestText("GET", `/dashboard/stream?token=${mock.token}&since=0`, upgradeHeaders(`127.0.0.1:${dash.port}`)));
    resumer.pause();
    await waitFor(() => relay.stats().viewers === VIEWERS + 1, 5_000, "the resumer");
    let resumeQueued = 0;
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 25));
      resumeQueued = Math.max(resumeQueued, relay.stats().queuedBytes);
    }
    const historyBytes = sent * FRAME_CHARS;

    const figures = {
      viewers: VIEWERS,
      frameBytes: FRAME_CHARS,
      maxViewerQueueBytes: MAX_QUEUE,
      slowDroppedAfterMs: Math.round(droppedAfterMs),
      slowDroppedAfterFrames: sentAtDrop,
      slowDroppedAfterMB: +((sentAtDrop * FRAME_CHARS) / 1e6).toFixed(1),
      framesTotal: sent,
      maxRelayQueuedMB: +(maxQueued / 1e6).toFixed(2),
      maxUpstreamLagFrames: maxLagFrames,
      heapBeforeMB: +(memBefore.heapUsed / 1e6).toFixed(1),
      heapMaxMB: +(maxHeap / 1e6).toFixed(1),
      heapAfterMB: +(memAfter.heapUsed / 1e6).toFixed(1),
      rssAfterMB: +(memAfter.rss / 1e6).toFixed(1),
      historyMB: +(historyBytes / 1e6).toFixed(1),
      stuckResumeQueuedMB: +(resumeQueued / 1e6).toFixed(2),
    };
    console.log("relay slow-viewer figures", JSON.stringify(figures));

    expect(stats.dropped).toBe(1);
    expect(stats.live).toBe(VIEWERS);
    expect(outOfOrder).toEqual([]);
    // ductor's side: one socket, never dropped by the mock for backing up, every frame stored.
    expect(mock.streamClients()).toBe(1);
    expect(store.events.filter((e) => e.type === "upstream").map((e) => e.data)).toEqual(["connected"]);
    expect(store.head()).toBe(sent + 1);
    // Bounded: what the relay holds for viewers never exceeded the slow one's bound plus the readers' in-flight share.
    expect(maxQueued).toBeLessThan(MAX_QUEUE + VIEWERS * 256 * 1024);
    // The stuck resume: about one catch-up page (1 MiB of characters) queued, far less than the history; not dropped.
    expect(resumeQueued).toBeLessThan(3 * 1024 * 1024);
    expect(resumeQueued).toBeLessThan(historyBytes / 2);
    expect(relay.stats().dropped).toBe(1);
  }, 120_000);
});
