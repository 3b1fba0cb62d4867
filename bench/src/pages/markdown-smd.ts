// Markdown variant: the `streaming-markdown` package behind the same interface, with its link and image
// attributes made safe (packages/ui-vanilla/src/render/markdown/smd-writer.ts).
import { createSmdWriter } from "../../../packages/ui-vanilla/src/render/markdown/smd-writer";
import { runBench } from "./harness";
import { markdownView } from "./markdown-view";

runBench("streaming-markdown", (root) => markdownView(root, (sink) => createSmdWriter(sink)));
