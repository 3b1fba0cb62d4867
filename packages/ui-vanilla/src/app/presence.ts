/**
 * The page's title and favicon say whether the agent works, is quiet or is cut off, so a glance at the tab strip
 * answers it. Only for a page that is the dashboard (the static site): a dashboard mounted into someone else's
 * page leaves their title alone. Restored when the app ends.
 */
import type { Activity, ActivityTracker } from "@ductor/dashboard-client";
import type { Scope } from "./scope.js";

/** The tab's words for an activity: short, no seconds (a title that changes every second is noise). */
export function presenceTitle(activity: Activity): string {
  switch (activity.kind) {
    case "tool":
      return `● Running ${activity.name || "a tool"}`;
    case "thinking":
      return "● Thinking";
    case "writing":
      return "● Writing";
    case "status":
      return `● ${activity.label}`;
    case "quiet":
      return "Quiet";
    case "connecting":
      return "Connecting";
    case "disconnected":
      return activity.upstream ? "ductor unreachable" : "Disconnected";
  }
}

const COLOURS: Record<Activity["kind"], string> = {
  tool: "#3451d1",
  thinking: "#3451d1",
  writing: "#3451d1",
  status: "#3451d1",
  quiet: "#8a8f98",
  connecting: "#8a8f98",
  disconnected: "#c0392b",
};

/** A dot as an SVG data URL (the site's CSP allows `data:` images). */
export function presenceIcon(activity: Activity): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="6" fill="${COLOURS[activity.kind]}"/></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

/**
 * What the page knows beyond the tracker: a relay's own link to ductor. The tracker sees only live events, so a page
 * opened while ductor is already down would say "Quiet" while its pill (from the history it loaded) says otherwise.
 */
export interface PresenceUpstream {
  /** True while the relay says ductor is unreachable (or refused its token). */
  down(): boolean;
  /** Called whenever that changes; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

/** The activity the tab shows: the tracker's, unless the relay says ductor is down. */
export function shownActivity(activity: Activity, upstreamDown: boolean): Activity {
  if (!upstreamDown || activity.kind === "disconnected") return activity;
  return { kind: "disconnected", since: activity.since, retryAt: null, upstream: true };
}

export function showPresence(scope: Scope, tracker: ActivityTracker, appName = "ductor", upstream?: PresenceUpstream): void {
  const originalTitle = document.title;
  let link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  const originalIcon = link?.getAttribute("href") ?? null;
  if (!link) {
    link = document.createElement("link");
    link.rel = "icon";
    document.head.append(link);
  }
  const icon = link;
  const paint = (): void => {
    const activity = shownActivity(tracker.activity, upstream?.down() ?? false);
    document.title = `${presenceTitle(activity)} · ${appName}`;
    icon.href = presenceIcon(activity);
  };
  paint();
  scope.register(tracker.subscribe(paint));
  if (upstream) scope.register(upstream.subscribe(paint));
  scope.register(() => {
    document.title = originalTitle;
    if (originalIcon === null) icon.remove();
    else icon.setAttribute("href", originalIcon);
  });
}
