import type { ErrorBanner } from "../app/failure.js";
import { h } from "../dom.js";
import { formatAge } from "../format.js";

/**
 * A view's heading row: title, "updated N s ago", and an error line that a later success clears. It is the
 * view's ErrorBanner: a failure keeps the last data on screen and says how old it is.
 */
export interface ViewHeader extends ErrorBanner {
  readonly el: HTMLElement;
  readonly heading: HTMLElement;
  /** The error line; place it where the view wants it. */
  readonly error: HTMLElement;
  tick(now: number): void;
}

export function createViewHeader(title: string, id: string): ViewHeader {
  const heading = h("h1", { id, tabindex: -1 }, title);
  const updated = h("span", { class: "updated muted", "aria-live": "off" }, "loading…");
  const error = h("p", { class: "banner banner-error", role: "alert", hidden: true });
  const el = h("header", { class: "view-header" }, heading, updated);
  let lastOk = 0;
  /** The last request failed: what is on screen (if anything) is stale, and "loading…" would be untrue. */
  let failing = false;
  const paint = (now: number): void => {
    updated.textContent = !lastOk ? (failing ? "no data" : "loading…") : `${failing ? "stale · " : ""}updated ${formatAge(lastOk, now)}`;
    if (failing) el.dataset["state"] = lastOk ? "stale" : "failed";
    else delete el.dataset["state"];
  };
  return {
    el,
    heading,
    error,
    ok(now: number = Date.now()): void {
      lastOk = now;
      failing = false;
      error.hidden = true;
      error.textContent = "";
      paint(now);
    },
    fail(text: string): void {
      failing = true;
      error.textContent = lastOk ? `${text} Showing data from ${formatAge(lastOk)}.` : text;
      error.hidden = false;
      paint(Date.now());
    },
    tick(now: number): void {
      if (lastOk) paint(now);
    },
  };
}
