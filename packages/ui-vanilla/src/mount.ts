import { DashboardClient } from "@ductor/dashboard-client";
import { createScope, type Scope } from "./app/scope.js";
import { createShell } from "./app/shell.js";
import {
  forgetToken,
  loadBaseUrl,
  loadFlag,
  loadSaved,
  saveFlag,
  saveToken,
  takeServerTokenFromUrl,
  takeTokenFromUrl,
} from "./app/storage.js";
import type { Client, Route } from "./app/types.js";
import { h } from "./dom.js";
import { askServers, type DiscoveredServer } from "./fleet/discover.js";
import { startFleetApp } from "./fleet/fleet-app.js";
import { parseFleetHash } from "./fleet/fleet-route.js";
import { createRecordingOpener, forgetRecordingHash, type LoadedRecording, openRecordingFromUrl } from "./recording/open.js";
import { createRecordingPlayer } from "./recording/player-view.js";
import { recordingPathFromHash } from "./recording/source.js";
import { createConnectView } from "./views/connect.js";

export type MountSource =
  | { client: Client }
  | { baseUrl?: string; token: string }
  | { baseUrl?: string; token?: undefined }
  | Record<string, never>;

export interface MountOptions {
  /** "hash" (default): views live at #/status, #/stream, #/sessions, #/logs. "memory": no URL changes. */
  routing?: "hash" | "memory";
  /** First view when the URL names none. Default "status" ("stream" after a #token= link). */
  initialRoute?: Route;
  /** Characters of live output kept on screen. Default 2,000,000. */
  scrollbackChars?: number;
  /**
   * Read a `#token=` (or `#server=<name>&token=` for one ductor of several) from the address bar, and remove it at
   * once. Default true when no token is given.
   */
  tokenFromUrl?: boolean;
  /** Keep tokens entered in the connect form in storage (default true). */
  persistToken?: boolean;
  /** Passed to client.stream(). */
  streamOptions?: Parameters<Client["stream"]>[0];
  /**
   * The page is the dashboard (the static site does this): its title and favicon show whether the agent works, is
   * quiet or is cut off. Default false: a dashboard mounted into another page leaves that page's title alone.
   */
  pageTitle?: boolean;
  /**
   * Build the client for a URL and token (default: new DashboardClient). `server`: one ductor's name behind a relay
   * that serves several (pass it on as DashboardClient's `server` option).
   */
  createClient?: (baseUrl: string, token: string, server?: string) => Client;
}

export interface MountedDashboard {
  destroy(): void;
}

function defaultBaseUrl(): string {
  return globalThis.location?.origin && globalThis.location.origin !== "null" ? globalThis.location.origin : "http://127.0.0.1:8741";
}

/**
 * Mount the dashboard into `element`. Without a client or token it asks the server which ductors it serves: several
 * show the fleet overview, one (or a plain ductor) the app as always, or the connect form without a token.
 */
