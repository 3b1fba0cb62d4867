/**
 * Cost and tokens over time, from the stored `/dashboard/sessions` snapshots. ductor keeps only running totals
 * per session key and provider (`provider_sessions[provider].{session_id,total_cost_usd,total_tokens}`, protocol
 * §4.1); what a chart needs is what was spent *when*: the increase between one snapshot and the next.
 *
 * Rules, per (session key, provider):
 * - an increase of the cost or the tokens is a sample at the later snapshot's time;
 * - a different `session_id`, or a total that went down (ductor started that CLI session over), counts the new
 *   totals whole as the increase;
 * - a pair seen for the first time after the first snapshot is new: its totals are the increase;
 * - the first snapshot, and the state at `from` (the last snapshot at or before it), are baselines, never increases:
 *   what was spent before the relay recorded it has no time;
 * - a pair missing from a snapshot keeps its last known totals (an entry that comes back is compared with them);
 * - a body that is not JSON or not an object, an entry or a provider that cannot be read, is skipped: never thrown.
 *   Legacy entries with flat metrics (no `provider_sessions`) count for the entry's `provider` (or "claude").
 */
import type { UsageSample } from "@ductor/dashboard-client";

/** The wire's sample (`at`: the snapshot's time), as the client types it: one definition of the contract. */
export type { UsageSample };

export interface StoredSnapshot {
  at: number;
  body: string;
}

interface Totals {
  sessionId: string;
  cost: number;
  tokens: number;
}

/** Costs are sums of floats: keep 1e-10 USD, so that 0.8421 − 0.5 is 0.3421 on the wire, not 0.34209999999999996. */
const roundCost = (usd: number): number => Math.round(usd * 1e10) / 1e10;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A finite, non-negative number; absent → 0 (ductor's field set varies); anything else → undefined (unreadable). */
function amount(v: unknown): number | undefined {
  if (v === undefined) return 0;
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined;
}

function readTotals(v: unknown): Totals | undefined {
  if (!isRecord(v)) return undefined;
  const cost = amount(v.total_cost_usd);
  const tokens = amount(v.total_tokens);
  if (cost === undefined || tokens === undefined) return undefined;
  const sid = v.session_id;
  return { sessionId: typeof sid === "string" ? sid : "", cost, tokens: Math.round(tokens) };
}

/** The readable (session key, provider) totals of one sessions.json body; undefined when the body is unreadable. */
function readSessionTotals(body: string): Map<string, Map<string, Totals>> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  const out = new Map<string, Map<string, Totals>>();
  for (const [key, entry] of Object.entries(parsed)) {
    if (!isRecord(entry)) continue;
    const byProvider = new Map<string, Totals>();
    if (entry.provider_sessions !== undefined) {
      if (!isRecord(entry.provider_sessions)) continue;
      for (const [provider, value] of Object.entries(entry.provider_sessions)) {
        const totals = readTotals(value);
        if (totals) byProvider.set(provider, totals);
      }
    } else if ("total_cost_usd" in entry || "total_tokens" in entry) {
      const totals = readTotals(entry);
      const provider = typeof entry.provider === "string" && entry.provider !== "" ? entry.provider : "claude";
      if (totals) byProvider.set(provider, totals);
    }
    if (byProvider.size > 0) out.set(key, byProvider);
  }
  return out;
}

/**
 * Folds snapshots in order into the last known totals per pair, and the samples past the first snapshot. Fed
 * incrementally: the relay's snapshots only grow at the end, except when retention prunes the oldest (then it
 * starts over, see UsageLedger).
 */
class UsageFold {
  readonly totals = new Map<string, Map<string, Totals>>();
  samples: UsageSample[] = [];
  #started = false;

  add(snapshot: StoredSnapshot): void {
    const now = readSessionTotals(snapshot.body);
    if (!now) return;
    const baseline = !this.#started;
    this.#started = true;
    for (const [session, byProvider] of now) {
      let known = this.totals.get(session);
      if (!known) {
        known = new Map();
        this.totals.set(session, known);
      }
      for (const [provider, cur] of byProvider) {
        const prev = known.get(provider);
        known.set(provider, cur);
        if (baseline) continue;
        let cost = cur.cost;
        let tokens = cur.tokens;
        const fresh = !prev || prev.sessionId !== cur.sessionId || cur.cost < prev.cost || cur.tokens < prev.tokens;
        if (!fresh) {
          cost = roundCost(cur.cost - prev.cost);
          tokens = cur.tokens - prev.tokens;
        }
        if (cost > 0 || tokens > 0) this.samples.push({ at: snapshot.at, session, provider, costUsd: roundCost(cost), tokens });
      }
    }
  }
}

/**
 * The increases in `(from, to]`, ascending by `at` (snapshots in store order; equal times keep that order). The
 * baseline at `from` is the fold of every snapshot at or before it.
 */
export function usageSamples(snapshots: readonly StoredSnapshot[], from: number, to: number): UsageSample[] {
  const fold = new UsageFold();
  for (const s of snapshots) fold.add(s);
  return between(fold.samples, from, to);
}

function between(samples: readonly UsageSample[], from: number, to: number): UsageSample[] {
  return samples.filter((s) => s.at > from && s.at <= to).sort((a, b) => a.at - b.at);
}

/**
 * usageSamples, remembered between requests: each request parses only the snapshots stored since the last one
 * (a sessions body can be tens of KB and there is one per change). Retention prunes the oldest snapshots: the
 * samples at or before the oldest one left go too, as a fresh fold of what is stored would not have them.
 */
export class UsageLedger {
  #fold = new UsageFold();
  /** `at` of the last snapshot folded in, and of the oldest stored when last asked. */
  #lastAt = Number.MIN_SAFE_INTEGER;
  #oldestAt = Number.MIN_SAFE_INTEGER;

  /** When the last snapshot folded in was taken: a store that can is asked only for the ones after it. */
  get lastAt(): number {
    return this.#lastAt;
  }

  /** Fold in `newer` (the snapshots stored after `lastAt`, oldest first); `oldestAt`: the oldest still stored. */
  update(newer: readonly StoredSnapshot[], oldestAt: number | undefined): void {
    for (const snapshot of newer) {
      if (snapshot.at <= this.#lastAt) continue;
      this.#fold.add(snapshot);
      this.#lastAt = snapshot.at;
    }
    if (oldestAt !== undefined && oldestAt > this.#oldestAt) {
      if (this.#oldestAt !== Number.MIN_SAFE_INTEGER) {
        this.#fold.samples = this.#fold.samples.filter((s) => s.at > oldestAt);
      }
      this.#oldestAt = oldestAt;
    }
  }

  /** The samples in `(from, to]` of everything folded in so far. */
  between(from: number, to: number): UsageSample[] {
    return between(this.#fold.samples, from, to);
  }

  /** The same from the whole list of stored snapshots (a store that cannot read only the newer ones). */
  samples(snapshots: readonly StoredSnapshot[], from: number, to: number): UsageSample[] {
    this.update(snapshots, snapshots[0]?.at);
    return this.between(from, to);
  }
}
