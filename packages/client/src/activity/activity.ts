/**
 * What the agent is doing now, derived from the stream's events and link changes. Pure: the caller passes
 * `now`; createActivityTracker (tracker.ts) wires it to a stream and a timer.
 */

/**
 * The current activity. `since` is ms since the epoch: when it began (`tool`, `thinking`, `status`,
 * `writing`), the last event or (re)connection (`quiet`), when the link went down (`disconnected`).
 */
export type Activity =
  | { kind: "connecting"; since: number }
  | {
      kind: "disconnected";
      since: number;
      /** When the stream tries again (`reconnecting.at`); null when it will not (closed) or is not the one retrying (`upstream`). */
      retryAt: number | null;
      /** True when the viewer's link is fine but a relay lost ductor (its `upstream` event). */
      upstream: boolean;
    }
  | { kind: "quiet"; since: number }
  | { kind: "writing"; since: number /** Arrival of the last text chunk. */; lastAt: number }
  | { kind: "thinking"; since: number }
  | { kind: "tool"; name: string; since: number }
  | { kind: "status"; label: string; since: number };

/**
 * What ActivityState reads: the stream's data events as they are (`text_delta`, `tool_activity`,
 * `system_status`, `upstream`, each with its optional `at`), and the link: `{ type: "open", at? }`,
 * `{ type: "reconnecting", retryAt }`, `{ type: "close" }`. Other types are ignored.
 */
export interface ActivityInput {
  type: string;
  data?: string | null;
  /** When it happened (a relay's `at`); default `now`. Later than `now` counts as `now`. */
  at?: number;
  /** `reconnecting` only: epoch ms of the next attempt. */
  retryAt?: number;
}

export interface ActivityOptions {
  /** "Writing" lasts this long (ms) after the last text chunk, then it is "Quiet". Default 10 000. */
  writingMs?: number;
  /** A tool, `thinking` or status older than this (ms) with nothing after it becomes "Quiet". Default 600 000. */
  busyQuietMs?: number;
  /** Formats the clock time in "Quiet since 12:03". Default: local `HH:MM`. */
  formatTime?: (epochMs: number) => string;
}

/** Same activity for a listener: equal kind, since and details (a writing's `lastAt` moving is not a change). */
export function sameActivity(a: Activity, b: Activity): boolean {
  const x = a as Partial<Record<"name" | "label" | "retryAt" | "upstream", unknown>>;
  const y = b as typeof x;
  return (
    a.kind === b.kind &&
    a.since === b.since &&
    x.name === y.name &&
    x.label === y.label &&
    x.retryAt === y.retryAt &&
    x.upstream === y.upstream
  );
}

const pad = (n: number): string => String(n).padStart(2, "0");
const localTime = (ms: number): string => {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

/** `12 s`, `4 min`, `2 h 5 min`, `3 d 1 h` (rounded down; negative counts as 0). */
function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return h % 24 ? `${Math.floor(h / 24)} d ${h % 24} h` : `${Math.floor(h / 24)} d`;
}

/**
 * The activity core: feed it inputs with `apply`, read it with `at(now)`. Time alone changes it too ("Writing"
 * and a busy state become "Quiet"); `changesAt` says when, so a shell can set one timer.
 */
export class ActivityState {
  #a: Activity;
  readonly #writingMs: number;
  readonly #busyQuietMs: number;
  readonly #formatTime: (epochMs: number) => string;

  constructor(options: ActivityOptions = {}, initial: Activity = { kind: "connecting", since: 0 }) {
    this.#writingMs = options.writingMs ?? 10_000;
    this.#busyQuietMs = options.busyQuietMs ?? 600_000;
    this.#formatTime = options.formatTime ?? localTime;
    this.#a = initial;
  }

  /** When `at()` will change with no further input (ms since the epoch), or null. */
  get changesAt(): number | null {
    const a = this.#a;
    if (a.kind === "writing") return a.lastAt + this.#writingMs;
    if (a.kind === "tool" || a.kind === "thinking" || a.kind === "status") return a.since + this.#busyQuietMs;
    return null;
  }

  /** The activity at `now` (time moves forward: a later call never undoes what an earlier one settled). */
  at(now: number): Activity {
    const due = this.changesAt;
    if (due !== null && now >= due) {
      const a = this.#a;
      this.#a = { kind: "quiet", since: a.kind === "writing" ? a.lastAt : a.since };
    }
    return this.#a;
  }

  /** Applies one input at `now`; true when the activity changed (as `sameActivity` sees it). */
  apply(input: ActivityInput, now: number): boolean {
    const a = this.at(now);
    const t = Math.min(input.at ?? now, now);
    const { type, data } = input;
    let next: Activity = a;
    if (type === "text_delta") next = { kind: "writing", since: a.kind === "writing" ? a.since : t, lastAt: t };
    else if (type === "tool_activity") next = { kind: "tool", name: data ?? "", since: t };
    else if (type === "system_status") {
      if (!data) {
        // ductor clears the label (null; "" taken the same way): whatever it showed is over.
        if (a.kind === "thinking" || a.kind === "status") next = { kind: "quiet", since: t };
      } else if (data === "thinking") {
        if (a.kind !== "thinking") next = { kind: "thinking", since: t };
      } else if (a.kind !== "status" || a.label !== data) next = { kind: "status", label: data, since: t };
    } else if (type === "upstream") {
      if (data === "connected") next = { kind: "quiet", since: t };
      else if (data === "disconnected" || data === "refused") next = { kind: "disconnected", since: t, retryAt: null, upstream: true };
    } else if (type === "open") next = { kind: "quiet", since: t };
    else if (type === "reconnecting" || type === "close") {
      const since = a.kind === "disconnected" && !a.upstream ? a.since : now;
      next = { kind: "disconnected", since, retryAt: type === "close" ? null : (input.retryAt ?? null), upstream: false };
    }
    this.#a = next;
    return !sameActivity(a, next);
  }

  /**
   * A short label for `now`: "Running Shell · 12 s", "Thinking · 4 s", "Compacting · 5 s", "Writing",
   * "Quiet since 12:03 (4 min)", "Disconnected since 12:03 (2 min) · retrying in 5 s", "Connecting…".
   */
  describe(now: number): string {
    const a = this.at(now);
    const fmt = this.#formatTime;
    const since = `since ${fmt(a.since)} (${duration(now - a.since)})`;
    switch (a.kind) {
      case "connecting":
        return "Connecting…";
      case "disconnected":
        if (a.upstream) return `Disconnected from ductor ${since}`;
        if (a.retryAt === null) return `Disconnected ${since}`;
        return `Disconnected ${since} · ${a.retryAt > now ? `retrying in ${duration(a.retryAt - now + 999)}` : "reconnecting…"}`;
      case "quiet":
        return `Quiet ${since}`;
      case "writing":
        return "Writing";
      case "thinking":
        return `Thinking · ${duration(now - a.since)}`;
      case "tool":
        return `Running ${a.name || "a tool"} · ${duration(now - a.since)}`;
      case "status":
        return `${a.label.charAt(0).toUpperCase()}${a.label.slice(1)} · ${duration(now - a.since)}`;
    }
  }
}
