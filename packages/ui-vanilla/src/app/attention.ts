/**
 * When the dashboard should ask for a person's attention, from the client's activity: the agent went quiet after
 * working (a turn is done: the person may have something to answer), or the link has been down for a while. Pure:
 * activity changes and the time go in, the notices to show come out; the page decides whether it is hidden and
 * whether notifications are on.
 */
import type { Activity } from "@ductor/dashboard-client";
import { formatClock, formatSpokenDuration } from "../format.js";

export interface Notice {
  /** One per reason: a newer notice of the same tag replaces the older one on screen. */
  tag: "quiet" | "link";
  title: string;
  body: string;
}

/** A link down this long is worth a notice (short drops resume on their own). */
export const LINK_DOWN_NOTICE_MS = 30_000;
/** Work shorter than this is not a turn worth a notice (a status blip). */
const MIN_WORK_MS = 3_000;

const WORKING: ReadonlySet<Activity["kind"]> = new Set(["tool", "thinking", "writing", "status"]);

export class AttentionRules {
  /** When the current stretch of work began, or null while not working. */
  #workSince: number | null = null;
  /** When the link went down, and whether that outage was already told. */
  #downSince: number | null = null;
  #downTold = false;
  #upstream = false;

  /** The activity changed: a notice to show now, if any. */
  change(activity: Activity): Notice | null {
    if (WORKING.has(activity.kind)) {
      this.#workSince ??= activity.since;
      this.#clearDown();
      return null;
    }
    if (activity.kind === "disconnected") {
      if (this.#downSince === null) {
        this.#downSince = activity.since;
        this.#downTold = false;
      }
      this.#upstream = activity.upstream;
      return null;
    }
    const workedSince = this.#workSince;
    this.#workSince = null;
    if (activity.kind !== "quiet") return null;
    const wasDown = this.#downSince !== null;
    this.#clearDown();
    // Quiet after a reconnect is not the end of a turn: nothing was seen to end.
    if (workedSince === null || wasDown || activity.since - workedSince < MIN_WORK_MS) return null;
    return {
      tag: "quiet",
      title: "The agent is quiet",
      body: `It worked ${formatSpokenDuration(activity.since - workedSince)} and stopped at ${formatClock(new Date(activity.since))}.`,
    };
  }

  /** Time passed: the link-down notice, once per outage, when it has lasted `LINK_DOWN_NOTICE_MS`. */
  tick(now: number): Notice | null {
    if (this.#downSince === null || this.#downTold || now - this.#downSince < LINK_DOWN_NOTICE_MS) return null;
    this.#downTold = true;
    const since = formatClock(new Date(this.#downSince));
    return this.#upstream
      ? { tag: "link", title: "ductor is unreachable", body: `The relay has had no link to ductor since ${since}.` }
      : { tag: "link", title: "The dashboard lost its link", body: `No connection to ductor since ${since}; it keeps retrying.` };
  }

  #clearDown(): void {
    this.#downSince = null;
    this.#downTold = false;
  }
}
