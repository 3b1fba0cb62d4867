/**
 * The connected app: header with navigation and connection badge, the four views, hash routing,
 * and the app-level live stream (so switching views never loses output).
 */
import { AuthenticationError, createActivityTracker } from "@ductor/dashboard-client";
import { loadRecentHistory } from "./backfill.js";
import { describeError } from "./describe.js";
import { createLive, type Live, type LinkState } from "./live.js";
import { showPresence } from "./presence.js";
import { installShortcuts } from "./shortcuts.js";
import type { Scope } from "./scope.js";
import { ROUTES, type AppContext, type Client, type Route, type View } from "./types.js";
import { h } from "../dom.js";
import { createLogsView } from "../views/logs/index.js";
import { createSessionsView } from "../views/sessions.js";
import { createStatusView } from "../views/status.js";
import { createStreamView } from "../views/stream.js";

export interface ShellOptions {
  client: Client;
  routing: "hash" | "memory";
  initialRoute?: Route;
  scrollbackChars?: number;
  streamOptions?: Parameters<Client["stream"]>[0];
  onRefused(reason: string): void;
  /** Called once, when the server first proves it accepted the token (the stream's `ping` frame). */
  onAccepted?: () => void;
  onSignOut?: () => void;
  /** The page is the dashboard: its title and favicon show the agent's activity. */
  pageTitle?: boolean;
  /** Before a view's name in the address bar: "#/" (default), or "#/s/work/" for one ductor of several. */
  routePrefix?: string;
  /** One ductor of several (the fleet): its name in the header and a way back to the overview. */
  fleet?: { server: string; back(): void };
}

export interface Shell {
  readonly el: HTMLElement;
  readonly route: Route;
  go(route: Route): void;
}

/** How long a page waits for a relay's history before it goes live without it. */
const HISTORY_TIMEOUT_MS = 10_000;

const TITLES: Record<Route, string> = { status: "Status", stream: "Live stream", sessions: "Sessions & tasks", logs: "Logs" };

type UpstreamLink = "connected" | "disconnected" | "refused";

/** A relay's `upstream` row as the pill's state; null for a value this page does not know (left as it was). */
function upstreamLink(data: string | null): UpstreamLink | null {
  return data === "connected" || data === "disconnected" || data === "refused" ? data : null;
}

function routeFromHash(hash: string, prefix: string): Route | null {
  if (!hash.startsWith(prefix)) return null;
  const m = /^([a-z]+)/.exec(hash.slice(prefix.length));
  const r = m?.[1] as Route | undefined;
  return r && ROUTES.includes(r) ? r : null;
}

