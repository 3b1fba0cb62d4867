// The relay's raw ingest into SQLite (issue 11: at least 20,000 events/s), without the mock server's compressor in
// the way: the relay's upstream (`--ductor`) is a blast server that never compresses (blast-child.mjs, in a
// process of its own like ductor), and it sends N ductor-like frames as fast as the socket takes them. The clock
// runs from the relay's "upstream connected" row (stored when the blast's first frame, the ping, arrives) until
// the N-th event is stored and committed to the SQLite file. The baseline, in alternating rounds: a raw `ws`
// socket reading the same blast server, JSON.parse on every frame, from its ping to its N-th frame.
import { fork } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDashboardServer } from "@ductor/dashboard-server";
import WebSocket from "ws";

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A blast server child sending `n` frames to each connection; resolves with its URL and a stop(). */
function startBlaster(n) {
  const child = fork(fileURLToPath(new URL("./blast-child.mjs", import.meta.url)), [String(n)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`blast-child exited (${code}) before listening`)));
    child.once("message", ({ url }) => {
      child.removeAllListeners("exit");
      resolve({
        url,
        stop: () =>
          new Promise((done) => {
            child.once("exit", () => done());
            child.disconnect();
          }),
      });
    });
  });
}

/** Polls `condition` every 2 ms; resolves with performance.now() when it holds. */
function when(condition, timeoutMs, what) {
  const deadline = performance.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (condition()) return resolve(performance.now());
      if (performance.now() > deadline) return reject(new Error(`ingest bench: timed out waiting for ${what}`));
      setTimeout(tick, 2);
    };
    tick();
  });
}

async function relayRound(n, dir, round) {
  const blaster = await startBlaster(n);
  let dash;
  try {
    dash = await startDashboardServer({ ductor: blaster.url, token: "bench", history: join(dir, `ingest-${round}.sqlite`) });
    const { relay } = dash;
    const started = await when(() => relay.stats().head >= 1, 10_000, "the relay's upstream to connect");
    await when(() => relay.stats().head >= n + 1, 120_000, `the relay to store ${n} events`);
    relay.store.flush?.(); // commit the last batch now rather than at its 50 ms timer
    const finished = performance.now();
    const last = relay.store.range({ before: n + 2, limit: 1 })[0];
    if (relay.stats().appendFailures > 0 || last?.seq !== n + 1 || relay.store.degraded)
      throw new Error(
        `ingest bench: the relay stored up to seq ${last?.seq} (${relay.stats().appendFailures} failures, ${relay.store.degraded})`,
      );
    return n / ((finished - started) / 1000);
  } finally {
    await dash?.close();
    await blaster.stop();
  }
}

async function directRound(n) {
  const blaster = await startBlaster(n);
  try {
    const socket = new WebSocket(`${blaster.url.replace(/^http/, "ws")}/dashboard/stream?token=bench`);
    const rate = await new Promise((resolve, reject) => {
      let started = 0;
      let count = 0;
      socket.on("message", (data) => {
        const frame = JSON.parse(data.toString());
        if (frame.type === "ping") {
          started = performance.now();
          return;
        }
        if (++count === n) resolve(n / ((performance.now() - started) / 1000));
      });
      socket.on("error", reject);
    });
    socket.terminate();
    return rate;
  } finally {
    await blaster.stop();
  }
}

export async function runIngestBench({ events, rounds, log = console.log }) {
  const dir = await mkdtemp(join(tmpdir(), "ductor-ingest-bench-"));
  try {
    const direct = [];
    const relay = [];
    for (let r = 0; r < rounds; r++) {
      log(`  ingest: round ${r + 1}/${rounds} (N = ${events.toLocaleString("en-US")})…`);
      direct.push(await directRound(events));
      relay.push(await relayRound(events, dir, r));
    }
    return {
      events,
      rounds,
      directEventsPerSec: median(direct),
      relayEventsPerSec: median(relay),
      directRuns: direct.map(Math.round),
      relayRuns: relay.map(Math.round),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
