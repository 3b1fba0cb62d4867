export interface BackoffOptions {
  /** The floor of every delay, and the unit the ceiling doubles from. */
  minDelayMs: number;
  /** The ceiling never grows past this. */
  maxDelayMs: number;
}

/**
 * Delay before reconnect/retry number `attempt` (1 = the first retry): a uniform draw in
 * `[minDelayMs, min(maxDelayMs, minDelayMs · 2^attempt)]`.
 *
 * Full jitter spreads many dashboards that lost the same server over the whole window, so they
 * do not all come back in the same instant; the floor keeps a flapping link from hammering the
 * server with near-zero delays. Pure: `random` is injectable so tests need no clock.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const min = Math.max(0, options.minDelayMs);
  const ceiling = Math.max(min, Math.min(options.maxDelayMs, min * 2 ** Math.max(0, attempt)));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(min + r * (ceiling - min));
}
