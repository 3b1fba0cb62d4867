/** The Usage charts' y axis in Node: whole-number ticks for tokens, one number of decimals per axis, no repeats. */
import { describe, expect, it } from "vitest";
import { axisLabels, TOKEN_STEPS } from "../src/views/usage-axis.js";

/** `n` ticks from 0 by `step`, as uPlot makes them (float sums included). */
const ticks = (step: number, n = 5): number[] => Array.from({ length: n }, (_, i) => i * step);

describe("the usage charts' y axis", () => {
  it("tokens step by whole numbers only", () => {
    expect(TOKEN_STEPS.slice(0, 7)).toEqual([1, 2, 5, 10, 20, 50, 100]);
    expect(TOKEN_STEPS.every((s) => Number.isInteger(s))).toBe(true);
    expect(axisLabels("tokens", [0, 1, 2, 3])).toEqual(["0", "1", "2", "3"]);
    expect(axisLabels("tokens", ticks(2_500, 4))).toEqual(["0", "2,500", "5,000", "7,500"]);
    expect(axisLabels("tokens", ticks(2_500))).toEqual(["0", "2.5k", "5.0k", "7.5k", "10.0k"]);
    expect(axisLabels("tokens", ticks(5_000))).toEqual(["0", "5k", "10k", "15k", "20k"]);
    expect(axisLabels("tokens", ticks(2_500, 6))).toEqual(["0", "2.5k", "5.0k", "7.5k", "10.0k", "12.5k"]);
    expect(axisLabels("tokens", ticks(500_000))).toEqual(["0", "0.5M", "1.0M", "1.5M", "2.0M"]);
  });

  it("cost has the same decimals on every tick: never $0.75 beside $1.0", () => {
    expect(axisLabels("cost", ticks(0.25))).toEqual(["$0.00", "$0.25", "$0.50", "$0.75", "$1.00"]);
    expect(axisLabels("cost", ticks(0.5))).toEqual(["$0.00", "$0.50", "$1.00", "$1.50", "$2.00"]);
    expect(axisLabels("cost", ticks(0.1))).toEqual(["$0.00", "$0.10", "$0.20", "$0.30", "$0.40"]);
    expect(axisLabels("cost", ticks(2))).toEqual(["$0", "$2", "$4", "$6", "$8"]);
    expect(axisLabels("cost", ticks(0.005))).toEqual(["$0.000", "$0.005", "$0.010", "$0.015", "$0.020"]);
    expect(axisLabels("cost", [-0, Number.NaN])).toEqual(["$0", ""]);
  });

  it("for every step uPlot may take, the labels differ and share their decimals", () => {
    const steps = [1, 2, 2.5, 5].flatMap((m) => [-4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6].map((e) => m * 10 ** e));
    for (const metric of ["cost", "tokens"] as const) {
      for (const step of steps) {
        if (metric === "tokens" && !Number.isInteger(step)) continue;
        for (const start of [0, 3]) {
          const labels = axisLabels(
            metric,
            ticks(step, 6).map((v) => v + start * step),
          );
          expect(new Set(labels).size, `${metric} ${step}`).toBe(labels.length);
          const decimals = new Set(labels.filter((l) => l !== "0").map((l) => /\.(\d+)/.exec(l)?.[1]?.length ?? 0));
          expect(decimals.size, `${metric} ${step}: ${labels.join(" ")}`).toBe(1);
        }
      }
    }
  });
});
