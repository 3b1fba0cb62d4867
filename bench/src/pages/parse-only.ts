// The floor: receive and JSON.parse each frame, touch no DOM.
import { runBench } from "./harness";

let characters = 0;
runBench("parse-only", {
  handle(event) {
    if (typeof event.data === "string") characters += event.data.length;
  },
});
(globalThis as { __chars?: () => number }).__chars = () => characters;
