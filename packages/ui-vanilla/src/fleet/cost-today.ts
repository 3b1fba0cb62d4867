/**
 * How a card shows a ductor's spend today. The sum itself is the client's `spentToday` (the relay's usage samples
 * since local midnight); this is where the day starts and how the amount reads. Pure.
 */

/** Local midnight at the start of `now`'s day, ms since the epoch. */
export function localMidnight(now: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** `$0.00`, `< $0.01`, `$12.34`, `$1,234`; null (this ductor cannot tell) is `—`. */
export function formatCost(usd: number | null): string {
  if (usd === null) return "—";
  if (usd > 0 && usd < 0.005) return "< $0.01";
  if (usd >= 1_000) return `$${Math.round(usd).toLocaleString("en-US")}`;
  return `$${usd.toFixed(2)}`;
}
