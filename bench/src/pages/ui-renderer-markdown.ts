// The UI's real stream renderer in its default format, markdown (the same page as ui-renderer.ts otherwise), fed
// by the same raw socket + JSON.parse as the parse-only floor.
import { createStreamRenderer } from "../../../packages/ui-vanilla/src/render/stream-renderer";
import { runBench } from "./harness";

runBench("ui-renderer-markdown", (root) => {
  const renderer = createStreamRenderer(root, { format: "markdown" });
  (globalThis as { __benchCheck?: () => unknown }).__benchCheck = () => ({ ...renderer.stats(), tail: renderer.text().slice(-200) });
  return {
    handle(event) {
      if (event.type === "text_delta") renderer.append(event.data as string);
      else if (event.type === "tool_activity") renderer.tool(event.data as string);
    },
  };
});
