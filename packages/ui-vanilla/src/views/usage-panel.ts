/**
 * The Usage panel of Sessions & tasks: "Spent today $X · last hour $Y", cost (or tokens) per day over the last
 * 14 days, and per session over the last 24 hours. The figures come from a relay's usage samples
 * (`client.history.usage`, what `ductor-dashboard serve` saw spent between its snapshots of sessions.json); a
 * plain ductor has no history, and the panel says what it needs instead of showing anything broken. The app's
 * live stream says which it is (a relay's first ping); the panel waits for that rather than ask plain ductor for a
 * 404 (the browser logs every one). Mounted without that hint, a 404 (NotFoundError) means the same.
 *
 * Polled every 30 s while the view is shown (the same schedule as the view's tables: paused on a hidden tab).
 * After the first answer only the last few minutes are asked again; every 20th round asks for all 14 days, so
 * retention or a restarted relay shows up too.
 */
import { burnRate, cumulativeBySession, NotFoundError, spentPerDay, spentToday, type UsageSample } from "@ductor/dashboard-client";
import { elementBanner } from "../app/failure.js";
import { createPolling, type Poller } from "../app/poll.js";
import type { Scope } from "../app/scope.js";
import type { AppContext } from "../app/types.js";
import { h } from "../dom.js";
import { formatCost, formatCount } from "../format.js";
import type { Metric } from "./usage-axis.js";
import type { Chart } from "./usage-charts.js";
import { lineColour } from "./usage-colours.js";
// uPlot's stylesheet goes with ours; its code is loaded when the first chart is drawn (see loadCharts).
import "uplot/dist/uPlot.min.css";

type Charts = typeof import("./usage-charts.js");
let chartsModule: Promise<Charts> | null = null;
/** uPlot and the chart code, fetched once, on demand: most visits never open Sessions & tasks behind a relay. */
function loadCharts(): Promise<Charts> {
  chartsModule ??= import("./usage-charts.js").catch((err: unknown) => {
    chartsModule = null; // a failed chunk load (a deploy in between) is tried again next time
    throw err;
  });
  return chartsModule;
}

const USAGE_INTERVAL_MS = 30_000;
const DAYS = 14;
const DAY_MS = 86_400_000;
/** Asked again each round: a snapshot stored late (a relay's clock behind ours) still lands. */
const OVERLAP_MS = 5 * 60_000;
const FULL_EVERY = 20;
/** Lines drawn in the 24-hour chart; the rest are summed into one "other sessions" line. */
const MAX_LINES = 5;

type Loaded =
  | { relay: false }
  | { relay: null }
  | {
      relay: true;
      from: number;
      at: number;
      samples: UsageSample[];
      /** When the relay's oldest retained event was recorded (null: none), asked on full rounds only. */
      oldestAt?: number | null;
    };

/** How long a round waits for the live stream to say whether the server is a relay. */
const RELAY_WAIT_MS = 15_000;

/** `ctx.isRelay()` once it is known (true/false), or null when it is still unknown after RELAY_WAIT_MS. */
async function relayKnown(ctx: AppContext, signal: AbortSignal): Promise<boolean | null> {
  const ask = ctx.isRelay;
  if (!ask) return true; // no hint: ask the relay endpoint and let a 404 say no
  const deadline = Date.now() + RELAY_WAIT_MS;
  for (let known = ask(); ; known = ask()) {
    if (known !== null || signal.aborted || Date.now() >= deadline) return known;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, 200);
      signal.addEventListener("abort", done, { once: true });
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
    });
  }
}

/** "14:05 today", or "Nov 24, 14:05" on another day: when the relay's recording that the panel counts began. */
export function recordingSinceText(since: number, now: number): string {
  const d = new Date(since);
  const clock = `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
  if (new Date(now).toDateString() === d.toDateString()) return `${clock} today`;
  return `${d.toLocaleDateString("en-US", { month: "short", day: "numeric", ...(d.getFullYear() === new Date(now).getFullYear() ? {} : { year: "numeric" }) })}, ${clock}`;
}

/**
 * What the figures count, said when nothing was spent (a "$0" beside a session that cost $0.84 in the sessions
 * table misleads otherwise): only the increases this relay saw between its snapshots, since it began recording.
 */
export function scopeNote(since: number | null, now: number): string {
  const when = since === null ? "" : `: since ${recordingSinceText(since, now)}`;
  return `Counts spending seen while this relay was recording${when}. A session's cost under Sessions above also counts what it spent before.`;
}

export interface UsagePanel {
  readonly el: HTMLElement;
  readonly poller: Poller;
}

/** Local midnight `DAYS - 1` days before `now`'s day: the first day the bars show. */
function windowStart(now: number): number {
  const d = new Date(now);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() - (DAYS - 1)).getTime();
}

