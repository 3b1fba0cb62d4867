/**
 * Which ductors the page's server serves: `GET /dashboard/servers` on a relay (no token needed). Anything but a
 * good answer means "one ductor, as always": a plain ductor answers 404, a ductor on another origin cannot be
 * read (no CORS), an older relay does not know the path. So this never throws, and never waits long.
 */
import { DashboardClient, NotFoundError } from "@ductor/dashboard-client";

export interface DiscoveredServer {
  name: string;
}

/** One short try: a page must not wait long to learn it talks to a single ductor. */
const DISCOVERY_TIMEOUT_MS = 5_000;

/**
 * The listing, or null when the server could not be asked (down, slow, another origin), as opposed to [] for a
 * server that lists none (a plain ductor, or an older relay: 404).
 */
export async function askServers(baseUrl: string, signal: AbortSignal): Promise<DiscoveredServer[] | null> {
  try {
    const client = new DashboardClient({ baseUrl });
    return await client.servers({ signal, timeoutMs: DISCOVERY_TIMEOUT_MS, maxRetries: 0 });
  } catch (err) {
    return err instanceof NotFoundError ? [] : null;
  }
}
