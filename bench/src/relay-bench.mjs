// The recording relay (issue 11), each figure against a baseline run in the same process:
// - ingest: events/s a viewer receives through the relay (which stores every frame in SQLite) vs a raw
//   WebSocket reading the mock directly, at replay speed 0;
// - added latency: per-event delivery time through the relay vs straight from the mock, p50/p99;
// - search: p95 of /dashboard/history/search over what the ingest stored.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDashboardServer } from "@ductor/dashboard-server";
import { startMockServer } from "@ductor/mock-server";
import WebSocket from "ws";
import { frameAt } from "./blast-server.mjs";

async function writeRecording(dir, events) {
  const lines = [JSON.stringify({ ductorRecording: 1, recordedAt: new Date(0).toISOString(), source: "synthetic" })];
  for (let i = 0; i < events; i++) lines.push(`{"t":${i},"event":${frameAt(i)}}`);
  const path = join(dir, "relay.jsonl");
  await writeFile(path, `${lines.join("\n")}\n`);
  return path;
}

/**
 * A raw WebSocket that counts data frames (and calls `onFrame` with each parsed one); resolves once open. It
 * declines permessage-deflate, as the relay's own upstream does towards a loopback ductor (since 9c8fc53; before,
 * both offered it and the mock's compressor capped both near 14,000 events/s), so the direct baseline reads the
 * mock over the same wire as the relay. The relay never compresses towards viewers.
 */
function viewer(url, onFrame = () => {}) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    let count = 0;
    const waiters = [];
    socket.on("message", (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === "ping") return resolve({ socket, count: () => count, until });
      if (frame.type === "upstream") return;
      count++;
      onFrame(frame);
      for (const w of waiters) if (count >= w.n) w.resolve(performance.now());
    });
    socket.on("error", reject);
    function until(n) {
      return new Promise((r) => (count >= n ? r(performance.now()) : waiters.push({ n, resolve: r })));
    }
  });
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function ingestRound(recording, events, viaRelay, dir) {
  const mock = await startMockServer({ recording, speed: 0, autoplay: "manual", heartbeatMs: 0, sentLimit: 0 });
  let dash;
  try {
    let url = `${mock.streamUrl}?token=${encodeURIComponent(mock.token)}`;
    if (viaRelay) {
      dash = await startDashboardServer({
        ductor: mock.url,
        token: mock.token,
        history: join(dir, `h-${Date.now()}.sqlite`),
      });
      for (let i = 0; i < 200 && mock.streamClients() === 0; i++) await new Promise((r) => setTimeout(r, 10));
      url = `${dash.url.replace(/^http/, "ws")}dashboard/stream?token=${encodeURIComponent(mock.token)}`;
    }
    const v = await viewer(url);
    const started = performance.now();
    mock.replay.start();
    const finished = await v.until(events);
    v.socket.terminate();
    const result = { eventsPerSec: events / ((finished - started) / 1000) };
    if (viaRelay) {
      // Search over what was just stored, through the relay's HTTP endpoint.
      const words = ["agent", "failing", "parser", "suite", "green", "edits", "reads", "again", "until", "test"];
      const times = [];
      for (let i = 0; i < 100; i++) {
        const t0 = performance.now();
        const res = await fetch(`${dash.url}dashboard/history/search?q=${words[i % words.length]}&limit=50`, {
          headers: { authorization: `Bearer ${mock.token}` },
        });
        await res.json();
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      result.searchP95Ms = pct(times, 95);
    }
    return result;
  } finally {
    await dash?.close();
    await mock.close();
  }
}

async function latency(events, dir) {
  const mock = await startMockServer({ heartbeatMs: 0, sentLimit: 0 });
  const dash = await startDashboardServer({ ductor: mock.url, token: mock.token, history: join(dir, "latency.sqlite") });
  try {
    for (let i = 0; i < 200 && mock.streamClients() === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const direct = [];
    const relayed = [];
    const stamp = (into) => (frame) => into.push(performance.now() - Number(frame.data.split(" ")[0]));
    const a = await viewer(`${mock.streamUrl}?token=${encodeURIComponent(mock.token)}`, stamp(direct));
    const b = await viewer(`${dash.url.replace(/^http/, "ws")}dashboard/stream?token=${encodeURIComponent(mock.token)}`, stamp(relayed));
    // Paced like an agent's bursts: 10 events every 5 ms, each carrying the time it was sent.
    for (let i = 0; i < events; i += 10) {
      for (let j = 0; j < 10; j++) mock.broadcast({ type: "text_delta", data: `${performance.now()} latency probe` });
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all([a.until(events), b.until(events)]);
    a.socket.terminate();
    b.socket.terminate();
    direct.sort((x, y) => x - y);
    relayed.sort((x, y) => x - y);
    return {
      events,
      direct: { p50: pct(direct, 50), p99: pct(direct, 99) },
      relay: { p50: pct(relayed, 50), p99: pct(relayed, 99) },
    };
  } finally {
    await dash.close();
    await mock.close();
  }
}

export async function runRelayBench({ events, rounds, log = console.log }) {
  const dir = await mkdtemp(join(tmpdir(), "ductor-relay-bench-"));
  try {
    const recording = await writeRecording(dir, events);
    const direct = [];
    const relay = [];
    for (let r = 0; r < rounds; r++) {
      log(`  relay: ingest round ${r + 1}/${rounds}…`);
      direct.push(await ingestRound(recording, events, false, dir));
      relay.push(await ingestRound(recording, events, true, dir));
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    log("  relay: latency…");
    const lat = await latency(Math.min(events, 5_000), dir);
    return {
      events,
      rounds,
      directEventsPerSec: median(direct.map((x) => x.eventsPerSec)),
      relayEventsPerSec: median(relay.map((x) => x.eventsPerSec)),
      searchP95Ms: median(relay.map((x) => x.searchP95Ms)),
      latency: lat,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
