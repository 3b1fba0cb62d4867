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

export const nextPaint = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

/**
 * Starts the clock, the long-task observer and the frame counter. `finish()` waits for the next paint (or
 * `painted`) and publishes the result for the driver to read.
 */
export function startMeasuring(name: string): { finish(events: number, painted?: () => Promise<void>): Promise<void> } {
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
  const started = performance.now();

  return {
    async finish(events, painted = nextPaint) {
      await painted();
      const elapsed = performance.now() - started;
      counting = false;
      window.__benchResult = {
        variant: name,
        events,
        finished: true,
        timeToLastPaintMs: elapsed,
        longestTaskMs: longTasks.reduce((a, b) => Math.max(a, b), 0),
        totalLongTaskMs: longTasks.reduce((a, b) => a + b, 0),
        longTasks: longTasks.length,
        framesPainted: frames,
      };
    },
  };
}

/** Counts handled events for the driver's progress report and fires `done` at the expected count. */
export function eventCounter(expected: number, done: (count: number) => void): () => void {
  let received = 0;
  window.__benchProgress = 0;
  return () => {
    received++;
    if ((received & 1023) === 0) window.__benchProgress = received;
    if (received === expected) done(received);
  };
}

export const expectedEvents = (): number => Number(new URLSearchParams(location.search).get("n"));
export const streamUrl = (): string => new URLSearchParams(location.search).get("ws") as string;

/** A variant fed by a raw WebSocket + JSON.parse: the same receive path as the parse-only floor. */
export function runBench(name: string, variant: Variant | ((root: HTMLElement) => Variant)): void {
  const root = document.getElementById("root") as HTMLElement;
  const impl = typeof variant === "function" ? variant(root) : variant;
  const measuring = startMeasuring(name);
  const socket = new WebSocket(streamUrl());
  const count = eventCounter(expectedEvents(), (events) => {
    void measuring.finish(events, impl.painted?.bind(impl)).then(() => socket.close());
  });
  socket.onmessage = (message) => {
    const event = JSON.parse(message.data as string) as BenchEvent;
    if (event.type === "ping") return;
    impl.handle(event);
    count();
  };
}
