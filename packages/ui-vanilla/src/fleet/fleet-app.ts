/**
 * Several ductors in one page (`ductor-dashboard serve` with several `--ductor name=URL`): the fleet overview
 * first, and one ductor's full app (the same shell as for a single ductor, with a client for that name) when a
 * card is opened. One of the two is on screen at a time, in its own scope: leaving it ends its sockets and timers.
 *
 * With hash routing the address bar says which (fleet-route.ts), so a ductor's view can be bookmarked and Back
 * returns to the overview. Tokens are per ductor (app/storage.ts): a token for one never signs another in.
 */
import { forgetServerToken, loadServerToken, saveServerToken, takeServerTokenFromUrl, takeTokenFromUrl } from "../app/storage.js";
import type { Scope } from "../app/scope.js";
import { createShell, type ShellOptions } from "../app/shell.js";
import type { Client, Route } from "../app/types.js";
import { createFleetView, type FleetView } from "./fleet-view.js";
import { FLEET_HASH, invalidServerInHash, parseFleetHash, ROUTE_NAMES, serverHashPrefix, type FleetLocation } from "./fleet-route.js";

export interface FleetAppOptions {
  /** The relay's ductors, by name, in its order. */
  servers: readonly string[];
  routing: "hash" | "memory";
  /** Keep tokens in storage (off: this page's memory only). */
  persist: boolean;
  createClient(server: string, token: string): Client;
  /** A `#server=<name>&token=…` link's token: used for that ductor, stored only once it accepts it. */
  linkToken?: { server: string; token: string } | null;
  shell: Pick<ShellOptions, "scrollbackChars" | "streamOptions" | "pageTitle">;
}

