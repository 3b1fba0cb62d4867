// One text node per event and keep the view pinned to the bottom: forced layout on every event.
import { runBench } from "./harness";

runBench("node per event + scroll", (root) => {
  const pre = root.appendChild(document.createElement("pre"));
  pre.className = "scroller";
  return {
    handle(event) {
      const text = event.type === "text_delta" ? (event.data as string) : `\n[${event.type}: ${String(event.data)}]\n`;
      pre.appendChild(document.createTextNode(text));
      pre.scrollTop = pre.scrollHeight;
    },
  };
});