export function createUsagePanel(ctx: AppContext, scope: Scope): UsagePanel {
  const error = h("p", { class: "banner banner-error", role: "alert", hidden: true });
  const today = h("strong", { class: "usage-figure", "data-usage": "today" }, "–");
  const hour = h("strong", { class: "usage-figure", "data-usage": "hour" }, "–");
  const tokensNote = h("span", { class: "usage-tokens muted" });
  const summary = h("p", { class: "usage-summary" }, "Spent today ", today, " · last hour ", hour, tokensNote);
  const scopeEl = h("p", { class: "muted usage-scope", hidden: true });
  const note = h(
    "p",
    { class: "banner usage-note", hidden: true },
    "Cost history needs ",
    h("code", null, "ductor-dashboard serve"),
    " with the API token: it records what ductor's sessions spend over time. This server is not recording it.",
  );
  const costBtn = h("button", { type: "button", class: "btn btn-small", "aria-pressed": "true" }, "Cost");
  const tokensBtn = h("button", { type: "button", class: "btn btn-small", "aria-pressed": "false" }, "Tokens");
  const toggle = h("div", { class: "usage-toggle", role: "group", "aria-label": "Chart" }, costBtn, tokensBtn);
  const daysCaption = h("figcaption", null, "Cost per day, last 14 days");
  const daysPlot = h("div", { class: "usage-plot", "data-chart": "days" });
  const daysTable = h("table", { class: "sr-only", "data-usage-table": "days" });
  const linesCaption = h("figcaption", null, "Last 24 hours per session, cumulative");
  const linesPlot = h("div", { class: "usage-plot", "data-chart": "sessions" });
  const legend = h("ul", { class: "usage-legend" });
  const empty = h("p", { class: "muted usage-empty", hidden: true }, "Nothing spent in the last 24 hours.");
  const charts = h(
    "div",
    { class: "usage-charts" },
    h("figure", { class: "usage-chart" }, daysCaption, daysPlot, daysTable),
    h("figure", { class: "usage-chart" }, linesCaption, linesPlot, empty, legend),
  );
  const body = h("div", { class: "usage-body", hidden: true }, h("div", { class: "usage-head" }, summary, toggle), scopeEl, charts);
  const el = h(
    "section",
    { class: "panel usage-panel", "aria-labelledby": "dd-h-usage" },
    h("h2", { id: "dd-h-usage" }, "Usage"),
    error,
    note,
    body,
  );

  let samples: UsageSample[] = [];
  /** When the relay's oldest retained event was recorded: where what it counts begins, as far as the page can tell. */
  let oldestAt: number | null = null;
  let lastAt: number | null = null;
  let rounds = 0;
  let metric: Metric = "cost";
  let drawn: Chart[] = [];
  let drawnKey = "";
  /** Bumped per render that draws: a chart module that loads late draws only for the latest. */
  let drawing = 0;
  let lastNow = 0;

  const clearCharts = (): void => {
    for (const c of drawn) c.destroy();
    drawn = [];
    drawnKey = "";
  };
  scope.register(clearCharts);

  const render = (now: number, force = false): void => {
    lastNow = now;
    const t = spentToday(samples, now);
    const last = burnRate(samples, now);
    today.textContent = formatCost(t.costUsd);
    hour.textContent = formatCost(last.costUsd);
    tokensNote.textContent = ` (${formatCount(t.tokens)} tokens today)`;
    // Nothing spent today: say what is counted. Its start is the older of the relay's oldest event and its first
    // sample (a relay's events may be pruned before its sessions snapshots are).
    const firstSample = samples.reduce<number | null>((m, s) => (m === null || s.at < m ? s.at : m), null);
    const since = oldestAt === null ? firstSample : firstSample === null ? oldestAt : Math.min(oldestAt, firstSample);
    scopeEl.textContent = scopeNote(since, now);
    scopeEl.hidden = t.costUsd > 0;
    const value = (s: { costUsd: number; tokens: number }): number => (metric === "cost" ? s.costUsd : s.tokens);

    const days = spentPerDay(samples, { now, days: DAYS });
    const series = cumulativeBySession(samples, now - DAY_MS, now);
    const shown = series.sessions.slice(0, MAX_LINES);
    const rest = series.sessions.slice(MAX_LINES);
    const lines = shown.map((s) => (metric === "cost" ? s.costUsd : s.tokens));
    if (rest.length > 0)
      lines.push(series.times.map((_, i) => rest.reduce((n, s) => n + (metric === "cost" ? s.costUsd[i]! : s.tokens[i]!), 0)));
    const labels = [
      ...shown.map((s) => s.session),
      ...(rest.length ? [`${rest.length} other session${rest.length === 1 ? "" : "s"}`] : []),
    ];

    const what = metric === "cost" ? "Cost" : "Tokens";
    daysCaption.textContent = `${what} per day, last ${DAYS} days`;
    linesCaption.textContent = `${what} in the last 24 hours per session, cumulative`;
    const show = (n: number): string => (metric === "cost" ? formatCost(n) : formatCount(n));
    daysTable.replaceChildren(
      h("caption", null, daysCaption.textContent),
      ...days.map((d) =>
        h("tr", { "data-day": d.day, "data-value": value(d) }, h("th", { scope: "row" }, d.day), h("td", null, show(value(d)))),
      ),
    );
    legend.replaceChildren(
      ...labels.map((label, i) => {
        const swatch = h("span", { class: "usage-swatch", "aria-hidden": "true" });
        swatch.style.background = lineColour(el, i);
        const total = lines[i]?.at(-1) ?? 0;
        return h(
          "li",
          { "data-value": total },
          swatch,
          h("span", { class: "usage-key mono" }, label),
          h("span", { class: "muted" }, show(total)),
        );
      }),
    );
    empty.hidden = labels.length > 0;
    linesPlot.hidden = labels.length === 0;

    const key = JSON.stringify([metric, days.map(value), series.times, lines, daysPlot.clientWidth > 0]);
    if (!force && key === drawnKey) return;
    drawnKey = key;
    const generation = ++drawing;
    const draw = (mod: Charts): void => {
      // A newer render, a hidden view or an ended scope owns the plots now.
      if (generation !== drawing || scope.disposed) return;
      clearCharts();
      const width = daysPlot.clientWidth;
      if (width <= 0) return;
      drawn = [
        mod.drawDays(daysPlot, { starts: days.map((d) => d.start), values: days.map(value) }, metric, width),
        ...(labels.length > 0 ? [mod.drawLines(linesPlot, { times: series.times, lines }, metric, linesPlot.clientWidth)] : []),
      ];
      drawnKey = key;
    };
    loadCharts().then(draw, (err: unknown) => {
      if (generation !== drawing) return;
      drawnKey = ""; // try again on the next round
      error.textContent = `Couldn't draw the usage charts: ${err instanceof Error ? err.message : String(err)}`;
      error.hidden = false;
    });
  };

  const setMetric = (m: Metric): void => {
    metric = m;
    costBtn.setAttribute("aria-pressed", String(m === "cost"));
    tokensBtn.setAttribute("aria-pressed", String(m === "tokens"));
    if (!body.hidden) render(Date.now());
  };
  costBtn.addEventListener("click", () => setMetric("cost"));
  tokensBtn.addEventListener("click", () => setMetric("tokens"));

  // The charts' colours are read from the stylesheet when drawn: draw again when the scheme flips.
  const scheme = typeof matchMedia === "function" ? matchMedia("(prefers-color-scheme: dark)") : null;
  const onScheme = (): void => {
    if (!body.hidden) render(lastNow || Date.now(), true);
  };
  scheme?.addEventListener("change", onScheme);
  scope.register(() => scheme?.removeEventListener("change", onScheme));
  if (typeof ResizeObserver === "function") {
    let lastWidth = 0;
    const observer = new ResizeObserver(() => {
      const width = daysPlot.clientWidth;
      if (width === lastWidth || body.hidden) return;
      lastWidth = width;
      if (drawn.length === 0) render(lastNow || Date.now(), true);
      else {
        drawn[0]?.resize(width);
        drawn[1]?.resize(linesPlot.clientWidth);
      }
    });
    observer.observe(charts);
    scope.register(() => observer.disconnect());
  }

  const load = async (signal: AbortSignal): Promise<Loaded> => {
    const relay = await relayKnown(ctx, signal);
    if (relay !== true) return { relay };
    const at = Date.now();
    const start = windowStart(at) - 1; // `from` is exclusive: a sample at the first midnight counts
    const full = lastAt === null || rounds % FULL_EVERY === 0;
    const from = full ? start : Math.max(start, lastAt! - OVERLAP_MS);
    // On full rounds, also when the relay's recording begins (a failure there only leaves the time unsaid).
    const oldest = full
      ? ctx.client.history.page({ after: 0 }, { limit: 1, signal, maxRetries: 0 }).then(
          (page) => page.events[0]?.at ?? null,
          () => undefined,
        )
      : undefined;
    try {
      const got = await ctx.client.history.usage({ from, signal, maxRetries: 0 });
      return { relay: true, from, at, samples: got, oldestAt: await oldest };
    } catch (err) {
      if (err instanceof NotFoundError) return { relay: false };
      throw err;
    }
  };

  const showLoaded = (result: Loaded, now: number): void => {
    if (result.relay === null) return; // not known yet: the next round asks again
    rounds += 1;
    if (!result.relay) {
      note.hidden = false;
      body.hidden = true;
      clearCharts();
      return;
    }
    note.hidden = true;
    body.hidden = false;
    // Everything after `from` was asked again: keep the older samples, take the rest from the answer.
    const start = windowStart(now);
    samples = samples.filter((s) => s.at <= result.from && s.at >= start).concat(result.samples.filter((s) => s.at >= start));
    lastAt = result.at;
    if (result.oldestAt !== undefined) oldestAt = result.oldestAt;
    render(now);
  };

  const poller = createPolling(ctx, scope, {
    everyMs: USAGE_INTERVAL_MS,
    sources: [{ endpoint: "/dashboard/history/usage", doing: "load usage", banner: elementBanner(error), load, show: showLoaded }],
  });
  return { el, poller };
}
