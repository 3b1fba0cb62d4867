/**
 * Find-in-text over the text nodes of a subtree. Matches become DOM Ranges, highlighted with the
 * CSS Custom Highlight API when the browser has it, otherwise shown as the document selection.
 * No markup is ever inserted into the searched text.
 */

export interface FindState {
  /** Number of matches (capped at `maxMatches`). */
  count: number;
  /** 0-based index of the current match, -1 when there is none. */
  index: number;
  /** True when the count hit the cap. */
  capped: boolean;
}

export interface Finder {
  search(query: string): FindState;
  next(): FindState;
  prev(): FindState;
  clear(): void;
  readonly state: FindState;
}

interface HighlightRegistry {
  set(name: string, h: unknown): void;
  delete(name: string): void;
}

function highlightApi(): { registry: HighlightRegistry; Highlight: new (...r: Range[]) => unknown } | null {
  const css = (globalThis as { CSS?: { highlights?: HighlightRegistry } }).CSS;
  const Highlight = (globalThis as { Highlight?: new (...r: Range[]) => unknown }).Highlight;
  if (css?.highlights && typeof Highlight === "function") return { registry: css.highlights, Highlight };
  return null;
}

export interface FinderOptions {
  /** Prefix of the highlight names: `${name}-match` and `${name}-current` (style them with ::highlight()). */
  name: string;
  /** The element that scrolls; the current match is scrolled into its view. */
  scroller: HTMLElement;
  maxMatches?: number;
  /** Called before the finder scrolls to a match (e.g. to stop autoscroll). */
  onNavigate?: () => void;
}

export function createFinder(root: Node, options: FinderOptions): Finder {
  const maxMatches = options.maxMatches ?? 5_000;
  const api = highlightApi();
  let query = "";
  let ranges: Range[] = [];
  let state: FindState = { count: 0, index: -1, capped: false };

  function collect(q: string): void {
    ranges = [];
    if (!q) return;
    const needle = q.toLowerCase();
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    // Concatenate text node contents so matches may span node boundaries.
    const nodes: Text[] = [];
    const starts: number[] = [];
    let text = "";
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const t = n as Text;
      nodes.push(t);
      starts.push(text.length);
      text += t.data;
    }
    const hay = text.toLowerCase();
    // toLowerCase can change length for a few characters; fall back to exact search then.
    const sameLength = hay.length === text.length;
    const src = sameLength ? hay : text;
    const pat = sameLength ? needle : q;
    let ni = 0;
    const locate = (offset: number, preferEnd: boolean): [Text, number] => {
      while (ni + 1 < nodes.length && starts[ni + 1]! < offset + (preferEnd ? 0 : 1)) ni++;
      const node = nodes[ni]!;
      return [node, Math.min(node.data.length, offset - starts[ni]!)];
    };
    let from = 0;
    while (ranges.length < maxMatches) {
      const at = src.indexOf(pat, from);
      if (at < 0) break;
      const range = document.createRange();
      const [sn, so] = locate(at, false);
      const saved = ni;
      const [en, eo] = locate(at + pat.length, true);
      ni = saved;
      range.setStart(sn, so);
      range.setEnd(en, eo);
      ranges.push(range);
      from = at + Math.max(1, pat.length);
    }
    state = { count: ranges.length, index: -1, capped: ranges.length >= maxMatches };
  }

  function paint(): void {
    if (api) {
      api.registry.delete(`${options.name}-match`);
      api.registry.delete(`${options.name}-current`);
      if (ranges.length) api.registry.set(`${options.name}-match`, new api.Highlight(...ranges));
      const cur = ranges[state.index];
      if (cur) api.registry.set(`${options.name}-current`, new api.Highlight(cur));
    } else {
      const cur = ranges[state.index];
      const sel = globalThis.getSelection?.();
      if (sel && cur) {
        sel.removeAllRanges();
        sel.addRange(cur);
      }
    }
  }

  function reveal(): void {
    const cur = ranges[state.index];
    if (!cur) return;
    options.onNavigate?.();
    const box = cur.getBoundingClientRect();
    const view = options.scroller.getBoundingClientRect();
    if (box.top < view.top + 8 || box.bottom > view.bottom - 8) {
      options.scroller.scrollTop += box.top - view.top - view.height / 3;
    }
  }

  function stale(): boolean {
    return ranges.some((r) => !root.contains(r.startContainer) || !root.contains(r.endContainer));
  }

  function move(delta: number): FindState {
    if (query && (ranges.length === 0 || stale())) collect(query);
    if (!ranges.length) {
      state = { count: 0, index: -1, capped: false };
      paint();
      return state;
    }
    const index = state.index < 0 ? (delta > 0 ? 0 : ranges.length - 1) : (state.index + delta + ranges.length) % ranges.length;
    state = { ...state, count: ranges.length, index };
    paint();
    reveal();
    return state;
  }

  return {
    search(q: string): FindState {
      query = q;
      collect(q);
      if (ranges.length) return move(1);
      paint();
      return state;
    },
    next: () => move(1),
    prev: () => move(-1),
    clear(): void {
      query = "";
      ranges = [];
      state = { count: 0, index: -1, capped: false };
      if (api) {
        api.registry.delete(`${options.name}-match`);
        api.registry.delete(`${options.name}-current`);
      }
    },
    get state() {
      return state;
    },
  };
}
