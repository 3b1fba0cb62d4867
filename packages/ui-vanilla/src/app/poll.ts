/**
 * Polling for views: one helper that owns the schedule (never overlapping itself, paused on a hidden tab,
 * caught up at once when shown) and the failure policy (`reportFailure`: aborts ignored, a 401 returns to
 * the connect form, other errors in the source's banner until a later success clears it).
 */
import { reportFailure, type ErrorBanner } from "./failure.js";
import type { Scope } from "./scope.js";
import type { AppContext } from "./types.js";

interface PollSource<T> {
  /** One fetch; pass `signal` on so a hidden view or a destroyed app cancels it. */
  load(signal: AbortSignal): Promise<T>;
  /** Draw what came back. */
  show(data: T, now: number): void;
  /** For the 401 message, e.g. "/dashboard/status". */
  endpoint: string;
  /** For the banner: "Couldn't <doing>: …". */
  doing: string;
  banner: ErrorBanner;
}

export interface PollOptions<T extends unknown[]> {
  everyMs: number;
  /** Fetched together each round; each reports to its own banner. */
  sources: { [K in keyof T]: PollSource<T[K]> };
  /** Every source of a round succeeded (e.g. "updated just now"). */
  onRoundOk?(now: number): void;
}

export interface Poller {
  start(): void;
  stop(): void;
  /** Run now unless a run is in flight. */
  refresh(): void;
}

export function createPolling<T extends unknown[]>(ctx: AppContext, scope: Scope, options: PollOptions<T>): Poller {
  const sources = options.sources as ReadonlyArray<PollSource<unknown>>;
  return createSchedule(scope, options.everyMs, async (signal) => {
    const results = await Promise.allSettled(sources.map((source) => source.load(signal)));
    if (signal.aborted) return;
    const now = Date.now();
    // A refused token ends everything: nothing else of this round is drawn.
    for (const [i, result] of results.entries()) {
      if (result.status === "rejected" && reportFailure(ctx, result.reason, sources[i]!) === "refused") return;
    }
    let allOk = true;
    for (const [i, result] of results.entries()) {
      const source = sources[i]!;
      if (result.status === "fulfilled") {
        source.show(result.value, now);
        source.banner.ok(now);
      } else allOk = false;
    }
    if (allOk) options.onRoundOk?.(now);
  });
}

/**
 * Runs `task` every `intervalMs` after the previous run finished, so runs never overlap. Paused while the
 * document is hidden; a visible document catches up at once. Ends with `scope`.
 */
function createSchedule(scope: Scope, intervalMs: number, task: (signal: AbortSignal) => Promise<void>): Poller {
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
    if (!active || inFlight || hidden() || scope.disposed) return;
    const ac = new AbortController();
    inFlight = ac;
    lastRun = Date.now();
    try {
      await task(ac.signal);
    } catch (err) {
      // Tasks report their own failures; anything else is a bug worth seeing, not a reason to stop polling.
      console.error("ductor dashboard: a poll failed", err);
    } finally {
      if (inFlight === ac) inFlight = null;
    }
    if (active && !hidden() && !ac.signal.aborted) timer = setTimeout(() => void run(), intervalMs);
  };

  const stop = (): void => {
    active = false;
    clear();
    inFlight?.abort();
    inFlight = null;
  };

  if (typeof document !== "undefined") {
    document.addEventListener(
      "visibilitychange",
      () => {
        if (!active) return;
        if (hidden()) clear();
        else if (!inFlight && timer === undefined) timer = setTimeout(() => void run(), Math.max(0, intervalMs - (Date.now() - lastRun)));
      },
      { signal: scope.signal },
    );
  }
  scope.register(stop);

  return {
    start(): void {
      if (active || scope.disposed) return;
      active = true;
      void run();
    },
    stop,
    refresh(): void {
      if (active && !inFlight) void run();
    },
  };
}
