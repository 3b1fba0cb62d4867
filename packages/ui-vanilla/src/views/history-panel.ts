/**
 * Behind the recording relay: search across all of its history (a hit opens the stream at that point), and a
 * range of time to show in the stream at once, replay at 1x or 10x, or export as `.jsonl` (a mock-server
 * recording) or `.md` (a transcript). Server text is only ever set as text, never parsed as HTML.
 */
import { plainSnippet } from "../render/plain-text.js";
import type { SearchHit } from "@ductor/dashboard-client";
import { elementBanner, reportFailure } from "../app/failure.js";
import { searchQuery, seqAtTime, type ReplaySpeed } from "../app/history-range.js";
import { createLatest, type Scope } from "../app/scope.js";
import type { AppContext } from "../app/types.js";
import { h } from "../dom.js";
import { formatClock } from "../format.js";
import type { BrowseRange } from "./history-browser.js";

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
/** A hit opens the stream with this many events before and after it. */
const AROUND_HIT = 300;
/** Exports may be far larger than a page of history: the client's default body cap (16 MiB) is raised for them. */
const EXPORT_MAX_BYTES = 512 * 1024 * 1024;

export interface HistoryPanelHost {
  /** Show a range in the stream view: at once (speed 0), or replayed. */
  browse(range: BrowseRange, speed: ReplaySpeed): void;
}

/** `<input type=datetime-local>` wants local time without a zone, to the second. */
function localInputValue(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 19);
}

export function createHistoryPanel(ctx: AppContext, scope: Scope, host: HistoryPanelHost): HistoryPanel {
  const { client } = ctx;
  const toggle = h(
    "button",
    { type: "button", class: "btn", hidden: true, "aria-pressed": "false", "aria-controls": "dd-history-panel" },
    "History",
  );
  const input = h("input", {
    type: "search",
    class: "find-input",
    placeholder: "Search all history",
    "aria-label": "Search all history",
    spellcheck: "false",
  });
  const fromInput = h("input", { type: "datetime-local", step: "1", class: "hp-time-input", "aria-label": "Range from" });
  const toInput = h("input", { type: "datetime-local", step: "1", class: "hp-time-input", "aria-label": "Range to" });
  const showBtn = h("button", { type: "button", class: "btn" }, "Show");
  const replay1Btn = h("button", { type: "button", class: "btn" }, "Replay 1x");
  const replay10Btn = h("button", { type: "button", class: "btn" }, "Replay 10x");
  const jsonlBtn = h("button", { type: "button", class: "btn" }, "Export .jsonl");
  const mdBtn = h("button", { type: "button", class: "btn" }, "Export .md");
  const info = h("span", { class: "feedback muted", role: "status" });
  const error = h("p", { class: "banner banner-error", role: "alert", hidden: true });
  const banner = elementBanner(error);
  const hits = h("ol", { class: "hp-hits", "aria-label": "Search results" });
  const el = h(
    "section",
    { class: "history-panel", id: "dd-history-panel", hidden: true, "aria-label": "Search history" },
    h("div", { class: "toolbar-group" }, input, info),
    h(
      "div",
      { class: "toolbar-group hp-range", role: "group", "aria-label": "A range of history" },
      h("label", { class: "hp-label" }, "From ", fromInput),
      h("label", { class: "hp-label" }, "to ", toInput),
      showBtn,
      replay1Btn,
      replay10Btn,
      jsonlBtn,
      mdBtn,
    ),
    error,
    hits,
  );

  /** The request in flight (search, range or export); a newer one aborts it. */
  const inFlight = createLatest(scope);
  const begin = (): AbortSignal => inFlight.begin();
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
          // The snippet is markdown source cut anywhere: shown as the words, like the stream draws them.
          h("span", { class: "hp-snippet" }, plainSnippet(hit.snippet)),
        );
        row.title = "Show this point in the stream";
        row.addEventListener("click", () => {
          hits.querySelector("[aria-current]")?.removeAttribute("aria-current");
          row.setAttribute("aria-current", "true");
          host.browse({ from: Math.max(1, hit.seq - AROUND_HIT), to: hit.seq + AROUND_HIT, highlight: hit.seq }, 0);
        });
        return h("li", null, row);
      }),
    );
    info.textContent = list.length ? `${list.length} match${list.length === 1 ? "" : "es"}` : "no matches";
  };

  const search = async (): Promise<void> => {
    const q = searchQuery(input.value);
    if (q === null) {
      inFlight.cancel();
      hits.replaceChildren();
      info.textContent = input.value.trim() ? "type a word to search for" : "";
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

  /** The chosen range as seqs (inclusive), or null with a message when it holds nothing. */
  const chosenRange = async (signal: AbortSignal): Promise<{ from: number; to: number } | null> => {
    const fromMs = fromInput.value ? new Date(fromInput.value).getTime() : 0;
    const toMs = toInput.value ? new Date(toInput.value).getTime() : Date.now();
    if (Number.isNaN(fromMs) || Number.isNaN(toMs) || toMs < fromMs) {
      info.textContent = "choose a start before the end";
      return null;
    }
    info.textContent = "finding the range…";
    // The end is inclusive to the second the input shows.
    const [from, afterTo] = await Promise.all([seqAtTime(client, fromMs, signal), seqAtTime(client, toMs + 1_000, signal)]);
    if (afterTo - 1 < from) {
      info.textContent = "nothing retained in that range";
      return null;
    }
    return { from, to: afterTo - 1 };
  };

  const browseRange = async (speed: ReplaySpeed): Promise<void> => {
    const signal = begin();
    try {
      const range = await chosenRange(signal);
      if (signal.aborted || !range) return;
      banner.ok();
      info.textContent = "";
      host.browse(range, speed);
    } catch (err) {
      if (!signal.aborted) fail(err, "/dashboard/history", "find that range");
    }
  };

  const exportRange = async (format: "jsonl" | "md"): Promise<void> => {
    const signal = begin();
    try {
      const range = await chosenRange(signal);
      if (signal.aborted || !range) return;
      info.textContent = "exporting…";
      const text = await client.history.export({ ...range, format, signal, maxBodyBytes: EXPORT_MAX_BYTES });
      if (signal.aborted) return;
      banner.ok();
      download(text, `ductor-history-${range.from}-${range.to}.${format}`, format === "md" ? "text/markdown" : "application/x-ndjson");
      info.textContent = `exported events ${range.from.toLocaleString("en-US")}–${range.to.toLocaleString("en-US")}`;
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
  jsonlBtn.addEventListener("click", () => void exportRange("jsonl"), { signal: scope.signal });
  mdBtn.addEventListener("click", () => void exportRange("md"), { signal: scope.signal });
  showBtn.addEventListener("click", () => void browseRange(0), { signal: scope.signal });
  replay1Btn.addEventListener("click", () => void browseRange(1), { signal: scope.signal });
  replay10Btn.addEventListener("click", () => void browseRange(10), { signal: scope.signal });
  toggle.addEventListener(
    "click",
    () => {
      const open = el.hidden;
      el.hidden = !open;
      toggle.setAttribute("aria-pressed", String(open));
      if (open) {
        // The last hour, until now, unless the person chose something already.
        if (!fromInput.value) fromInput.value = localInputValue(Date.now() - 3_600_000);
        if (!toInput.value) toInput.value = localInputValue(Date.now());
        input.focus();
      }
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
