/**
 * How a card shows a ductor's spend today. The sum itself is the client's `spentToday` (the relay's usage samples
 * since local midnight); this is where the day starts and how the amount reads. Pure.
 */
import { formatCost as formatMoney } from "../format.js";

/** Local midnight at the start of `now`'s day, ms since the epoch. */
export function localMidnight(now: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/**
 * The app's one way of writing money (format.ts: `$0`, `$0.84`, `$0.0042`), so a card and the Usage panel say the
 * same amount the same way; null (this ductor cannot tell) is `—`.
 */
export function formatCost(usd: number | null): string {
  return usd === null ? "—" : formatMoney(usd);
}