/** The connected app. Everything it starts ends with `scope`. */
export function createShell(opts: ShellOptions, scope: Scope): Shell {
  const { signal } = scope;
  const prefix = opts.routePrefix ?? "#/";
  let refused = false;
  let relayKnown: boolean | null = null;

  const ctx: AppContext = {
    client: opts.client,
    isRelay: () => relayKnown,
    refuse(reason: string): void {
      if (refused || scope.disposed) return;
      refused = true;
      opts.onRefused(reason);
    },
  };

  const streamView = createStreamView(scope.child(), { scrollbackChars: opts.scrollbackChars, serverKey: opts.client.baseUrl, ctx });
  const views: Record<Route, View> = {
    status: createStatusView(ctx, scope.child()),
    stream: streamView,
    sessions: createSessionsView(ctx, scope.child()),
    logs: createLogsView(ctx, scope.child()),
  };

  // Connection badge: always visible.
  const badgeText = h("span", { class: "badge-text" }, "connecting…");
  const badge = h(
    "span",
    { class: "badge", "data-state": "connecting", role: "status", "aria-live": "polite" },
    h("span", { class: "dot", "aria-hidden": "true" }),
    badgeText,
  );
  let link: LinkState = { kind: "connecting" };
  /**
   * A relay's own link to ductor, from its `upstream` rows (live, or the last one in the history drawn on load):
   * the viewer's socket to the relay stays open while ductor is down, so "connected" alone would not be the truth.
   */
  let upstream: UpstreamLink = "connected";
  let accepted = false;
  let online = typeof navigator === "undefined" ? true : navigator.onLine !== false;

  const paintBadge = (now = Date.now()): void => {
    let text: string;
    let state: string = link.kind;
    switch (link.kind) {
      case "connecting":
        text = "connecting…";
        break;
      case "open":
        if (upstream === "connected") text = "connected";
        else {
          state = "upstream-down";
          text = upstream === "refused" ? "ductor refused the relay's token" : "ductor unreachable";
        }
        break;
      case "reconnecting": {
        const s = Math.max(0, Math.ceil((link.retryAt - now) / 1000));
        text = s > 0 ? `reconnecting in ${s} s` : "reconnecting…";
        break;
      }
      case "refused":
        text = "token refused";
        break;
      case "closed":
        text = "disconnected";
        break;
    }
    if (!online && link.kind !== "open") {
      state = "offline";
      text = `offline · ${text}`;
    }
    if (badgeText.textContent !== text) badgeText.textContent = text;
    badge.dataset["state"] = state;
    badge.title =
      state === "upstream-down"
        ? "The dashboard server is up, but its own link to ductor is down: nothing new arrives until ductor is back."
        : "";
  };
  const upstreamListeners = new Set<() => void>();
  const setUpstream = (state: string): void => {
    const next = upstreamLink(state);
    if (next === null || next === upstream) return;
    upstream = next;
    paintBadge();
    for (const listener of upstreamListeners) listener();
  };

  const sink = {
    ...streamView,
    link(state: LinkState): void {
      link = state;
      if (state.kind === "open" && !accepted) {
        accepted = true;
        opts.onAccepted?.();
      }
      streamView.link(state);
      paintBadge();
    },
    upstreamLink: setUpstream,
    protocolError(err: unknown): void {
      console.warn("ductor dashboard stream:", describeError(err));
    },
  };

  const navLinks = new Map<Route, HTMLAnchorElement>();
  const nav = h(
    "nav",
    { class: "nav", "aria-label": "Views" },
    ROUTES.map((r) => {
      const a = h("a", { href: `${prefix}${r}`, class: "nav-link" }, TITLES[r]);
      if (opts.routing === "memory") {
        a.addEventListener("click", (ev) => {
          ev.preventDefault();
          go(r, true);
        });
      }
      navLinks.set(r, a);
      return a;
    }),
  );
  const signOut = h("button", { type: "button", class: "btn btn-quiet", title: "Forget the token and show the connect form" }, "Sign out");
  signOut.addEventListener("click", () => opts.onSignOut?.());
  const fleet = opts.fleet;
  const back = fleet ? h("a", { class: "fleet-back", href: "#/", title: "All ductors" }, "← All") : null;
  back?.addEventListener(
    "click",
    (ev) => {
      ev.preventDefault();
      fleet?.back();
    },
    { signal },
  );
  const header = h(
    "header",
    { class: "topbar" },
    back,
    h(
      "a",
      { class: "brand", href: `${prefix}status` },
      h("span", { class: "brand-mark", "aria-hidden": "true" }, "◆"),
      fleet ? h("span", { class: "brand-server" }, fleet.server) : "ductor",
    ),
    nav,
    h("div", { class: "topbar-end" }, badge, opts.onSignOut ? signOut : null),
  );
  const main = h(
    "main",
    { class: "views" },
    ROUTES.map((r) => views[r].el),
  );
  const el = h("div", { class: "shell" }, header, main);

  let route: Route = opts.initialRoute ?? "status";
  let first = true;
  function go(r: Route, focus = false): void {
    if (scope.disposed) return;
    if (!first && r === route) return;
    for (const k of ROUTES) {
      if (k !== r) views[k].hide();
      const a = navLinks.get(k)!;
      if (k === r) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    route = r;
    first = false;
    views[r].show();
    if (focus) el.querySelector<HTMLElement>(`#dd-h-${r}`)?.focus({ preventScroll: true });
  }

  if (opts.routing === "hash") {
    route = routeFromHash(location.hash, prefix) ?? opts.initialRoute ?? "status";
    window.addEventListener(
      "hashchange",
      () => {
        // Another ductor or the fleet overview is not this shell's to show: whoever made it swaps it out.
        if (!location.hash.startsWith(prefix) && prefix !== "#/") return;
        go(routeFromHash(location.hash, prefix) ?? "status", true);
      },
      { signal },
    );
  }
  const setOnline = (value: boolean): void => {
    online = value;
    paintBadge();
  };
  window.addEventListener("online", () => setOnline(true), { signal });
  window.addEventListener("offline", () => setOnline(false), { signal });

  // Against a relay (its first ping says so), recent history up to the scrollback is drawn first, and the live
  // events that arrive meanwhile after it. Against plain ductor: live only, as always.
  const live: Live = createLive(opts.client, sink, (reason) => ctx.refuse(reason), {
    streamOptions: opts.streamOptions,
    onRelayOpen: async (relay) => {
      streamView.relay();
      try {
        const signal = AbortSignal.any([scope.signal, AbortSignal.timeout(HISTORY_TIMEOUT_MS)]);
        const events = await loadRecentHistory(opts.client, relay.head, opts.scrollbackChars ?? 2_000_000, signal);
        if (scope.disposed) return;
        streamView.history(events);
        // The last upstream row on record says whether ductor is reachable now (live rows after it follow).
        for (let i = events.length - 1; i >= 0; i--) {
          const ev = events[i]!;
          if (ev.type !== "upstream") continue;
          setUpstream(ev.data ?? "");
          break;
        }
      } catch (err) {
        if (scope.disposed) return;
        if (err instanceof AuthenticationError) return ctx.refuse("The server refused the token (401 on /dashboard/history).");
        // History is a bonus: without it, live output still shows.
        streamView.renderer.note(`history could not be loaded: ${describeError(err)}`);
      }
    },
  });
  scope.register(() => live.close());
  // The Usage panel asks relay-only endpoints only once the stream's first ping has said this is a relay.
  scope.register(
    live.stream.on("open", (ev) => {
      relayKnown = ev.relay !== null;
    }),
  );
  const activity = createActivityTracker(live.stream);
  scope.register(() => activity.dispose());
  streamView.attachActivity(activity, () => go("stream", true));
  if (opts.pageTitle) {
    // The tab says what the pill says about ductor's link, also when that came from history, not a live row.
    showPresence(scope.child(), activity, fleet ? `${fleet.server} · ductor` : "ductor", {
      down: () => upstream !== "connected",
      subscribe: (listener) => {
        upstreamListeners.add(listener);
        return () => upstreamListeners.delete(listener);
      },
    });
  }
  scope.interval(() => {
    const now = Date.now();
    paintBadge(now);
    for (const r of ROUTES) views[r].tick?.(now);
  }, 1_000);
  scope.register(() => el.remove());

  installShortcuts(el, scope.child(), {
    route: () => route,
    run(action): boolean {
      switch (action.kind) {
        case "route":
          // Hash routing: through the address bar, so the view can be bookmarked and Back works, as with the links.
          if (opts.routing === "hash") location.hash = `${prefix}${action.route}`;
          else go(action.route, true);
          return true;
        case "find": {
          const input = views[route].el.querySelector<HTMLInputElement>(".find .find-input");
          input?.focus();
          input?.select();
          return input !== null;
        }
        case "leave-field": {
          const field = document.activeElement;
          // Escape in a find field first clears it (its own handler); once empty, it gives the keys back.
          if (!(field instanceof HTMLInputElement) || field.value !== "") return false;
          field.blur();
          return true;
        }
        default:
          return route === "stream" && streamView.command(action.kind);
      }
    },
  });

  go(route);

  return {
    el,
    get route() {
      return route;
    },
    go: (r: Route) => go(r, true),
  };
}
