// The UI's real stream renderer drawing plain text (its "Raw" format), fed by the same raw socket + JSON.parse as
// the parse-only floor, so the ratio isolates the cost of rendering. ui-renderer-markdown.ts is the same in markdown.
import { createStreamRenderer } from "../../../packages/ui-vanilla/src/render/stream-renderer";
import { runBench } from "./harness";

runBench("ui-renderer", (root) => {
  const renderer = createStreamRenderer(root, { format: "plain" });
  (globalThis as { __benchCheck?: () => unknown }).__benchCheck = () => ({ ...renderer.stats(), tail: renderer.text().slice(-200) });
  return {
    handle(event) {
      if (event.type === "text_delta") renderer.append(event.data as string);
      else if (event.type === "tool_activity") renderer.tool(event.data as string);
    },
  };
});
