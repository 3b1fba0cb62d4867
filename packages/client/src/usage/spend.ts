/**
 * Pure sums over a relay's usage samples (`client.history.usage()`): spent per local day, per session, in the
 * last hour, and per session cumulatively over a window (a chart's lines). Nothing here reads a clock: `now` is
 * given. Days are the runtime's local days (a browser's time zone), from midnight to midnight, DST included.
 */
import type { UsageSample } from "../resources/history.js";

export interface Spent {
  costUsd: number;
  tokens: number;
}

export interface DaySpent extends Spent {
  /** The local day, `YYYY-MM-DD`. */
  day: string;
  /** Its local midnight, ms since the epoch. */
  start: number;
}

export interface SessionSpent extends Spent {
  session: string;
  /** What each provider spent within that session. */
  providers: Record<string, Spent>;
}

const DAY_KEY = (d: Date): string =>
  `${String(d.getFullYear()).padStart(4, "0")}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;

/** Local midnight at or before `ms`. */
function dayStart(ms: number): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** The local midnight `n` days after the one at `start` (a DST day is 23 or 25 hours). */
function addDays(start: number, n: number): number {
  const d = new Date(start);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + n).getTime();
}

/**
 * Spent per local day: `days` days ending with `now`'s day, oldest first, every day present (zero when nothing
 * was spent). Samples outside those days are not counted.
 */
export function spentPerDay(samples: readonly UsageSample[], options: { now: number; days: number }): DaySpent[] {
  const { now, days } = options;
  if (!Number.isSafeInteger(days) || days < 1) throw new TypeError(`spentPerDay: \`days\` must be a positive integer, got ${String(days)}`);
  const today = dayStart(now);
  const out: DaySpent[] = [];
  const index = new Map<number, DaySpent>();
  for (let i = days - 1; i >= 0; i--) {
    const start = addDays(today, -i);
    const entry = { day: DAY_KEY(new Date(start)), start, costUsd: 0, tokens: 0 };
    out.push(entry);
    index.set(start, entry);
  }
  for (const s of samples) {
    const entry = index.get(dayStart(s.at));
    if (!entry) continue;
    entry.costUsd += s.costUsd;
    entry.tokens += s.tokens;
  }
  return out;
}

/** Spent per session key (and provider within it), most costly first (then most tokens, then by key). */
export function spentPerSession(samples: readonly UsageSample[]): SessionSpent[] {
  const by = new Map<string, SessionSpent>();
  for (const s of samples) {
    let entry = by.get(s.session);
    if (!entry) {
      entry = { session: s.session, costUsd: 0, tokens: 0, providers: {} };
      by.set(s.session, entry);
    }
    entry.costUsd += s.costUsd;
    entry.tokens += s.tokens;
    const p = Object.hasOwn(entry.providers, s.provider) ? entry.providers[s.provider]! : { costUsd: 0, tokens: 0 };
    p.costUsd += s.costUsd;
    p.tokens += s.tokens;
    Object.defineProperty(entry.providers, s.provider, { value: p, enumerable: true, writable: true, configurable: true });
  }
  return [...by.values()].sort(
    (a, b) => b.costUsd - a.costUsd || b.tokens - a.tokens || (a.session < b.session ? -1 : a.session > b.session ? 1 : 0),
  );
}

/** Spent in `(now - windowMs, now]`: by default the last hour, the burn rate per hour. */
export function burnRate(samples: readonly UsageSample[], now: number, windowMs = 3_600_000): Spent {
  let costUsd = 0;
  let tokens = 0;
  for (const s of samples) {
    if (s.at > now - windowMs && s.at <= now) {
      costUsd += s.costUsd;
      tokens += s.tokens;
    }
  }
  return { costUsd, tokens };
}

/** Spent since `now`'s local midnight (up to `now`). */
export function spentToday(samples: readonly UsageSample[], now: number): Spent {
  return burnRate(samples, now, now - dayStart(now) + 1);
}

export interface CumulativeSeries {
  /** The x values, ascending: `from`, every sample's time within the window, and `to`. */
  times: number[];
  /** One line per session (in spentPerSession's order), each value the total since `from` at `times[i]`. */
  sessions: { session: string; costUsd: number[]; tokens: number[] }[];
}

/**
 * Per session, what was spent since `from`, at each time something was spent in `(from, to]`: lines that start
 * at 0 and step up (the shape of a uPlot data table: shared x values, one y array per line).
 */
export function cumulativeBySession(samples: readonly UsageSample[], from: number, to: number): CumulativeSeries {
  const inside = samples.filter((s) => s.at > from && s.at <= to);
  const times = [...new Set([from, ...inside.map((s) => s.at), to])].sort((a, b) => a - b);
  const column = new Map(times.map((t, i) => [t, i]));
  const order = spentPerSession(inside).map((s) => s.session);
  const lines = new Map(
    order.map((session) => [session, { cost: new Array<number>(times.length).fill(0), tokens: new Array<number>(times.length).fill(0) }]),
  );
  for (const s of inside) {
    const line = lines.get(s.session)!;
    const i = column.get(s.at)!;
    line.cost[i]! += s.costUsd;
    line.tokens[i]! += s.tokens;
  }
  return {
    times,
    sessions: order.map((session) => {
      const line = lines.get(session)!;
      for (let i = 1; i < times.length; i++) {
        line.cost[i]! += line.cost[i - 1]!;
        line.tokens[i]! += line.tokens[i - 1]!;
      }
      return { session, costUsd: line.cost, tokens: line.tokens };
    }),
  };
}
