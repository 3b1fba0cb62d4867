// Control for the markdown variants: the same view (markdown-view.ts) drawing plain text the way the stream
// renderer does (8 KB chunk blocks cut after a newline), so the markdown rows differ from it only by the writer.
import { nextCut } from "../../../packages/ui-vanilla/src/render/text-chunks";
import { runBench } from "./harness";
import { markdownView } from "./markdown-view";

runBench("plain text (same view)", (root) =>
  markdownView(root, (sink) => {
    let chunk: { el: HTMLElement; block: ReturnType<typeof sink.addBlock>; chars: number } | null = null;
    return {
      write(text) {
        while (text.length) {
          if (!chunk) {
            const el = document.createElement("div");
            el.className = "sr-chunk";
            chunk = { el, block: sink.addBlock(el, 0), chars: 0 };
          }
          const { take, closes } = nextCut(text, chunk.chars, 8192);
          chunk.el.appendChild(document.createTextNode(text.slice(0, take)));
          chunk.chars += take;
          sink.grow(chunk.block, take);
          if (closes) chunk = null;
          text = text.slice(take);
        }
      },
      end() {
        chunk = null;
      },
      reset() {
        chunk = null;
      },
    };
  }),
);
