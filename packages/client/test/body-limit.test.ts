import { writeFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { join } from "node:path";
import { startMockServer, type MockServer } from "@ductor/mock-server";
import { afterEach, describe, expect, it } from "vitest";
import { DashboardClient, InternalServerError, ProtocolError, ResponseTooLargeError } from "../src/index.js";
import { makeDataDir } from "./helpers/data.js";
import { startPeer, type Peer, rejection } from "./helpers/peer.js";
import { until } from "./helpers/stream.js";

const MiB = 1024 * 1024;
let peer: Peer | undefined;
let server: MockServer | undefined;
afterEach(async () => {
  await peer?.close();
  await server?.close();
  peer = server = undefined;
});

/** Writes `chunk` for ever, as fast as the socket drains, until the client goes away. */
function writeForever(res: ServerResponse, chunk: Buffer, onGone: () => void): void {
  let gone = false;
  res.on("close", () => {
    gone = true;
    onGone();
  });
  const pump = () => {
    while (!gone && res.write(chunk));
    if (!gone) res.once("drain", pump);
  };
  pump();
}

/** A JSON object of about `bytes` bytes, sent chunked (no Content-Length), so only counting can catch it. */
function bigJson(bytes: number): string {
  return JSON.stringify({ "tg:1": { last_active: "2026-01-01T00:00:00+00:00", padding: "x".repeat(bytes) } });
}

describe("response bodies are capped (maxBodyBytes)", () => {
  it("an endless chunked body: ResponseTooLargeError at the default 16 MiB cap, the body is cancelled, and memory stays small", async () => {
    let serverSawClose = false;
    peer = await startPeer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"padding": "');
      writeForever(res, Buffer.alloc(64 * 1024, "x"), () => (serverSawClose = true));
    });
    const before = process.memoryUsage().rss;
    let peak = before;
    // Guard for the machine: a client without a cap would read until the timeout (GBs); stop it early.
    const guard = new AbortController();
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
      if (peak - before > 300 * MiB) guard.abort(new Error("RSS grew over 300 MB"));
    }, 5);
    try {
      const e = await rejection(
        new DashboardClient({ baseUrl: peer.url, token: "t", timeoutMs: 8_000, maxRetries: 0 }).sessions({ signal: guard.signal }),
      );
      expect(e).toBeInstanceOf(ResponseTooLargeError);
      expect(e).toBeInstanceOf(ProtocolError);
      expect((e as ResponseTooLargeError).limitBytes).toBe(16 * MiB);
      expect(e.message).toContain("exceeded the 16 MiB cap (maxBodyBytes)");
    } finally {
      clearInterval(sampler);
    }
    expect(peak - before, `RSS grew by ${Math.round((peak - before) / MiB)} MB`).toBeLessThan(100 * MiB);
    await until(() => serverSawClose, 2_000, "the server to see the response cancelled");
  }, 30_000);

  it("a Content-Length over the cap fails before the body is read", async () => {
    let serverSawClose = false;
    peer = await startPeer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(200 * MiB) });
      res.write("[");
      res.on("close", () => (serverSawClose = true)); // and never sends the rest
    });
    const started = Date.now();
    const e = await rejection(new DashboardClient({ baseUrl: peer.url, token: "t", timeoutMs: 5_000, maxBodyBytes: MiB }).tasks());
    expect(e).toBeInstanceOf(ResponseTooLargeError);
    expect((e as ResponseTooLargeError).limitBytes).toBe(MiB);
    expect(e.message).toMatch(/200 MiB.*1 MiB cap \(maxBodyBytes\)/);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(peer.count()).toBe(1);
    await until(() => serverSawClose, 2_000, "the server to see the response cancelled");
  });

  it("a chunked JSON body over the cap is refused and not retried (it is not transient)", async () => {
    peer = await startPeer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(bigJson(2 * MiB));
    });
    const e = await rejection(new DashboardClient({ baseUrl: peer.url, token: "t", maxRetries: 3, maxBodyBytes: MiB }).sessions());
    expect(e).toBeInstanceOf(ResponseTooLargeError);
    expect(e.message).toContain("GET /dashboard/sessions: response body exceeded the 1 MiB cap (maxBodyBytes)");
    expect(peer.count()).toBe(1);
  });

  it("exactly the cap is accepted, one byte more is not; a per-call maxBodyBytes overrides the client's", async () => {
    const body = bigJson(100_000);
    const size = Buffer.byteLength(body);
    peer = await startPeer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body);
    });
    expect(await new DashboardClient({ baseUrl: peer.url, token: "t", maxBodyBytes: size }).sessions()).toHaveLength(1);
    const tight = new DashboardClient({ baseUrl: peer.url, token: "t", maxBodyBytes: size - 1 });
    const e = await rejection(tight.sessions());
    expect(e).toBeInstanceOf(ResponseTooLargeError);
    expect((e as ResponseTooLargeError).limitBytes).toBe(size - 1);
    expect(await tight.sessions({ maxBodyBytes: size })).toHaveLength(1);
  });

  it("logs.read: a whole file over the cap is refused; its tail within the cap is read", async () => {
    const { dir } = makeDataDir();
    writeFileSync(join(dir, "logs", "service.log"), Buffer.alloc(3 * MiB, "line\n"));
    server = await startMockServer({ data: dir, autoplay: "manual" });
    const client = new DashboardClient({ baseUrl: server.url, token: server.token, maxBodyBytes: MiB });
    const e = await rejection(client.logs.read("service.log"));
    expect(e).toBeInstanceOf(ResponseTooLargeError);
    expect(e.message).toMatch(/3 MiB.*1 MiB cap/);
    const tail = await client.logs.read("service.log", { tail: 64 * 1024 });
    expect(tail).toMatchObject({ start: 3 * MiB - 64 * 1024, end: 3 * MiB, totalSize: 3 * MiB, partial: true });
    expect((await client.logs.read("service.log", { maxBodyBytes: 4 * MiB })).text).toHaveLength(3 * MiB);
  });

  it("an error body over the cap is cut at the cap: the status still decides the class (and 5xx retries)", async () => {
    peer = await startPeer((_req, res) => {
      res.writeHead(500, { "content-type": "text/html" });
      res.end(`<html><title>Upstream exploded</title>${"x".repeat(2 * MiB)}</html>`);
    });
    const e = await rejection(
      new DashboardClient({
        baseUrl: peer.url,
        token: "t",
        maxRetries: 1,
        retryMinDelayMs: 5,
        retryMaxDelayMs: 10,
        maxBodyBytes: 64 * 1024,
      }).status(),
    );
    expect(e).toBeInstanceOf(InternalServerError);
    expect(e.message).toContain("Upstream exploded");
    expect(((e as InternalServerError).body as string).length).toBe(64 * 1024);
    expect(peer.count()).toBe(2);
  });

  it.each([0, -1, Number.NaN, 1.5])("maxBodyBytes %s is refused with a TypeError", (value) => {
    expect(() => new DashboardClient({ baseUrl: "http://127.0.0.1:1", maxBodyBytes: value })).toThrow(TypeError);
  });
});
