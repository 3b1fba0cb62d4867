// Mock server fan-out: events per second delivered to 1, 10 and 100 stream clients at replay speed 0.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockServer } from "@ductor/mock-server";
import WebSocket from "ws";
import { frameAt } from "./blast-server.mjs";

async function writeRecording(dir, events) {
  const lines = [
    JSON.stringify({ ductorRecording: 1, recordedAt: new Date(0).toISOString(), source: "synthetic", provider: "claude", model: "opus" }),
  ];
  for (let i = 0; i < events; i++) lines.push(`{"t":${i},"event":${frameAt(i)}}`);
  const path = join(dir, "fanout.jsonl");
  await writeFile(path, `${lines.join("\n")}\n`);
  return path;
}

function connect(server, events) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${server.streamUrl}?token=${encodeURIComponent(server.token)}`, { perMessageDeflate: false });
    let received = 0;
    let finish;
    const done = new Promise((r) => (finish = r));
    socket.on("message", (data) => {
      const event = JSON.parse(data.toString());
      if (event.type === "ping") return resolve({ socket, done });
      if (++received === events) finish(performance.now());
    });
    socket.on("error", reject);
  });
}

export async function runFanoutBench({ events, clientCounts, log = console.log }) {
  const dir = await mkdtemp(join(tmpdir(), "ductor-bench-"));
  const recording = await writeRecording(dir, events);
  const rows = [];
  try {
    for (const clients of clientCounts) {
      log(`  fan-out: ${clients} clients…`);
      const server = await startMockServer({ recording, speed: 0, autoplay: "manual" });
      try {
        const sockets = await Promise.all(Array.from({ length: clients }, () => connect(server, events)));
        const started = performance.now();
        server.replay.start();
        const finished = await Promise.all(sockets.map((s) => s.done));
        const elapsed = Math.max(...finished) - started;
        rows.push({
          clients,
          events,
          delivered: clients * events,
          elapsedMs: elapsed,
          deliveredPerSec: (clients * events) / (elapsed / 1000),
        });
        for (const { socket } of sockets) socket.terminate();
      } finally {
        await server.close();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}