export function mount(element: HTMLElement, source: MountSource = {}, options: MountOptions = {}): MountedDashboard {
  const routing = options.routing ?? "hash";
  const persist = options.persistToken !== false;
  const make =
    options.createClient ??
    ((baseUrl: string, token: string, server?: string) =>
      new DashboardClient({ baseUrl, token, ...(server === undefined ? {} : { server }) }));
  const root = h("div", { class: "ductor-dashboard" });
  element.appendChild(root);
  const mounted = createScope();
  mounted.register(() => root.remove());
  /** What is on screen now (the connect form or the app); replaced as a whole. */
  let phase: Scope | null = null;
  let baseUrl = (source as { baseUrl?: string }).baseUrl ?? loadBaseUrl() ?? defaultBaseUrl();

  const nextPhase = (): Scope => {
    phase?.dispose();
    phase = mounted.child();
    return phase;
  };

  function showConnect(reason: string | null): void {
    if (mounted.disposed) return;
    const scope = nextPhase();
    const connect = createConnectView(scope, {
      baseUrl,
      reason,
      remember: false,
      createClient: make,
      // A 404 from the address given may be a dashboard serving several ductors (their APIs are under /s/<name>/):
      // a first visit with no link and no token learns it here, and shows the fleet instead.
      async onNotFound(url) {
        const servers = (await askServers(url, scope.signal)) ?? [];
        if (scope.disposed || servers.length < 2) return false;
        baseUrl = url;
        startFleet(servers, null);
        return true;
      },
      onConnected(client, creds) {
        baseUrl = creds.baseUrl;
        if (persist) saveToken(creds.token, creds.baseUrl === defaultBaseUrl() ? null : creds.baseUrl, creds.remember);
        startApp(client, true);
      },
      // No server needed: a recording file (picked, dropped) replays in the page.
      extra: createRecordingOpener(scope, { onOpen: showRecording }).el,
    });
    root.appendChild(connect.el);
  }

  /** The recording player (no server is asked anything); Close goes back to the connect form. */
  function showRecording(loaded: LoadedRecording): void {
    if (mounted.disposed) return;
    const scope = nextPhase();
    const player = createRecordingPlayer(scope, loaded, {
      scrollbackChars: options.scrollbackChars,
      onClose() {
        forgetRecordingHash();
        showConnect(null);
      },
    });
    root.appendChild(player.el);
  }

  /**
   * `unconfirmed`: a token from a `#token=` link, stored only once the server has accepted it. Anyone can
   * send a link; a wrong token in it must not sign the person out of the token they had remembered.
   */
  function startApp(
    client: Client,
    canSignOut: boolean,
    initialRoute?: Route,
    unconfirmed?: { token: string; baseUrl: string | null },
  ): void {
    if (mounted.disposed) return;
    const scope = nextPhase();
    let pending = unconfirmed ?? null;
    const shell = createShell(
      {
        client,
        routing,
        initialRoute: initialRoute ?? options.initialRoute,
        scrollbackChars: options.scrollbackChars,
        streamOptions: options.streamOptions,
        pageTitle: options.pageTitle === true,
        onAccepted() {
          if (pending && persist) saveToken(pending.token, pending.baseUrl, false);
          pending = null;
        },
        onRefused(reason) {
          // Nothing retries: the stored token is dropped and the form comes back with the reason. A refused link
          // token was never stored, and what was stored before it stays.
          if (canSignOut && !pending) forgetToken();
          queueMicrotask(() => showConnect(reason));
        },
        onSignOut: canSignOut
          ? () => {
              forgetToken();
              showConnect(null);
            }
          : undefined,
      },
      scope,
    );
    root.appendChild(shell.el);
  }

  if ("client" in source && source.client) {
    startApp(source.client, false);
  } else if (typeof (source as { token?: unknown }).token === "string" && (source as { token: string }).token) {
    startApp(make(baseUrl, (source as { token: string }).token), false);
  } else {
    // `#recording=/x.jsonl` typed into the address bar of an open tab: that file, replayed, whatever was shown.
    if (routing === "hash") {
      window.addEventListener(
        "hashchange",
        () => {
          const path = recordingPathFromHash(location.hash);
          if (path !== null) root.appendChild(openRecordingFromUrl(nextPhase(), path, { loaded: showRecording, failed: showConnect }));
        },
        { signal: mounted.signal },
      );
    }
    // `#recording=/x.jsonl`: that file from this site, replayed, before (and instead of) any server.
    const recording = routing === "hash" ? recordingPathFromHash(location.hash) : null;
    if (recording !== null) {
      root.appendChild(openRecordingFromUrl(nextPhase(), recording, { loaded: showRecording, failed: showConnect }));
    } else {
      // Tokens leave the address bar at once, before the server is asked anything.
      const takeLinks = options.tokenFromUrl !== false;
      const serverLink = takeLinks ? takeServerTokenFromUrl() : null;
      const fromUrl = takeLinks && !serverLink ? takeTokenFromUrl() : null;
      // Only a page with a reason to talk to a server asks which ductors it serves: a link, a token, a ductor's
      // address, a fleet seen here before, or a page sent by `serve` (which says so). A first plain visit to the
      // static site elsewhere shows the connect form at once and asks nothing (it is an offline recording player
      // there); the form finds a fleet on its 404.
      const reason =
        serverLink !== null ||
        fromUrl !== null ||
        parseFleetHash(location.hash).server !== null ||
        (persist && loadSaved() !== null) ||
        loadFlag(FLEET_FLAG) ||
        servedByDashboardServer();
      if (!reason) startSingle(null);
      else {
        const discovering = nextPhase();
        root.appendChild(discoveringNote(discovering));
        askServers(baseUrl, discovering.signal).then((listed) => {
          if (discovering.disposed) return;
          const servers = listed ?? [];
          if (servers.length > 1) return startFleet(servers, serverLink);
          // Only an answer says this is no fleet: a server that could not be asked may be a slow one.
          if (listed !== null) saveFlag(FLEET_FLAG, false);
          // One ductor: today's app. A `#server=` link is its token only when the listing names exactly that ductor:
          // otherwise (no answer, a plain ductor, another name) the token was meant for a ductor this page is not
          // talking to, perhaps at a saved address elsewhere, and is not sent. A bookmark of the fleet form
          // (`#/s/home/logs`) is that view.
          const single = parseFleetHash(location.hash);
          if (routing === "hash" && single.server !== null) replaceHashKeepingRoute(single.route);
          const linkFits = serverLink !== null && servers.length === 1 && servers[0]?.name === serverLink.server;
          startSingle(fromUrl ?? (linkFits ? serverLink.token : null));
        });
      }
    }
  }

  /** Several ductors behind this relay: the fleet overview, or the ductor the address names. */
  function startFleet(servers: readonly DiscoveredServer[], serverLink: { server: string; token: string } | null): void {
    saveFlag(FLEET_FLAG, true);
    startFleetApp(root, nextPhase(), {
      servers: servers.map((s) => s.name),
      routing,
      persist,
      createClient: (server, token) => make(baseUrl, token, server),
      linkToken: serverLink,
      shell: { scrollbackChars: options.scrollbackChars, streamOptions: options.streamOptions, pageTitle: options.pageTitle === true },
    });
  }

  /** One ductor (a plain ductor, or a relay with one): `linkToken` from the address bar, else the stored token. */
  function startSingle(fromUrl: string | null): void {
    if (fromUrl) {
      startApp(make(baseUrl, fromUrl), true, options.initialRoute ?? "stream", {
        token: fromUrl,
        baseUrl: (source as { baseUrl?: string }).baseUrl ?? null,
      });
    } else {
      const saved = persist ? loadSaved() : null;
      if (saved) {
        if (saved.baseUrl) baseUrl = saved.baseUrl;
        startApp(make(baseUrl, saved.token), true);
      } else showConnect(null);
    }
  }

  return {
    destroy: () => mounted.dispose(),
  };
}

/**
 * `ductor-dashboard serve` marks the page it sends (`<meta name="ductor-dashboard-servers">`): there, asking which
 * ductors it serves always has an answer, so a first visit to a fleet shows the fleet, not a form that cannot work.
 */
function servedByDashboardServer(): boolean {
  return globalThis.document?.querySelector('meta[name="ductor-dashboard-servers"]') != null;
}

/** Set once this browser saw a fleet here: later visits ask for the list of ductors first. */
const FLEET_FLAG = "fleet";

/** Shown while the server is asked which ductors it serves (one short request). */
function discoveringNote(scope: Scope): HTMLElement {
  const el = h("p", { class: "dd-discovering muted", role: "status" }, "Connecting…");
  scope.register(() => el.remove());
  return el;
}

/** `#/s/home/logs` on a single ductor is `#/logs`. */
function replaceHashKeepingRoute(route: Route | null): void {
  try {
    history.replaceState(history.state, "", `${location.pathname}${location.search}#/${route ?? "stream"}`);
  } catch {
    /* the shell then opens its default view */
  }
}
