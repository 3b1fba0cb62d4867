/**
 * One parsed run → one element: a span classed by level, holding text nodes and, where an ANSI style is in
 * effect, spans with theme classes and (validated) exact colours. Text only ever becomes text nodes.
 */
import { ansiCss, type AnsiCss, type AnsiStyle } from "./ansi.js";
import type { LogLevel, LogRun } from "./log-parse.js";

const HEX_COLOR = /^#[0-9a-f]{6}$/;

const RUN_CLASS: Record<LogLevel | "unknown", string> = {
  DEBUG: "log-run log-debug",
  INFO: "log-run log-info",
  WARNING: "log-run log-warning",
  ERROR: "log-run log-error",
  CRITICAL: "log-run log-critical",
  unknown: "log-run log-unknown",
};

/**
 * The element of a run. Elements are made here directly (not with `h`, whose attribute checks would run for
 * each of tens of thousands of spans in a large coloured log): only `className`, text nodes and CSSOM colours.
 */
export function renderRun(run: LogRun): HTMLElement {
  const el = document.createElement("span");
  el.className = RUN_CLASS[run.level ?? "unknown"];
  const cache = new Map<AnsiStyle, AnsiCss>();
  for (const part of run.parts) {
    if (typeof part === "string") {
      el.appendChild(document.createTextNode(part));
      continue;
    }
    const span = document.createElement("span");
    span.textContent = part.text;
    if (part.style) {
      let css = cache.get(part.style);
      if (!css) {
        css = ansiCss(part.style);
        cache.set(part.style, css);
      }
      if (css.className) span.className = css.className;
      if (css.color && HEX_COLOR.test(css.color)) span.style.color = css.color;
      if (css.background && HEX_COLOR.test(css.background)) span.style.backgroundColor = css.background;
    }
    el.appendChild(span);
  }
  return el;
}
