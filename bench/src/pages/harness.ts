/**
 * The page side of the stream-rendering benchmark. Every variant (the UI's renderer and each baseline) runs
 * through this same harness, so they differ only in what they do with a parsed event.
 *
 * The page connects to the blast server, which sends `{"type": "ping"}` and then N frames as fast as the
 * socket takes them. The clock runs from `new WebSocket()` until the last event has been handed to the
 * variant and a frame has been painted after it.
 */
export interface BenchEvent {
  type: string;
  data?: unknown;
}

export interface Variant {
  /** Handle one parsed event. */
  handle(event: BenchEvent): void;
  /** Resolves once everything handled so far is on screen (default: the next painted frame). */
  painted?(): Promise<void>;
}

export interface BenchResult {
  variant: string;
  events: number;
  finished: boolean;
  timeToLastPaintMs: number;
  longestTaskMs: number;
  totalLongTaskMs: number;
  longTasks: number;
  framesPainted: number;
}

declare global {
  interface Window {
    __benchResult?: BenchResult;
    __benchProgress?: number;
  }
}

export const nextPaint = (): Promise<void> =>
  new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

export function runBench(name: string, variant: Variant | ((root: HTMLElement) => Variant)): void {
  const params = new URLSearchParams(location.search);
  const expected = Number(params.get("n"));
  const root = document.getElementById("root") as HTMLElement;
  const impl = typeof variant === "function" ? variant(root) : variant;

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

  let received = 0;
  const started = performance.now();
  const socket = new WebSocket(params.get("ws") as string);
  window.__benchProgress = 0;
  socket.onmessage = (message) => {
    const event = JSON.parse(message.data as string) as BenchEvent;
    if (event.type === "ping") return;
    impl.handle(event);
    received++;
    if ((received & 1023) === 0) window.__benchProgress = received;
    if (received === expected) void finish();
  };

  async function finish(): Promise<void> {
    await (impl.painted ? impl.painted() : nextPaint());
    const elapsed = performance.now() - started;
    counting = false;
    socket.close();
    window.__benchResult = {
      variant: name,
      events: received,
      finished: true,
      timeToLastPaintMs: elapsed,
      longestTaskMs: longTasks.reduce((a, b) => Math.max(a, b), 0),
      totalLongTaskMs: longTasks.reduce((a, b) => a + b, 0),
      longTasks: longTasks.length,
      framesPainted: frames,
    };
  }
}
