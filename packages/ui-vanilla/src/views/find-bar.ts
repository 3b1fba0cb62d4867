import { h } from "../dom.js";
import type { Finder, FindState } from "../render/find.js";

export interface FindBarOptions {
  /** Placeholder and accessible name of the search field. */
  placeholder: string;
  label: string;
  finder: Finder;
  /** Called before every search or step, e.g. to render text still waiting for the next frame. */
  beforeSearch?: () => void;
}

export interface FindBar {
  el: HTMLElement;
  /** Forget the matches and their count (the searched text changed wholesale: cleared, or another file opened). */
  reset(): void;
  /** Search the current text again with the query in the field (after new text replaced the old). */
  rerun(): void;
  destroy(): void;
}

/** Typing waits this long before searching, so a large text is not searched once per keystroke. */
const SEARCH_DEBOUNCE_MS = 150;

/**
 * The find controls shared by the stream and log views: a search field (Enter / Shift+Enter step through the
 * matches, Escape clears), previous/next buttons and a live match count.
 */
export function createFindBar({ placeholder, label, finder, beforeSearch = () => {} }: FindBarOptions): FindBar {
  const input = h("input", { type: "search", class: "find-input", placeholder, "aria-label": label, spellcheck: "false" });
  const prevBtn = h(
    "button",
    { type: "button", class: "btn btn-icon", "aria-label": "Previous match", title: "Previous match (Shift+Enter)" },
    "↑",
  );
  const nextBtn = h("button", { type: "button", class: "btn btn-icon", "aria-label": "Next match", title: "Next match (Enter)" }, "↓");
  const count = h("span", { class: "find-count muted", "aria-live": "polite" });
  const el = h("div", { class: "toolbar-group find" }, input, prevBtn, nextBtn, count);

  const show = (s: FindState): void => {
    count.textContent = input.value ? (s.count ? `${s.index + 1} of ${s.count}${s.capped ? "+" : ""}` : "no matches") : "";
  };
  const step = (direction: "prev" | "next"): void => {
    beforeSearch();
    show(direction === "prev" ? finder.prev() : finder.next());
  };
  const clear = (): void => {
    finder.clear();
    show(finder.state);
  };
  const search = (): void => {
    beforeSearch();
    if (input.value) show(finder.search(input.value));
    else clear();
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  input.addEventListener("input", () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      search();
    }, SEARCH_DEBOUNCE_MS);
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      ev.preventDefault();
      step(ev.shiftKey ? "prev" : "next");
    } else if (ev.key === "Escape") {
      input.value = "";
      clear();
    }
  });
  prevBtn.addEventListener("click", () => step("prev"));
  nextBtn.addEventListener("click", () => step("next"));

  return {
    el,
    reset(): void {
      finder.clear();
      count.textContent = "";
    },
    rerun: search,
    destroy(): void {
      if (timer !== undefined) clearTimeout(timer);
      finder.clear();
    },
  };
}
