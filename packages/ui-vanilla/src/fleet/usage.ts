/**
 * Today's cost of one ductor, from the relay's usage history (`client.history.usage`, summed by the client's
 * `spentToday`). Only a relay answers it: a 404 (NotFoundError) means this ductor cannot tell, and the card
 * shows "—".
 */
import { NotFoundError, spentToday } from "@ductor/dashboard-client";
import type { Client } from "../app/types.js";
import { localMidnight } from "./cost-today.js";

/**
 * Today's cost in USD, or null when this ductor cannot tell. Other errors throw: a caller that polls keeps what it
 * showed and tries again later.
 */
export async function readCostToday(client: Client, signal: AbortSignal): Promise<number | null> {
  const now = Date.now();
  try {
    // `from` is exclusive (the state then is the baseline): one ms before midnight counts a sample at midnight.
    const samples = await client.history.usage({ from: localMidnight(now) - 1, signal, maxRetries: 0 });
    return spentToday(samples, Date.now()).costUsd;
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
}
