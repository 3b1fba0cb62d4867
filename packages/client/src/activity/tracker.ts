import type { DashboardStream } from "../stream/stream.js";
import type { StreamState } from "../stream/types.js";
import { type Activity, type ActivityInput, type ActivityOptions, ActivityState, sameActivity } from "./activity.js";

/** What the tracker needs of a stream: its events and its state (a `DashboardStream`, or a test double). */
export type ActivitySource = Pick<DashboardStream, "on" | "state">;

export interface ActivityTrackerOptions extends ActivityOptions {
  /** Current time in ms since the epoch. Default `Date.now`. */
  clock?: () => number;
}

export interface ActivityTracker {
  /** The activity now. */
  readonly activity: Activity;
  /** A short label: "Running Shell · 12 s", "Quiet since 12:03 (4 min)"… Durations move: call it on your own timer. */
  describe(now?: number): string;
  /**
   * Called with the new activity whenever it changes (a new kind, tool, label, link state), including when time
   * alone changes it ("Writing" → "Quiet"). Not called every second: durations are for `describe`. Returns the
   * unsubscribe function.
   */
  subscribe(listener: (activity: Activity) => void): () => void;
  /** Stops listening to the stream and clears the timer; listeners are dropped. Idempotent. */
  dispose(): void;
}

const initial = (state: StreamState, now: number): Activity =>
  state === "open"
    ? { kind: "quiet", since: now }
    : state === "connecting"
      ? { kind: "connecting", since: now }
      : { kind: "disconnected", since: now, retryAt: null, upstream: false };

/**
 * Follows a stream's events and link to say what the agent is doing now. The logic is ActivityState's; this
 * adds the stream's listeners, one timer (only while "Writing" or a busy state can run out) and change events.
 *
 * ```ts
 * const activity = createActivityTracker(client.stream());
 * activity.subscribe((a) => (badge.dataset.kind = a.kind));
 * setInterval(() => (badge.textContent = activity.describe()), 1000);
 * ```
 */
export function createActivityTracker(stream: ActivitySource, options: ActivityTrackerOptions = {}): ActivityTracker {
  const clock = options.clock ?? (() => Date.now()); // looked up per call: fake clocks installed later apply
  const state = new ActivityState(options, initial(stream.state, clock()));
  const listeners = new Set<(activity: Activity) => void>();
  let last = state.at(clock());
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerDue = Number.POSITIVE_INFINITY;
  let disposed = false;

  const update = (): void => {
    const now = clock();
    const current = state.at(now);
    if (!sameActivity(current, last)) {
      last = current;
      for (const listener of [...listeners]) {
        try {
          listener(current);
        } catch (error) {
          // One listener's bug must not cost the others their update, nor the stream its listener.
          console.error("activity tracker: a listener threw", error);
        }
      }
    }
    // One timer, moved only earlier: a later deadline (the next text chunk) is picked up when it fires.
    const due = state.changesAt;
    if (due !== null && due < timerDue && !disposed) {
      clearTimeout(timer);
      timerDue = due;
      timer = setTimeout(
        () => {
          timerDue = Number.POSITIVE_INFINITY;
          update();
        },
        Math.max(0, due - now),
      );
    }
  };
  const feed = (input: ActivityInput): void => {
    state.apply(input, clock());
    update();
  };

  const offs = [
    stream.on("text_delta", feed),
    stream.on("tool_activity", feed),
    stream.on("system_status", feed),
    stream.on("upstream", feed),
    stream.on("open", (ev) => feed({ type: "open", at: ev.at })),
    stream.on("reconnecting", (ev) => feed({ type: "reconnecting", retryAt: ev.at })),
    stream.on("close", () => feed({ type: "close" })),
  ];

  return {
    get activity() {
      return state.at(clock());
    },
    describe: (now = clock()) => state.describe(now),
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    dispose() {
      disposed = true;
      for (const off of offs) off();
      clearTimeout(timer);
      listeners.clear();
    },
  };
}
