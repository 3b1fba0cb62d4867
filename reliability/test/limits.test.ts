/**
 * Limits, with their figures for the README: a server that never stops sending, a stream reader that never
 * reads, a listener that throws. Real servers over real sockets.
 */
import { createServer, type Server } from "node:http";
import { createConnection, type AddressInfo, type Socket } from "node:net";
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { DashboardClient, ListenerError, ResponseTooLargeError } from "@ductor/dashboard-client";
import { startMockServer, type MockServer } from "@ductor/mock-server";
import { recordFigure } from "./figures.js";
import { client, next, sleep, until } from "./helpers.js";

const MiB = 1024 * 1024;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Peak RSS of this process above its level when sampling started (20 ms samples). */
function sampleRss() {
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  return { stop: () => clearInterval(timer), peakGrowthMiB: () => Math.round((Math.max(peak, process.memoryUsage.rss()) - base) / MiB) };
}

describe("limits", () => {
  it("an endless chunked body is cut at the byte cap with a typed error; memory stays small", async () => {
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, "[");
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const pump = (): void => {
        while (!res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) break;
        }
        if (!res.destroyed) res.once("drain", pump);
      };
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    server.on("connection", (s: Socket) => cleanups.push(() => s.destroy()));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const rss = sampleRss();
    const error = await new DashboardClient({ baseUrl, token: "t", timeoutMs: 30_000 }).sessions().catch((e: unknown) => e);
    rss.stop();
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as ResponseTooLargeError).limitBytes).toBe(16 * MiB);
    expect((error as Error).message).toMatch(/16 MiB cap/);
    await sleep(200);
    const sentAtCancel = sent;
    await sleep(300);
    expect(sent).toBe(sentAtCancel); // the body was cancelled: the server's writes stopped
    expect(rss.peakGrowthMiB()).toBeLessThan(150);
    recordFigure("body cap crossed: bytes the server had written", sentAtCancel, {
      capBytes: 16 * MiB,
      peakRssGrowthMiB: rss.peakGrowthMiB(),
    });
  });

  it("a stream reader that never reads is dropped alone; the others get every frame", async () => {
    const pool = Array.from({ length: 8 }, () => randomBytes(48 * 1024).toString("base64url"));
    const events = 400;
    const server: MockServer = await startMockServer({
      token: "t",
      speed: 0,
      autoplay: "manual",
      sentLimit: 0,
      recording: {
        header: { ductorRecording: 1, recordedAt: new Date(0).toISOString(), source: "synthetic" },
        entries: Array.from({ length: events }, (_, i) => ({ t: i, event: { type: "text_delta", data: pool[i % pool.length]! } })),
      },
    });
    cleanups.push(() => server.close());
    // The slow reader: a valid upgrade, then never a byte read.
    const slow = createConnection({ host: "127.0.0.1", port: server.port });
    slow.on("error", () => {});
    slow.pause();
    cleanups.push(() => slow.destroy());
    await new Promise<void>((resolve) => slow.once("connect", () => resolve()));
    slow.write(
      [
        `GET /dashboard/stream?token=t HTTP/1.1`,
        `Host: 127.0.0.1:${server.port}`,
        "Upgrade: websocket",
        "Connection: Upgrade",
        `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
        "Sec-WebSocket-Version: 13",
        "",
        "",
      ].join("\r\n"),
    );
    const stream = client(server).stream();
    cleanups.push(() => stream.close());
    let received = 0;
    stream.on("text_delta", () => received++);
    await next(stream, "open");
    await until(() => server.streamClients() === 2, "both stream sockets");
    const rss = sampleRss();
    const started = Date.now();
    let droppedAfterMs = -1;
    const watch = setInterval(() => {
      if (droppedAfterMs < 0 && server.streamClients() < 2) droppedAfterMs = Date.now() - started;
    }, 5);
    server.replay.start();
    await until(() => received === events, `all ${events} events at the reader that reads`, 20_000);
    clearInterval(watch);
    rss.stop();
    expect(droppedAfterMs).toBeGreaterThanOrEqual(0);
    expect(server.streamClients()).toBe(1);
    recordFigure("slow stream reader dropped after (ms)", droppedAfterMs, {
      frames: events,
      mib: Math.round((events * 64 * 1024) / MiB),
      othersGotAll: received === events,
      deliveredInMs: Date.now() - started,
      peakRssGrowthMiB: rss.peakGrowthMiB(),
    });
  });

  it("a listener that throws is reported as an error event; the stream and the process go on", async () => {
    const server: MockServer = await startMockServer();
    cleanups.push(() => server.close());
    const stream = client(server).stream();
    cleanups.push(() => stream.close());
    const errors: unknown[] = [];
    const texts: string[] = [];
    stream.on("error", (e) => errors.push(e));
    stream.on("text_delta", (ev) => {
      if (ev.data === "boom") throw new Error("a listener bug");
      texts.push(ev.data);
    });
    await next(stream, "open");
    server.broadcast({ type: "text_delta", data: "boom" });
    server.broadcast({ type: "text_delta", data: "after" });
    await until(() => texts.includes("after"), "the event after the throw");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ListenerError);
  });
});
