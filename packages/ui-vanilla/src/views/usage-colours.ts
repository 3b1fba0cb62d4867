/** The Usage panel's colours, read from the stylesheet (`--usage-1…6` and the theme's), for its charts and legend. */

export function cssVar(el: Element, name: string, fallback: string): string {
  const v = getComputedStyle(el).getPropertyValue(name).trim();
  return v === "" ? fallback : v;
}

/** The colour of the `i`th line (cycling through the stylesheet's six). */
export function lineColour(el: Element, i: number): string {
  return cssVar(el, `--usage-${(i % 6) + 1}`, "#3451d1");
}
