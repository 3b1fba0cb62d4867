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
  return {
    el,
    heading,
    error,
    ok(now: number = Date.now()): void {
      lastOk = now;
      error.hidden = true;
      error.textContent = "";
      updated.textContent = `updated ${formatAge(lastOk, now)}`;
    },
    fail(text: string): void {
      error.textContent = lastOk ? `${text} Showing data from ${formatAge(lastOk)}.` : text;
      error.hidden = false;
    },
    tick(now: number): void {
      if (lastOk) updated.textContent = `updated ${formatAge(lastOk, now)}`;
    },
  };
}
