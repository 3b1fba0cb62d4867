/**
 * The Usage charts' y axis, as numbers and words: which steps its ticks may take and how each tick reads. Pure (no
 * uPlot, no DOM), so it is tested in Node; usage-charts.ts hands these to uPlot.
 *
 * Tokens are whole: their ticks are whole numbers (uPlot's own steps include 0.2 and 0.5, which read "0, 0, 1, 1"
 * once rounded). Every tick of one axis has the same number of decimals, enough to tell each from the next
 * ("$0.50 $0.75 $1.00", never "$0.75" beside "$1.0").
 */

export type Metric = "cost" | "tokens";

/** Steps for the tokens axis: 1, 2, 5, 10, 20, 50… (whole numbers only). */
export const TOKEN_STEPS: readonly number[] = Array.from({ length: 16 }, (_, i) => [1, 2, 5].map((m) => m * 10 ** i)).flat();

/** The fewest decimals (up to 4) that write every value exactly. */
function decimalsFor(values: readonly number[]): number {
  for (let d = 0; d < 4; d++) {
    const scale = 10 ** d;
    if (values.every((v) => Math.abs(v * scale - Math.round(v * scale)) < 1e-6)) return d;
  }
  return 4;
}

/**
 * The labels of one axis's ticks: "$0.00 $0.25 $0.50", "0 1 2 3", "0 2,500 5,000", "0 10k 20k", "1.5M".
 * Below 10,000 a value is written out; from there in k (or M from a million), with the decimals the step needs.
 */
export function axisLabels(metric: Metric, ticks: readonly number[]): string[] {
  const finite = ticks.filter((v) => Number.isFinite(v));
  const largest = finite.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const [divisor, suffix] = largest >= 1_000_000 ? [1_000_000, "M"] : largest >= 10_000 ? [1_000, "k"] : [1, ""];
  const scaled = finite.map((v) => v / divisor);
  let decimals = decimalsFor(scaled);
  // Money with cents reads with two decimals ($0.50, not $0.5).
  if (metric === "cost" && divisor === 1 && decimals === 1) decimals = 2;
  const prefix = metric === "cost" ? "$" : "";
  return ticks.map((v) => {
    if (!Number.isFinite(v)) return "";
    if (v === 0 && metric === "tokens") return "0";
    const n = v / divisor || 0; // never "-0"
    return `${prefix}${n.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals })}${suffix}`;
  });
}