/** Start the fleet app in `root`; it ends with `scope`. */
export function startFleetApp(root: HTMLElement, scope: Scope, opts: FleetAppOptions): void {
  const { servers } = opts;
  /** Tokens this page holds, by ductor: storage is read once per name, and may be unavailable. */
  const tokens = new Map<string, string | null>();
  const reasons = new Map<string, string>();
  let pendingLink = opts.linkToken && servers.includes(opts.linkToken.server) ? opts.linkToken : null;
  let phase: Scope | null = null;
  /** The ductor whose app is on screen, or null for the overview. */
  let current: string | null | undefined;
  let fleetView: FleetView | null = null;
  /** What the overview says above its cards, once: a bookmark or a link it could not follow. */
  let notice: string | null = null;
  /**
   * A bookmarked view of a ductor this page held no token for (`#/s/work/logs`): the address keeps it, and it opens
   * as soon as that ductor's card signs in.
   */
  let wanted: { server: string; route: Route | null } | null = null;

  const quoted = (name: string): string => `“${name.length > 40 ? `${name.slice(0, 39)}…` : name}”`;
  const theirNames = (): string => (servers.length > 6 ? `${servers.slice(0, 6).join(", ")}…` : servers.join(", "));
  const noSuchDuctor = (name: string): string => `No ductor named ${quoted(name)} here. This dashboard has ${theirNames()}.`;
  const notOurLink = (name: string): string =>
    `The link's server name ${quoted(name)} is not one of this dashboard's (${theirNames()}); its token was not used. Sign in on a card below.`;

  const tokenOf = (server: string): string | null => {
    if (!tokens.has(server)) tokens.set(server, opts.persist ? (loadServerToken(server)?.token ?? null) : null);
    return tokens.get(server) ?? null;
  };
  const setToken = (server: string, token: string | null, remember: boolean): void => {
    tokens.set(server, token);
    if (token !== null) reasons.delete(server);
    if (opts.persist) {
      if (token === null) forgetServerToken(server);
      else saveServerToken(server, token, remember);
    }
  };
  /** A card signed in (or lost its token): a bookmark that waited for that ductor opens now. */
  const cardToken = (server: string, token: string | null, remember: boolean): void => {
    setToken(server, token, remember);
    if (token === null || wanted?.server !== server) return;
    const route = wanted.route ?? "status";
    wanted = null;
    const hash = `${serverHashPrefix(server)}${route}`;
    // The address already names it (it kept the bookmark): no hashchange would come.
    if (opts.routing === "hash" && location.hash !== hash) location.hash = hash;
    else showServer(server, route);
  };

  const nextPhase = (): Scope => {
    phase?.dispose();
    phase = scope.child();
    return phase;
  };

  /** Put the address bar on `hash` without a hashchange (it follows what is shown, it does not ask for it). */
  const replaceHash = (hash: string): void => {
    if (opts.routing !== "hash" || location.hash === hash) return;
    try {
      history.replaceState(history.state, "", `${location.pathname}${location.search}${hash}`);
    } catch {
      /* the hash stays; nothing depends on it */
    }
  };

  function showFleet(focus: string | null = null): void {
    if (scope.disposed) return;
    current = null;
    const said = notice;
    notice = null;
    const view = createFleetView(nextPhase(), {
      servers,
      token: tokenOf,
      setToken: cardToken,
      reasons,
      focus,
      notice: said,
      createClient: opts.createClient,
      open,
      pageTitle: opts.shell.pageTitle === true,
    });
    fleetView = view;
    root.appendChild(view.el);
  }

  function showServer(server: string, route: Route | null): void {
    if (scope.disposed) return;
    // A link's token is tried first; it replaces the stored one only once the ductor accepts it.
    const link = pendingLink?.server === server ? pendingLink : null;
    pendingLink = null;
    const token = link?.token ?? tokenOf(server);
    if (token === null) {
      // A bookmark to a ductor this browser holds no token for: its card asks for one, the address keeps the
      // bookmark, and that view opens once the card signs in.
      wanted = { server, route };
      notice = `Sign in to ${server} to open its ${ROUTE_NAMES[route ?? "status"]}.`;
      return showFleet(server);
    }
    wanted = null;
    current = server;
    const phaseScope = nextPhase();
    const leave = (): void => {
      replaceHash(FLEET_HASH);
      showFleet();
    };
    const shell = createShell(
      {
        ...opts.shell,
        client: opts.createClient(server, token),
        routing: opts.routing,
        initialRoute: route ?? "status",
        routePrefix: serverHashPrefix(server),
        pageTitle: opts.shell.pageTitle === true,
        fleet: { server, back: () => go(FLEET_HASH, leave) },
        onAccepted() {
          if (link) setToken(server, link.token, false);
        },
        onRefused(reason) {
          // Nothing retries. A refused stored token is dropped; a refused link's token was never stored, and the
          // token stored before it stays. The card says why.
          if (!link) setToken(server, null, false);
          reasons.set(server, `${server}: ${reason}`);
          queueMicrotask(() => {
            if (!phaseScope.disposed) leave();
          });
        },
        onSignOut() {
          setToken(server, null, false);
          leave();
        },
      },
      phaseScope,
    );
    root.appendChild(shell.el);
  }

  /** Hash routing goes through the address bar (so Back works); memory routing calls `show` directly. */
  function go(hash: string, show: () => void): void {
    if (opts.routing === "hash") location.hash = hash;
    else show();
  }

  function open(server: string): void {
    go(`${serverHashPrefix(server)}stream`, () => showServer(server, "stream"));
  }

  function showLocation(where: FleetLocation): void {
    if (where.server !== null && servers.includes(where.server)) return showServer(where.server, where.route);
    wanted = null;
    // A name this relay does not serve (or that no relay could): said on the overview, not silently dropped.
    const asked = where.server ?? invalidServerInHash(location.hash);
    if (asked !== null) {
      notice = noSuchDuctor(asked);
      replaceHash(FLEET_HASH);
    }
    showFleet();
  }

  /** A `#server=…&token=…` link naming no ductor of this relay: its token is out of the address bar already. */
  function refuseLink(server: string): void {
    notice = notOurLink(server);
    wanted = null;
    replaceHash(FLEET_HASH);
  }

  if (opts.routing === "hash") {
    window.addEventListener(
      "hashchange",
      () => {
        // A `#server=…&token=…` link opened in this tab: out of the address bar at once, then as on a fresh load.
        const link = takeServerTokenFromUrl();
        if (link && servers.includes(link.server)) {
          pendingLink = link;
          return showServer(link.server, "stream");
        }
        if (link) {
          refuseLink(link.server);
          return showFleet();
        }
        // A single ductor's `#token=…` pasted here says whose it is not: it leaves the address bar, unused.
        if (takeTokenFromUrl() !== null) {
          replaceHash(FLEET_HASH);
          return showFleet();
        }
        const where = parseFleetHash(location.hash);
        // Within one ductor's app its shell follows the hash itself; only a change of ductor swaps the phase.
        if (where.server === current && where.server !== null) return;
        if (where.server === null && current === null && invalidServerInHash(location.hash) === null) {
          // Back on the overview's own address: a bookmark that waited for a sign-in is given up.
          if (wanted) {
            wanted = null;
            fleetView?.setNotice(null);
          }
          return;
        }
        showLocation(where);
      },
      { signal: scope.signal },
    );
    if (opts.linkToken && !pendingLink) refuseLink(opts.linkToken.server);
    showLocation(parseFleetHash(location.hash));
  } else if (pendingLink) showServer(pendingLink.server, "stream");
  else {
    if (opts.linkToken) refuseLink(opts.linkToken.server);
    showFleet();
  }
}
