/**
 * The Usage panel's two uPlot charts: spent per day (bars) and spent per session over the last 24 h (cumulative
 * steps). Colours come from the stylesheet's variables (`--usage-1…6`, `--muted`, `--border`), read when a chart
 * is built, so light and dark both read well; the panel rebuilds the charts when the scheme changes.
 *
 * uPlot draws on a canvas: nothing from ductor's data becomes markup here (session keys are only in the panel's
 * own legend, as text). This module is loaded on demand (the panel imports it dynamically, so uPlot is not in the
 * first load of the site); uPlot's stylesheet is imported by the panel, so it is part of ours.
 */
import uPlot from "uplot";
import { axisLabels, type Metric, TOKEN_STEPS } from "./usage-axis.js";
import { cssVar, lineColour } from "./usage-colours.js";

export interface DaysChartData {
  /** Local midnights, ms. */
  starts: number[];
  values: number[];
}

export interface LinesChartData {
  /** Shared x values, ms. */
  times: number[];
  /** One line per session (the panel's legend has the same order and colours). */
  lines: number[][];
}

/** A chart the panel can resize and end. */
export interface Chart {
  resize(width: number): void;
  destroy(): void;
}

const HEIGHT = 170;

/** What both charts share: size, no legend or cursor (the panel has its own legend and table), padding. */
function frame(width: number): Pick<uPlot.Options, "width" | "height" | "legend" | "cursor" | "select" | "padding"> {
  return {
    width,
    height: HEIGHT,
    legend: { show: false },
    cursor: { show: false },
    select: { show: false, left: 0, top: 0, width: 0, height: 0 },
    padding: [8, 8, 0, 0],
  };
}

/** Spending starts at 0, with a little room above the highest value (and a unit range when all is 0). */
const Y_FROM_ZERO: uPlot.Scale = { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] };

const ended = (u: uPlot): Chart => ({ resize: (w) => u.setSize({ width: w, height: HEIGHT }), destroy: () => u.destroy() });

function axisStyle(el: Element): Pick<uPlot.Axis, "stroke" | "grid" | "ticks" | "font"> {
  const muted = cssVar(el, "--muted", "#5b6475");
  const border = cssVar(el, "--border", "#dce0e7");
  const font = `11px ${cssVar(el, "--sans", "sans-serif")}`;
  return { stroke: muted, font, grid: { stroke: border, width: 1 }, ticks: { stroke: border, width: 1, size: 4 } };
}

/**
 * The y axis (usage-axis.ts): whole-number steps for tokens, one number of decimals per axis. The labels drawn last
 * are also the plot's `data-y-labels` (the canvas has no text to read back).
 */
function yAxis(el: HTMLElement, metric: Metric): uPlot.Axis {
  return {
    ...axisStyle(el),
    size: 52,
    gap: 4,
    space: 28,
    ...(metric === "tokens" ? { incrs: [...TOKEN_STEPS] } : {}),
    values: (_u, splits) => {
      const labels = axisLabels(metric, splits);
      el.dataset["yLabels"] = labels.join(" ");
      return labels;
    },
  };
}

/** Bars per day; the x axis labels days ("26", or "Nov 26" on a month's first and the first shown). */
export function drawDays(target: HTMLElement, data: DaysChartData, metric: Metric, width: number): Chart {
  const index = data.starts.map((_, i) => i);
  const labels = data.starts.map((ms, i) => {
    const d = new Date(ms);
    return i === 0 || d.getDate() === 1 ? d.toLocaleDateString(undefined, { month: "short", day: "numeric" }) : String(d.getDate());
  });
  const fill = lineColour(target, 0);
  const u = new uPlot(
    {
      ...frame(width),
      scales: {
        x: { time: false, range: (_u, _min, _max) => [-0.5, Math.max(0, index.length - 0.5)] },
        y: Y_FROM_ZERO,
      },
      axes: [
        {
          ...axisStyle(target),
          grid: { show: false },
          space: 26,
          splits: (u) => {
            // One label per day when they fit, else every other or every third (never a half day).
            const step = Math.max(1, Math.ceil(26 / Math.max(1, u.bbox.width / devicePixelRatio / Math.max(1, index.length))));
            return index.filter((i) => (index.length - 1 - i) % step === 0);
          },
          values: (_u, splits) => splits.map((i) => labels[i] ?? ""),
        },
        yAxis(target, metric),
      ],
      series: [
        {},
        {
          label: metric === "cost" ? "Cost" : "Tokens",
          fill,
          stroke: fill,
          width: 0,
          paths: uPlot.paths.bars?.({ size: [0.7, 40], radius: 0.15 }),
          points: { show: false },
        },
      ],
    },
    [index, data.values],
    target,
  );
  return ended(u);
}

/** Cumulative lines per session over the window (steps up when something was spent). */
export function drawLines(target: HTMLElement, data: LinesChartData, metric: Metric, width: number): Chart {
  const xs = data.times.map((ms) => ms / 1000);
  const u = new uPlot(
    {
      ...frame(width),
      scales: {
        x: { time: true },
        y: Y_FROM_ZERO,
      },
      axes: [{ ...axisStyle(target), space: 56 }, yAxis(target, metric)],
      series: [
        {},
        ...data.lines.map((_, i) => ({
          stroke: lineColour(target, i),
          width: 2,
          paths: uPlot.paths.stepped?.({ align: 1 }),
          points: { show: false },
        })),
      ],
    },
    [xs, ...data.lines],
    target,
  );
  return ended(u);
}
