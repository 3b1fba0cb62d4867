// Markdown variant: the UI's own incremental writer (packages/ui-vanilla/src/render/markdown).
import { createMarkdownWriter } from "../../../packages/ui-vanilla/src/render/markdown/index";
import { runBench } from "./harness";
import { markdownView } from "./markdown-view";

runBench("markdown writer", (root) => markdownView(root, (sink) => createMarkdownWriter(sink)));
