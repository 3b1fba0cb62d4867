/**
 * The DOM structure of the stream's blocks: blocks (text chunks, tool lines, markers) are grouped in pages
 * of `PAGE_BLOCKS`. Layout walks every child of the container it invalidates; measured in headless Chromium,
 * a frame cost ~1.1 ms more with 250 blocks directly in the scroller than with 25. Pages keep both levels
 * short, and a full page skips style, layout and paint while out of view (`content-visibility: auto`).
 *
 * A page skips only once its real height is known: one skipped before it was ever laid out counts as a
 * placeholder height, and a jump to the bottom computed from placeholders lands tens of thousands of pixels
 * short (the real size shows up two frames after the jump). So a full page stays rendered until a
 * ResizeObserver has seen it laid out (not while the view is hidden), and then skips with that height.
 */

const PAGE_BLOCKS = 16;

interface Page {
  el: HTMLElement;
  blocks: number;
}

export interface BlockPages {
  /** Append a block element at the end, in the last page (a new one when that is full). */
  append(block: HTMLElement): void;
  /** Put blocks (oldest first) above everything, in pages of their own. */
  prepend(blocks: readonly HTMLElement[]): void;
  /** Take a block out; its page goes too once empty (unless it is the one being filled). */
  remove(block: HTMLElement): void;
  clear(): void;
  destroy(): void;
}

export function createBlockPages(content: HTMLElement): BlockPages {
  const pageOf = new WeakMap<HTMLElement, Page>();
  let last: Page | null = null;

  const measured =
    typeof ResizeObserver === "function"
      ? new ResizeObserver((entries) => {
          for (const entry of entries) {
            const height = entry.borderBoxSize[0]?.blockSize ?? entry.contentRect.height;
            if (height <= 0) continue; // hidden: not laid out yet
            const el = entry.target as HTMLElement;
            measured?.unobserve(el);
            // The CSSOM is allowed under a strict CSP (no inline style attribute strings).
            el.style.setProperty("contain-intrinsic-size", `auto ${Math.ceil(height)}px`);
            el.style.setProperty("content-visibility", "auto");
          }
        })
      : null;

  function pageForNextBlock(): Page {
    if (!last || last.blocks >= PAGE_BLOCKS) {
      // The page filled before this one will not change size again: let it skip once measured.
      if (last) measured?.observe(last.el);
      const el = document.createElement("div");
      el.className = "sr-page";
      last = { el, blocks: 0 };
      content.appendChild(el);
    }
    return last;
  }

  return {
    append(block: HTMLElement): void {
      const page = pageForNextBlock();
      page.el.appendChild(block);
      page.blocks++;
      pageOf.set(block, page);
    },
    prepend(blocks: readonly HTMLElement[]): void {
      const fragment = document.createDocumentFragment();
      for (let i = 0; i < blocks.length; i += PAGE_BLOCKS) {
        const el = document.createElement("div");
        el.className = "sr-page";
        const page: Page = { el, blocks: 0 };
        for (const block of blocks.slice(i, i + PAGE_BLOCKS)) {
          el.appendChild(block);
          page.blocks++;
          pageOf.set(block, page);
        }
        fragment.appendChild(el);
        // Older pages never change size again: each may skip once measured (see above).
        measured?.observe(el);
      }
      content.insertBefore(fragment, content.firstChild);
    },
    remove(block: HTMLElement): void {
      const page = pageOf.get(block);
      block.remove();
      if (page && --page.blocks === 0 && page !== last) {
        measured?.unobserve(page.el);
        page.el.remove();
      }
    },
    clear(): void {
      measured?.disconnect();
      content.replaceChildren();
      last = null;
    },
    destroy(): void {
      measured?.disconnect();
      last = null;
    },
  };
}
