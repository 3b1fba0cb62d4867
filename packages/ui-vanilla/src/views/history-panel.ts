/**
 * Behind the recording relay: search across all of its history, the context around a hit, and export of
 * everything it retains as `.jsonl` (a mock-server recording) or `.md` (a transcript). Server text is only
 * ever set as text (`textContent`, text nodes), never parsed as HTML.
 */
import type { HistoryEvent, SearchHit } from "@ductor/dashboard-client";
import { elementBanner, reportFailure } from "../app/failure.js";
import type { Scope } from "../app/scope.js";
import type { AppContext } from "../app/types.js";
import { h } from "../dom.js";
import { formatClock } from "../format.js";

export interface HistoryPanel {
  /** The "Search history" button, for the stream toolbar; hidden until `enable()`. */
  readonly toggle: HTMLButtonElement;
  readonly el: HTMLElement;
  /** The server is a relay: offer the panel. */
  enable(): void;
}

/** Typing waits this long before asking the relay. */
const SEARCH_DEBOUNCE_MS = 250;
const SEARCH_LIMIT = 50;
/** The context around a hit: this many events before it, and this many in all. */
const CONTEXT_BEFORE = 20;
const CONTEXT_LIMIT = 60;

/** One stored event as a line of the context view. */
function eventText(event: HistoryEvent): string {
  if (event.type === "text_delta") return event.data ?? "";
  if (event.type === "tool_activity") return `\n[tool: ${event.data || "(unnamed tool)"}]\n`;
  if (event.type === "system_status") return event.data ? `\n[${event.data}]\n` : "";
  if (event.type === "upstream") return `\n[ductor ${event.data ?? ""} · ${formatClock(new Date(event.at))}]\n`;
  return "";
}

