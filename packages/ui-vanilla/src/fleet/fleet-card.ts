/**
 * One ductor's card on the fleet overview: its link, what it is doing, its last line of output, quiet or working,
 * and its cost today; signed out, a sign-in form for that ductor only. A thin DOM shell: the words come from
 * card-state.ts, last-line.ts and cost-today.ts. Each card has its own client, stream and timers, in its own
 * scope, so one ductor going down touches only its card, and everything of a card ends with it.
 */
import { type ActivityTracker, ActivityState, createActivityTracker } from "@ductor/dashboard-client";
import { createLive, type LinkState, type LiveSink } from "../app/live.js";
import type { Scope } from "../app/scope.js";
import type { Client } from "../app/types.js";
import { h } from "../dom.js";
import { cardLink, workState } from "./card-state.js";
import { formatCost } from "./cost-today.js";
import { serverHashPrefix } from "./fleet-route.js";
import { LastLine } from "./last-line.js";
import { createSignInForm } from "./sign-in-form.js";
import { readCostToday } from "./usage.js";

export interface FleetCardOptions {
  server: string;
  /** Its token, or null: the card then shows the sign-in form. */
  token: string | null;
  /** Why it is signed out, when the person did not choose it (a refused token). */
  reason?: string | null;
  createClient(token: string): Client;
  /** The person signed in on this card (keep the token), or the ductor refused the token it had (forget it). */
  onToken(token: string | null, remember: boolean): void;
  /** Open this ductor's full app. */
  open(): void;
  /** Called after each repaint (the overview's count of agents at work follows the cards). */
  painted?: () => void;
}

export interface FleetCard {
  readonly el: HTMLElement;
  /** Repaint what moves with time (durations, the reconnect countdown). */
  tick(now: number): void;
  /** Whether its agent is at work now (for the page title). */
  readonly working: boolean;
  /** Put the focus on the sign-in form, if it shows one. */
  focusSignIn(): void;
}

/** How often a card asks for today's cost again. */
const COST_REFRESH_MS = 60_000;
/** Events of recent history read for the last line when a card opens (enough to hold a line). */
const RECENT_EVENTS = 200;

