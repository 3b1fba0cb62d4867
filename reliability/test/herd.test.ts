/**
 * 100 dashboards and one server restart: reconnect attempts must spread over the backoff window (full jitter),
 * none sooner than the floor, and all must come back. Measured server-side: the moments the restarted server
 * authenticated each client (its `{"type": "ping"}` frame, seq 1 of each connection).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { DashboardStream, ReconnectingEvent } from "@ductor/dashboard-client";
import { startMockServer } from "@ductor/mock-server";
import { client, sleep, until } from "./helpers.js";
import { recordFigure } from "./figures.js";

const CLIENTS = 100;
const MIN_DELAY_MS = 100;
const MAX_DELAY_MS = 2_000;
const DOWN_MS = 2_000;

const streams: DashboardStream[] = [];
afterEach(() => {
  for (const stream of streams.splice(0)) stream.close();
});

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

describe("reconnect herd", () => {
  it(`${CLIENTS} clients, server restarts after ${DOWN_MS} ms: attempts spread by jitter, none under the floor, all reconnected`, async () => {
    const first = await startMockServer({ token: "herd" });
    const { port } = first;
    const firstAttempts: ReconnectingEvent[] = [];
    const allAttempts: ReconnectingEvent[] = [];
    let reopened = 0;
    for (let i = 0; i < CLIENTS; i++) {
      const stream = client(first).stream({ minDelayMs: MIN_DELAY_MS, maxDelayMs: MAX_DELAY_MS });
      let seen = 0;
      stream.on("reconnecting", (event) => {
        allAttempts.push(event);
        if (seen++ === 0) firstAttempts.push(event);
      });
      stream.on("open", (event) => {
        if (event.connection > 1) reopened++;
      });
      streams.push(stream);
    }
    await until(() => first.streamClients() === CLIENTS, "all clients connected");

    const shutdownAt = Date.now();
    await first.close();
    await sleep(DOWN_MS);
    const second = await startMockServer({ port, token: "herd" });
    const restartedAt = Date.now();
    try {
      await until(() => reopened === CLIENTS, "every client reconnected", MAX_DELAY_MS * 3);
      const reconnectedAt = second
        .sent()
        .filter((frame) => frame.seq === 1)
        .map((frame) => frame.at - restartedAt)
        .sort((a, b) => a - b);
      expect(reconnectedAt).toHaveLength(CLIENTS);

      // No attempt was scheduled sooner than the floor, nor later than the ceiling.
      for (const attempt of allAttempts) {
        expect(attempt.delayMs).toBeGreaterThanOrEqual(MIN_DELAY_MS);
        expect(attempt.delayMs).toBeLessThanOrEqual(MAX_DELAY_MS);
      }
      // The first attempts after the shutdown spread over their window [min, 2·min] instead of landing together.
      const firstDelays = firstAttempts.map((a) => a.delayMs).sort((a, b) => a - b);
      expect(firstDelays[0]).toBeGreaterThanOrEqual(MIN_DELAY_MS);
      expect(firstDelays.at(-1)! - firstDelays[0]!).toBeGreaterThan(MIN_DELAY_MS * 0.6);

      // Reconnections to the restarted server: no 100 ms slice holds more than a third of the clients.
      const buckets = new Map<number, number>();
      for (const t of reconnectedAt) buckets.set(Math.floor(t / 100), (buckets.get(Math.floor(t / 100)) ?? 0) + 1);
      const busiest = Math.max(...buckets.values());
      const spread = reconnectedAt.at(-1)! - reconnectedAt[0]!;
      recordFigure("herd: reconnected after restart, spread (ms)", spread, {
        clients: CLIENTS,
        downMs: DOWN_MS,
        minDelayMs: MIN_DELAY_MS,
        maxDelayMs: MAX_DELAY_MS,
        p10: percentile(reconnectedAt, 0.1),
        p50: percentile(reconnectedAt, 0.5),
        p90: percentile(reconnectedAt, 0.9),
        max: reconnectedAt.at(-1),
        busiest100msSlice: busiest,
        attempts: allAttempts.length,
        firstAttemptDelayMin: firstDelays[0],
        firstAttemptDelayMax: firstDelays.at(-1),
        sinceShutdownMs: restartedAt - shutdownAt,
      });
      expect(busiest).toBeLessThanOrEqual(CLIENTS / 3);
      expect(spread).toBeGreaterThan(300);
    } finally {
      for (const stream of streams.splice(0)) stream.close();
      await second.close();
    }
  });
});