export function createHistoryPanel(ctx: AppContext, scope: Scope): HistoryPanel {
  const { client } = ctx;
  const toggle = h(
    "button",
    { type: "button", class: "btn", hidden: true, "aria-pressed": "false", "aria-controls": "dd-history-panel" },
    "Search history",
  );
  const input = h("input", {
    type: "search",
    class: "find-input",
    placeholder: "Search all history",
    "aria-label": "Search all history",
    spellcheck: "false",
  });
  const jsonlBtn = h("button", { type: "button", class: "btn" }, "Export .jsonl");
  const mdBtn = h("button", { type: "button", class: "btn" }, "Export .md");
  const info = h("span", { class: "feedback muted", role: "status" });
  const error = h("p", { class: "banner banner-error", role: "alert", hidden: true });
  const banner = elementBanner(error);
  const hits = h("ol", { class: "hp-hits", "aria-label": "Search results" });
  const context = h("pre", { class: "hp-context", hidden: true, "aria-label": "Context of the chosen result" });
  const el = h(
    "section",
    { class: "history-panel", id: "dd-history-panel", hidden: true, "aria-label": "Search history" },
    h("div", { class: "toolbar-group" }, input, jsonlBtn, mdBtn, info),
    error,
    hits,
    context,
  );

  /** The request in flight (search, context or export); a newer one aborts it. */
  let inFlight: AbortController | null = null;
  const begin = (): AbortSignal => {
    inFlight?.abort();
    inFlight = new AbortController();
    return AbortSignal.any([scope.signal, inFlight.signal]);
  };
  scope.register(() => inFlight?.abort());
  const fail = (err: unknown, endpoint: string, doing: string): void => {
    if (reportFailure(ctx, err, { endpoint, doing, banner }) === "reported") info.textContent = "";
  };

  const showHits = (list: readonly SearchHit[]): void => {
    hits.replaceChildren(
      ...list.map((hit) => {
        const row = h(
          "button",
          { type: "button", class: "hp-hit", "data-seq": hit.seq },
          h("span", { class: "hp-time muted" }, formatClock(new Date(hit.at))),
          " · ",
          h("span", { class: "hp-snippet" }, hit.snippet),
        );
        row.addEventListener("click", () => void showContext(hit));
        return h("li", null, row);
      }),
    );
    info.textContent = list.length ? `${list.length} match${list.length === 1 ? "" : "es"}` : "no matches";
  };

  const search = async (): Promise<void> => {
    const q = input.value;
    context.hidden = true;
    if (!q.trim()) {
      inFlight?.abort();
      hits.replaceChildren();
      info.textContent = "";
      banner.ok();
      return;
    }
    const signal = begin();
    try {
      const list = await client.history.search(q, { limit: SEARCH_LIMIT, signal });
      if (signal.aborted) return;
      banner.ok();
      // The relay answers newest first; keep that order.
      showHits(list);
    } catch (err) {
      if (signal.aborted) return;
      hits.replaceChildren();
      fail(err, "/dashboard/history/search", "search the history");
    }
  };

  const showContext = async (hit: SearchHit): Promise<void> => {
    const signal = begin();
    try {
      const page = await client.history.page({ after: Math.max(0, hit.seq - CONTEXT_BEFORE) }, { limit: CONTEXT_LIMIT, signal });
      if (signal.aborted) return;
      banner.ok();
      context.replaceChildren(
        ...page.events.map((event) => {
          const text = eventText(event);
          if (event.seq !== hit.seq) return document.createTextNode(text);
          const mark = document.createElement("mark");
          mark.className = "hp-mark";
          mark.textContent = text;
          return mark;
        }),
      );
      context.hidden = false;
      context.querySelector("mark")?.scrollIntoView({ block: "center" });
    } catch (err) {
      if (!signal.aborted) fail(err, "/dashboard/history", "load the context of that result");
    }
  };

  const urls = new Set<string>();
  scope.register(() => {
    for (const url of urls) URL.revokeObjectURL(url);
    urls.clear();
  });
  const download = (text: string, name: string, type: string): void => {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    // Kept a while for the browser to read, then let go (at the latest when the view ends).
    urls.add(url);
    scope.timeout(() => urls.delete(url) && URL.revokeObjectURL(url), 60_000);
  };

  const exportAll = async (format: "jsonl" | "md"): Promise<void> => {
    const signal = begin();
    info.textContent = "exporting…";
    try {
      // Any page says what the relay retains now; the smallest one will do.
      const { oldest, head } = await client.history.page({ after: 0 }, { limit: 1, signal });
      if (signal.aborted) return;
      if (head < oldest) {
        info.textContent = "nothing to export yet";
        return;
      }
      const text = await client.history.export({ from: oldest, to: head, format, signal });
      if (signal.aborted) return;
      banner.ok();
      download(text, `ductor-history-${oldest}-${head}.${format}`, format === "md" ? "text/markdown" : "application/x-ndjson");
      info.textContent = `exported events ${oldest.toLocaleString("en-US")}–${head.toLocaleString("en-US")}`;
    } catch (err) {
      if (!signal.aborted) fail(err, "/dashboard/history/export", `export the history as .${format}`);
    }
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  const cancelSearch = (): void => clearTimeout(timer);
  scope.register(cancelSearch);
  input.addEventListener(
    "input",
    () => {
      cancelSearch();
      timer = setTimeout(() => void search(), SEARCH_DEBOUNCE_MS);
    },
    { signal: scope.signal },
  );
  input.addEventListener(
    "keydown",
    (ev) => {
      if (ev.key !== "Enter") return;
      ev.preventDefault();
      cancelSearch();
      void search();
    },
    { signal: scope.signal },
  );
  jsonlBtn.addEventListener("click", () => void exportAll("jsonl"), { signal: scope.signal });
  mdBtn.addEventListener("click", () => void exportAll("md"), { signal: scope.signal });
  toggle.addEventListener(
    "click",
    () => {
      const open = el.hidden;
      el.hidden = !open;
      toggle.setAttribute("aria-pressed", String(open));
      if (open) input.focus();
    },
    { signal: scope.signal },
  );

  return {
    toggle,
    el,
    enable(): void {
      toggle.hidden = false;
    },
  };
}
