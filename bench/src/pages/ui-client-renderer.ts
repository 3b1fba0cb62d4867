// The whole live path as the dashboard runs it: the client's reconnecting stream decoding frames into typed
// events, and the UI's renderer drawing them.
import { DashboardClient } from "../../../packages/client/src/index";
import { createStreamRenderer } from "../../../packages/ui-vanilla/src/render/stream-renderer";
import { nextPaint, type BenchResult } from "./harness";

const params = new URLSearchParams(location.search);
const expected = Number(params.get("n"));
const wsUrl = new URL(params.get("ws") as string);
const root = document.getElementById("root") as HTMLElement;
const renderer = createStreamRenderer(root);
(globalThis as { __benchCheck?: () => unknown }).__benchCheck = () => ({ ...renderer.stats(), tail: renderer.text().slice(-200) });

const longTasks: number[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) longTasks.push(entry.duration);
}).observe({ type: "longtask", buffered: true });
let frames = 0;
let counting = true;
const countFrame = () => {
  frames++;
  if (counting) requestAnimationFrame(countFrame);
};
requestAnimationFrame(countFrame);

// The client builds `/dashboard/stream?token=…` itself; the blast server then sends its default N.
const client = new DashboardClient({ baseUrl: `http://${wsUrl.host}`, token: "bench" });
const started = performance.now();
const stream = client.stream();
let received = 0;
const count = () => {
  received++;
  if ((received & 1023) === 0) (window as { __benchProgress?: number }).__benchProgress = received;
  if (received === expected) void finish();
};
stream.on("text_delta", (event) => {
  renderer.append(event.data);
  count();
});
stream.on("tool_activity", (event) => {
  renderer.tool(event.data);
  count();
});

async function finish(): Promise<void> {
  await nextPaint();
  const elapsed = performance.now() - started;
  counting = false;
  stream.close();
  const result: BenchResult = {
    variant: "ui-client+renderer",
    events: received,
    finished: true,
    timeToLastPaintMs: elapsed,
    longestTaskMs: longTasks.reduce((a, b) => Math.max(a, b), 0),
    totalLongTaskMs: longTasks.reduce((a, b) => a + b, 0),
    longTasks: longTasks.length,
    framesPainted: frames,
  };
  (window as { __benchResult?: BenchResult }).__benchResult = result;
}
