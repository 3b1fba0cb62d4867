/**
 * The fault matrix, stream rows: the real client's `stream()` against the mock server's fault injection over
 * real sockets. For each fault: a clear typed error or state, no crash, nothing left running, and nothing lost
 * (every event sent on a socket while it was open reaches the listener once and in order).
 */
import { afterEach, describe, expect, it } from "vitest";
import { AuthenticationError, ProtocolError, type DashboardStream, type ReconnectingEvent } from "@ductor/dashboard-client";
import { startMockServer, type MockServer } from "@ductor/mock-server";
import {
  client,
  countingWebSocket,
  next,
  numberedRecording,
  receivedByConnection,
  recordStream,
  sentByConnection,
  sleep,
  until,
} from "./helpers.js";
import { recordFigure } from "./figures.js";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
function track(server: MockServer): MockServer {
  cleanups.push(() => server.close());
  return server;
}
function trackStream(stream: DashboardStream): DashboardStream {
  cleanups.push(() => stream.close());
  return stream;
}

describe("stream faults", () => {
  it("drop mid-stream (terminate): reconnects with backoff, events flow again, nothing lost per connection", async () => {
    const server = track(
      await startMockServer({ recording: numberedRecording(300, 4), autoplay: "manual", faults: { dropAfterEvents: 70 } }),
    );
    const stream = trackStream(client(server).stream({ minDelayMs: 20, maxDelayMs: 80 }));
    const received = recordStream(stream);
    const reconnects: ReconnectingEvent[] = [];
    stream.on("reconnecting", (event) => reconnects.push(event));
    await next(stream, "open");
    server.replay.start();
    await server.replay.done;
    // The last event may itself trip the drop; then the client reconnects to a server with nothing left to
    // send. Wait until the client is open on the server's last connection and has as many events as were sent
    // (or the wait times out and the comparison below shows what went missing).
    await until(() => {
      const sent = sentByConnection(server);
      return stream.state === "open" && received.opened === sent.length && received.length === sent.flat().length;
    }, "the client open on the server's last connection with every event").catch(() => undefined);

    const sent = sentByConnection(server);
    expect(sent.length).toBeGreaterThanOrEqual(3);
    expect(receivedByConnection(received, received.opened)).toEqual(sent);
    // Events kept flowing after every reconnect (all but a connection opened after the last event carried
    // some), and each drop was a 1006 followed by a delay in the bounds.
    expect(sent.slice(1, -1).every((events) => events.length > 0)).toBe(true);
    expect(sent.flat().length).toBeGreaterThan(sent[0]!.length);
    expect(reconnects.length).toBe(sent.length - 1);
    for (const event of reconnects) {
      expect(event.code).toBe(1006);
      expect(event.delayMs).toBeGreaterThanOrEqual(20);
      expect(event.delayMs).toBeLessThanOrEqual(80);
    }
  });

  it("1001 server shutdown, restart 2 s later on the same port: reconnects to the new server", async () => {
    const first = await startMockServer({ token: "restart-token" });
    const { port } = first;
    const stream = trackStream(client(first).stream({ minDelayMs: 200, maxDelayMs: 1_000 }));
    const received = recordStream(stream);
    const reconnects: ReconnectingEvent[] = [];
    stream.on("reconnecting", (event) => reconnects.push(event));
    await next(stream, "open");
    first.broadcast({ type: "text_delta", data: "before restart" });
    await until(() => received.length === 1, "the first event");

    await first.close();
    await sleep(2_000);
    const second = track(await startMockServer({ port, token: "restart-token" }));
    const reopened = await next(stream, "open");
    second.broadcast({ type: "text_delta", data: "after restart" });
    await until(() => received.length === 2, "the event after the restart");

    expect(reconnects[0]?.code).toBe(1001);
    expect(reopened).toMatchObject({ connection: 2 });
    expect(received.map((r) => [r.connection, r.event.data])).toEqual([
      [1, "before restart"],
      [2, "after restart"],
    ]);
  });

  it("bad token on the WebSocket (1008): AuthenticationError, close, and zero further attempts", async () => {
    const server = track(await startMockServer());
    const sockets = countingWebSocket();
    const stream = trackStream(
      client(server, { token: "wrong-token", WebSocket: sockets.WebSocket }).stream({ minDelayMs: 10, maxDelayMs: 20 }),
    );
    const errors: unknown[] = [];
    stream.on("error", (error) => errors.push(error));
    let reconnecting = 0;
    stream.on("reconnecting", () => reconnecting++);
    const closed = await next(stream, "close");
    // Ten backoff windows' worth of time: a retrying client would have tried again many times by now.
    await sleep(300);

    expect(closed).toMatchObject({ code: 1008 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(AuthenticationError);
    expect(sockets.count()).toBe(1);
    expect(reconnecting).toBe(0);
    expect(stream.state).toBe("closed");
  });

  it("malformed frames (not JSON, binary, unknown type, missing data, data not a string) become ProtocolError events; a 10 MB delta is delivered; the stream goes on", async () => {
    const server = track(await startMockServer());
    const stream = trackStream(client(server).stream());
    const received = recordStream(stream);
    const errors: unknown[] = [];
    stream.on("error", (error) => errors.push(error));
    await next(stream, "open");

    const big = `${"x".repeat(10 * 1024 * 1024 - 3)}end`;
    server.broadcast({ type: "text_delta", data: "first" });
    server.broadcast('{"type": "text_delta", "data": "cut off');
    server.broadcast(new TextEncoder().encode('{"type": "text_delta", "data": "binary"}'));
    server.broadcast({ type: "mystery_event", data: "from a newer ductor" });
    server.broadcast({ type: "text_delta" });
    server.broadcast({ type: "tool_activity", data: 42 });
    server.broadcast({ type: "text_delta", data: big });
    server.broadcast({ type: "system_status", data: null });
    await until(() => received.length === 3, "the three well-formed events", 15_000);

    expect(errors).toHaveLength(5);
    for (const error of errors) expect(error).toBeInstanceOf(ProtocolError);
    expect((errors[0] as ProtocolError).message).toMatch(/not JSON/);
    expect((errors[1] as ProtocolError).message).toMatch(/binary/);
    expect(received.map((r) => r.event.type)).toEqual(["text_delta", "text_delta", "system_status"]);
    expect(received[1]!.event.data).toHaveLength(big.length);
    expect((received[1]!.event.data as string).endsWith("end")).toBe(true);
    expect(stream.state).toBe("open");
  });

  it("stale link (no pings, no frames, socket open): detected after staleAfterMs, then reconnects", async () => {
    const staleAfterMs = 600;
    const server = track(await startMockServer({ faults: { noPing: true } }));
    const stream = trackStream(client(server).stream({ staleAfterMs, minDelayMs: 20, maxDelayMs: 50 }));
    const opened = await next(stream, "open");
    const reconnecting = await next(stream, "reconnecting");
    const detectedAfter = Date.now() - opened.at;
    recordFigure("stale link detected after (ms)", detectedAfter, { staleAfterMs });

    expect(detectedAfter).toBeGreaterThanOrEqual(staleAfterMs);
    expect(detectedAfter).toBeLessThan(staleAfterMs * 2);
    server.setFaults({});
    await next(stream, "open");
    expect(stream.state).toBe("open");
    expect(reconnecting).toBeDefined();
  });

  it("a quiet but healthy link (protocol pings, no frames) is not mistaken for a stale one", async () => {
    const server = track(await startMockServer({ heartbeatMs: 150 }));
    const stream = trackStream(client(server).stream({ staleAfterMs: 500 }));
    let reconnecting = 0;
    stream.on("reconnecting", () => reconnecting++);
    await next(stream, "open");
    await sleep(1_500);
    expect(reconnecting).toBe(0);
    expect(stream.state).toBe("open");
  });

  it("an aborted signal mid-stream ends it: close event, no socket left on the server, no timer or socket left in the process", async () => {
    const resources = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout" || r === "TCPSocketWrap").length;
    const before = resources();
    const server = await startMockServer({ recording: numberedRecording(1_000, 5) });
    const controller = new AbortController();
    const stream = client(server).stream({ signal: controller.signal });
    const received = recordStream(stream);
    await until(() => received.length > 20, "events mid-stream");
    const closed = next(stream, "close");
    controller.abort();
    await closed;
    expect(stream.state).toBe("closed");
    await until(() => server.streamClients() === 0, "the server to see the socket go");
    await server.close();
    await until(() => resources() <= before, "timers and sockets to be released", 3_000);
    expect(resources()).toBeLessThanOrEqual(before);
  });
});
