// What a naive page does: grow one string in one element.
import { runBench } from "./harness";

runBench("textContent +=", (root) => {
  const pre = root.appendChild(document.createElement("pre"));
  return {
    handle(event) {
      if (event.type === "text_delta") pre.textContent += event.data as string;
      else pre.textContent += `\n[${event.type}: ${String(event.data)}]\n`;
    },
  };
});
