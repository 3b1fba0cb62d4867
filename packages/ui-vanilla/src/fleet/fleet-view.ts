/**
 * The fleet overview: a card per ductor behind this relay. Each card lives in its own child scope (its client,
 * stream, timers, listeners), so this view's scope ending ends all of them.
 */
import type { Scope } from "../app/scope.js";
import type { Client } from "../app/types.js";
import { h } from "../dom.js";
import { createFleetCard, type FleetCard } from "./fleet-card.js";

export interface FleetViewOptions {
  servers: readonly string[];
  /** The token held for a ductor, or null. */
  token(server: string): string | null;
  /** Keep (or with null, forget) a ductor's token. */
  setToken(server: string, token: string | null, remember: boolean): void;
  /** Why a ductor's card is signed out, when it was not the person's choice. */
  reasons: ReadonlyMap<string, string>;
  /** A ductor whose sign-in should have the focus (a bookmark to it was opened without its token). */
  focus?: string | null;
  /** A line above the cards: a bookmark waiting for a sign-in, or a link or address the page could not follow. */
  notice?: string | null;
  createClient(server: string, token: string): Client;
  open(server: string): void;
  /** The page is the dashboard: its title counts the agents at work. */
  pageTitle?: boolean;
}

export interface FleetView {
  readonly el: HTMLElement;
  /** Replace (or with null, remove) the line above the cards. */
  setNotice(text: string | null): void;
}

export function createFleetView(scope: Scope, opts: FleetViewOptions): FleetView {
  const cards: FleetCard[] = [];
  let ready = false;
  const summary = h("span", { class: "fleet-summary muted", role: "status", "aria-live": "off" });
  const list = h("ul", { class: "fleet-grid", "aria-label": "Ductors" });
  // Said once when the overview opens (a polite live region: the focus may be on a card's sign-in meanwhile).
  const notice = h("p", { class: "banner banner-info fleet-notice", role: "status" });
  const setNotice = (text: string | null): void => {
    notice.textContent = text ?? "";
    notice.hidden = !text;
  };
  setNotice(opts.notice ?? null);
  for (const server of opts.servers) {
    const card = createFleetCard(scope.child(), {
      server,
      token: opts.token(server),
      reason: opts.reasons.get(server) ?? null,
      createClient: (token) => opts.createClient(server, token),
      onToken: (token, remember) => opts.setToken(server, token, remember),
      open: () => opts.open(server),
      painted: () => {
        if (ready) summarize();
      },
    });
    cards.push(card);
    list.appendChild(h("li", null, card.el));
  }
  const el = h(
    "div",
    { class: "shell fleet" },
    h(
      "header",
      { class: "topbar" },
      h("a", { class: "brand", href: "#/" }, h("span", { class: "brand-mark", "aria-hidden": "true" }, "◆"), "ductor"),
      h("span", { class: "fleet-topbar-title" }, "Fleet"),
      h("div", { class: "topbar-end" }, summary),
    ),
    h(
      "main",
      { class: "views" },
      h(
        "div",
        { class: "view fleet-view" },
        h("header", { class: "view-header" }, h("h1", { id: "dd-h-fleet", tabindex: -1 }, "All ductors")),
        notice,
        list,
      ),
    ),
  );
  scope.register(() => el.remove());

  const originalTitle = document.title;
  if (opts.pageTitle) scope.register(() => (document.title = originalTitle));
  const summarize = (): void => {
    const working = cards.filter((c) => c.working).length;
    const text = `${opts.servers.length} ductors · ${working} working`;
    if (summary.textContent !== text) summary.textContent = text;
    if (opts.pageTitle) document.title = working > 0 ? `● ${working} working · ductor` : "Fleet · ductor";
  };
  const tick = (now: number): void => {
    for (const card of cards) card.tick(now);
    summarize();
  };
  ready = true;
  tick(Date.now());
  scope.interval(() => tick(Date.now()), 1_000);
  if (opts.focus) {
    const card = cards[opts.servers.indexOf(opts.focus)];
    queueMicrotask(() => card?.focusSignIn());
  }
  return { el, setNotice };
}
