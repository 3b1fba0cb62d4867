// Client stream decoding in Node: events per second through `client.stream()` against raw `ws` + JSON.parse,
// alternating rounds on the same server so that both see the same machine state.
import { DashboardClient } from "@ductor/dashboard-client";
import WebSocket from "ws";
import { startBlastServer } from "./blast-server.mjs";

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function rawRun(url, n) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let received = 0;
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.on("message", (data) => {
      const event = JSON.parse(data.toString());
      if (event.type === "ping") return;
      if (++received === n) {
        const elapsed = performance.now() - started;
        socket.terminate();
        resolve(n / (elapsed / 1000));
      }
    });
    socket.on("error", reject);
  });
}

function clientRun(baseUrl, n) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let received = 0;
    const client = new DashboardClient({ baseUrl, token: "bench" });
    const stream = client.stream();
    const count = () => {
      if (++received === n) {
        const elapsed = performance.now() - started;
        stream.close();
        resolve(n / (elapsed / 1000));
      }
    };
    stream.on("text_delta", count);
    stream.on("tool_activity", count);
    stream.on("error", (event) => reject(event.error ?? event));
  });
}

export async function runClientDecodeBench({ n, rounds, log = console.log }) {
  const server = await startBlastServer(undefined, { defaultN: n });
  const raw = [];
  const client = [];
  try {
    for (let round = 0; round < rounds; round++) {
      log(`  client decode: round ${round + 1}/${rounds}…`);
      raw.push(await rawRun(server.wsUrl(n), n));
      client.push(await clientRun(server.url, n));
    }
  } finally {
    await server.close();
  }
  return { n, rounds, rawEventsPerSec: median(raw), clientEventsPerSec: median(client), raw, client };
}
