/**
 * Polls `task` every `intervalMs` after the previous run finished, so runs never overlap.
 * Paused while the document is hidden; a visible document catches up at once.
 */
export interface Poller {
  start(): void;
  stop(): void;
  /** Run now unless a run is in flight. */
  refresh(): void;
  destroy(): void;
}

export function createPoller(intervalMs: number, task: (signal: AbortSignal) => Promise<void>): Poller {
  let active = false;
  let inFlight: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastRun = 0;
  const hidden = (): boolean => typeof document !== "undefined" && document.visibilityState === "hidden";

  const clear = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };

  const run = async (): Promise<void> => {
    clear();
    if (!active || inFlight || hidden()) return;
    const ac = new AbortController();
    inFlight = ac;
    lastRun = Date.now();
    try {
      await task(ac.signal);
    } catch {
      // the task reports its own errors
    } finally {
      if (inFlight === ac) inFlight = null;
    }
    if (active && !hidden() && !ac.signal.aborted) timer = setTimeout(() => void run(), intervalMs);
  };

  const onVisibility = (): void => {
    if (!active) return;
    if (hidden()) clear();
    else if (!inFlight && timer === undefined) {
      const wait = Math.max(0, intervalMs - (Date.now() - lastRun));
      timer = setTimeout(() => void run(), wait);
    }
  };
  document.addEventListener("visibilitychange", onVisibility);

  return {
    start(): void {
      if (active) return;
      active = true;
      void run();
    },
    stop(): void {
      active = false;
      clear();
      inFlight?.abort();
      inFlight = null;
    },
    refresh(): void {
      if (active && !inFlight) void run();
    },
    destroy(): void {
      this.stop();
      document.removeEventListener("visibilitychange", onVisibility);
    },
  };
}
