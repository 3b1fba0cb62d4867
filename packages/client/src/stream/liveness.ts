import { ConnectionError, DashboardError, TimeoutError } from "../errors.js";
import { noop } from "../internal/abort.js";

// How a link that looks open but delivers nothing is found out. A core (which limit applies, what an expired
// one means) that needs no socket, timer or DOM, and a watchdog that runs it with timers, the /health probe
// and the browser's online/offline/visibilitychange events. Protocol pings are stamped by socket.ts.

/** `"ping"`: ws protocol pings are visible (Node). `"probe"`: they are not (browsers), so poll `/health`. */
export type LivenessMode = "ping" | "probe";

/** Written on every frame (and every protocol ping in `"ping"` mode): the only per-frame cost of liveness. */
export interface Activity {
  /** Epoch ms of the last sign of life. */
  at: number;
}

export interface LivenessLimits {
  connectTimeoutMs: number;
  staleAfterMs: number;
  probeAfterMs: number;
}

/** `"auto"` picks `"ping"` when the socket exposes pings; asking for `"ping"` where it does not gets `"probe"`. */
export function resolveMode(option: "auto" | "ping" | "probe", nodeSocket: boolean): LivenessMode {
  return option !== "probe" && nodeSocket ? "ping" : "probe";
}

/** How long the link may stay silent: until the auth ping, then by mode. */
export function idleLimit(open: boolean, mode: LivenessMode, limits: LivenessLimits): number {
  if (!open) return limits.connectTimeoutMs;
  return mode === "ping" ? limits.staleAfterMs : limits.probeAfterMs;
}

export type LivenessVerdict = "connect timeout" | "stale" | "probe";

/** What a watchdog that fired concludes: the ms still to wait (> 0), or what the silence means. */
export function checkIdle(open: boolean, mode: LivenessMode, idleMs: number, limitMs: number): number | LivenessVerdict {
  if (idleMs < limitMs) return limitMs - idleMs;
  if (!open) return "connect timeout";
  return mode === "ping" ? "stale" : "probe";
}

/** The timers the watchdog uses; real ones by default, a manual clock in tests. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

type Listen = (type: string, fn: () => void) => void;
/** The window's events, where there is a window. */
export interface BrowserEvents {
  addEventListener: Listen;
  removeEventListener: Listen;
  document?: { visibilityState?: string; addEventListener?: Listen; removeEventListener?: Listen };
}
/** `globalThis` when it can report online/offline (a browser), else undefined (Node). */
export function browserEvents(g: unknown = globalThis): BrowserEvents | undefined {
  const target = g as Partial<BrowserEvents>;
  return typeof target.addEventListener === "function" && typeof target.removeEventListener === "function"
    ? (target as BrowserEvents)
    : undefined;
}

/** Calls `fn` when the browser comes back online or the tab becomes visible; returns the disposer. */
export function onWake(events: BrowserEvents | undefined, fn: () => void): () => void {
  if (!events) return noop;
  const onVisibility = () => {
    if (events.document?.visibilityState === "visible") fn();
  };
  events.addEventListener("online", fn);
  events.document?.addEventListener?.("visibilitychange", onVisibility);
  return () => {
    events.removeEventListener("online", fn);
    events.document?.removeEventListener?.("visibilitychange", onVisibility);
  };
}

export interface LivenessOptions {
  /** Whether the auth ping has arrived: before it the connect timeout applies. */
  open: boolean;
  mode: LivenessMode;
  limits: LivenessLimits;
  activity: Activity;
  /** `GET /health`, rejecting when the server cannot be reached (probe mode, once open). */
  probe(signal: AbortSignal): Promise<unknown>;
  /** The link failed a check; called at most once, and the watchdog is then idle until disposed. */
  dead(reason: string, error: DashboardError): void;
  events?: BrowserEvents | undefined;
  clock?: Clock;
}

/**
 * Watches one socket in one phase (connecting, or open) and returns its disposer, which leaves no timer,
 * probe or listener behind. One timer, re-armed lazily: frames only stamp `activity.at`, and the timer
 * re-checks when it fires, so a busy stream costs no timer churn per frame. Browsers: `offline` drops the
 * socket at once; once open in probe mode, `online` or a visible tab after a quiet second probes at once.
 */
export function startLiveness(options: LivenessOptions): () => void {
  const { open, mode, activity, events } = options;
  const clock = options.clock ?? realClock;
  const limit = idleLimit(open, mode, options.limits);
  let timer: unknown;
  let probing: AbortController | undefined;
  let stopped = false;

  const die = (reason: string, error: DashboardError) => {
    if (stopped) return;
    stop();
    options.dead(reason, error);
  };
  const arm = () => {
    clock.clearTimeout(timer);
    timer = clock.setTimeout(check, Math.max(0, activity.at + limit - clock.now()));
  };
  function check(): void {
    timer = undefined;
    if (stopped || probing) return;
    const verdict = checkIdle(open, mode, clock.now() - activity.at, limit);
    if (typeof verdict === "number") return arm();
    if (verdict === "connect timeout") die(verdict, new TimeoutError(`stream: no {"type":"ping"} within ${limit} ms`));
    else if (verdict === "stale") die(verdict, new TimeoutError(`stream: no frame and no ping for ${limit} ms`));
    else runProbe();
  }
  /** The socket may be half-open without anyone noticing; a failed /health forces a reconnect. */
  function runProbe(): void {
    if (probing || stopped) return;
    const controller = new AbortController();
    probing = controller;
    options.probe(controller.signal).then(
      () => {
        if (controller.signal.aborted) return;
        probing = undefined;
        activity.at = clock.now();
        arm();
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        probing = undefined;
        die("probe failed", error instanceof DashboardError ? error : new ConnectionError("stream: health probe failed", { cause: error }));
      },
    );
  }

  const onOffline = () => die("offline", new ConnectionError("stream: the browser went offline"));
  events?.addEventListener("offline", onOffline);
  const stopWake = open && mode === "probe" ? onWake(events, () => clock.now() - activity.at > 1_000 && runProbe()) : noop;
  arm();

  function stop(): void {
    stopped = true;
    clock.clearTimeout(timer);
    timer = undefined;
    probing?.abort();
    probing = undefined;
    events?.removeEventListener("offline", onOffline);
    stopWake();
  }
  return stop;
}