export function createFleetCard(scope: Scope, opts: FleetCardOptions): FleetCard {
  const { server } = opts;
  const name = h("a", { class: "fleet-card-name", href: `${serverHashPrefix(server)}stream` }, server);
  const linkText = h("span", { class: "fleet-link-text" }, "");
  // Not announced: a reconnect countdown changes every second, on every card at once.
  const linkBadge = h(
    "span",
    { class: "fleet-link", role: "status", "aria-live": "off" },
    h("span", { class: "dot", "aria-hidden": "true" }),
    linkText,
  );
  const activityEl = h("p", { class: "fleet-activity" });
  const lastEl = h("p", { class: "fleet-last-line", title: "" });
  const workEl = h("span", { class: "fleet-work" });
  const costEl = h("span", { class: "fleet-cost", title: "Spent today (since local midnight), from the relay's usage history" }, "today —");
  const body = h("div", { class: "fleet-card-body" });
  const el = h(
    "article",
    { class: "fleet-card", "data-server": server, "aria-label": server },
    h("header", { class: "fleet-card-head" }, h("h2", null, name), linkBadge),
    activityEl,
    lastEl,
    h("footer", { class: "fleet-card-foot" }, workEl, costEl),
    body,
  );
  // A click anywhere on a card opens it, except in its form or on its own link (which opens it by itself).
  el.addEventListener(
    "click",
    (ev) => {
      const target = ev.target as Element | null;
      if (target?.closest("form, a, button, input, label")) return;
      if (getSelection()?.toString()) return; // selecting the last line to copy it is not a click to open
      opts.open();
    },
    { signal: scope.signal },
  );
  name.addEventListener(
    "click",
    (ev) => {
      ev.preventDefault();
      opts.open();
    },
    { signal: scope.signal },
  );

  /** What the current token's connection started; replaced whole on sign-in and sign-out. */
  let session: Scope | null = null;
  let token = opts.token;
  let link: LinkState = { kind: "connecting" };
  let upstream: string | null = null;
  /**
   * What the relay's recent history says the agent was doing when the card opened. The live tracker starts at the
   * card's open and saw none of it: without this, a ductor quiet since yesterday or stopped an hour ago would read
   * "Quiet since <now>". The tracker takes over at the first live event, or when the link changes.
   */
  let fromHistory: ActivityState | null = null;
  let tracker: ActivityTracker | null = null;
  let last = new LastLine();
  let cost: number | null = null;
  let form: HTMLFormElement | null = null;
  let frame = 0;

  const paint = (now = Date.now()): void => {
    // A paint on the second's tick takes the place of one waiting for the next frame.
    cancelAnimationFrame(frame);
    frame = 0;
    if (scope.disposed) return;
    const state = cardLink({ signedIn: token !== null, link, upstream }, now);
    setText(linkText, state.text);
    el.dataset["link"] = state.kind;
    linkBadge.dataset["state"] = state.kind;
    const activity = token === null || !tracker ? "" : (fromHistory?.describe(now) ?? tracker.describe(now));
    setText(activityEl, activity);
    activityEl.hidden = !activity;
    const work = token !== null && tracker && state.kind === "live" ? workState(fromHistory?.at(now) ?? tracker.activity) : "unknown";
    el.dataset["work"] = work;
    setText(workEl, work === "unknown" ? "" : work);
    const line = token !== null ? last.line : "";
    setText(lastEl, line || (token !== null ? "no output yet" : ""));
    lastEl.dataset["empty"] = line ? "false" : "true";
    lastEl.hidden = token === null;
    lastEl.title = line;
    setText(costEl, `today ${formatCost(cost)}`);
    costEl.hidden = token === null;
    opts.painted?.();
  };
  // Text arrives in many small pieces: paint once per frame at most.
  const schedulePaint = (): void => {
    if (frame === 0) frame = requestAnimationFrame(() => paint());
  };
  scope.register(() => cancelAnimationFrame(frame));

  const showSignIn = (reason: string | null): void => {
    form = createSignInForm(session ?? scope, {
      server,
      reason,
      createClient: opts.createClient,
      onSignedIn(tok, remember) {
        opts.onToken(tok, remember);
        // Signing in may have moved the page on (a bookmark of this ductor's view opens): nothing to connect then.
        if (!scope.disposed) connect(tok);
      },
    });
    body.replaceChildren(form);
  };

  const signOut = (reason: string | null): void => {
    session?.dispose();
    session = scope.child();
    token = null;
    tracker = null;
    showSignIn(reason);
    paint();
  };

  const refreshCost = (client: Client, signal: AbortSignal): void => {
    readCostToday(client, signal).then(
      (usd) => {
        if (signal.aborted) return;
        cost = usd;
        schedulePaint();
      },
      () => {
        /* keep what shows; the next refresh tries again */
      },
    );
  };

  function connect(tok: string): void {
    session?.dispose();
    const s = scope.child();
    session = s;
    token = tok;
    link = { kind: "connecting" };
    upstream = null;
    fromHistory = null;
    last = new LastLine();
    cost = null;
    form = null;
    body.replaceChildren();
    const client = opts.createClient(tok);
    let costPolling = false;
    const liveEvent = (): void => {
      fromHistory = null;
      schedulePaint();
    };
    // Anything between two pieces of text ends a message: the next starts a line of its own on the card.
    const between = (): void => {
      last.boundary();
      liveEvent();
    };
    const sink: LiveSink = {
      text(data) {
        last.push(data);
        liveEvent();
      },
      tool: between,
      status: between,
      gapStart: () => last.boundary(),
      gapEnd() {},
      link(state) {
        link = state;
        if (state.kind !== "open") fromHistory = null;
        schedulePaint();
      },
      upstream(state) {
        upstream = state;
        last.boundary();
        liveEvent();
      },
    };
    const live = createLive(
      client,
      sink,
      () => {
        // The ductor refused the token it had: forget it (never retried), and ask for another on this card only.
        if (s.disposed) return;
        opts.onToken(null, false);
        queueMicrotask(() => signOut(`${server} refused the token; sign in again.`));
      },
      {
        // A relay says what it holds: read the recent end of it for the last line and the relay's link to ductor,
        // so a card opened on a quiet or stopped ductor says so at once. Live events wait until this is done.
        onRelayOpen: async (relay) => {
          // Only a relay has cost history: a ductor serve merely proxies would answer 404 every minute.
          refreshCost(client, s.signal);
          if (!costPolling) {
            costPolling = true;
            s.interval(() => refreshCost(client, s.signal), COST_REFRESH_MS);
          }
          try {
            const page = await client.history.page({ before: relay.head + 1 }, { limit: RECENT_EVENTS, signal: s.signal, maxRetries: 0 });
            const now = Date.now();
            const state = new ActivityState();
            for (const event of page.events) {
              if (event.type === "text_delta") last.push(event.data ?? "");
              else last.boundary();
              if (event.type === "upstream") upstream = event.data;
              state.apply(event, now);
            }
            if (page.events.length > 0) fromHistory = state;
          } catch {
            /* history is a bonus here: live output still fills the card */
          }
        },
      },
    );
    s.register(() => live.close());
    const t = createActivityTracker(live.stream);
    tracker = t;
    s.register(() => t.dispose());
    s.register(t.subscribe(schedulePaint));
    paint();
  }

  if (token !== null) connect(token);
  else signOut(opts.reason ?? null);

  return {
    el,
    tick: (now) => paint(now),
    get working() {
      return el.dataset["work"] === "working";
    },
    focusSignIn() {
      form?.querySelector("input")?.focus();
    },
  };
}

function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
