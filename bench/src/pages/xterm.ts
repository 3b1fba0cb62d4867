// xterm.js: a terminal emulator with its own batched renderer and a bounded scrollback.
import { Terminal } from "@xterm/xterm";
import { nextPaint, runBench } from "./harness";

runBench("xterm.js", (root) => {
  const term = new Terminal({ cols: 160, rows: 45, scrollback: 5000, convertEol: true });
  term.open(root);
  let lastWrite: Promise<void> = Promise.resolve();
  return {
    handle(event) {
      const text = event.type === "text_delta" ? (event.data as string) : `\n[${event.type}: ${String(event.data)}]\n`;
      lastWrite = new Promise((resolve) => term.write(text, resolve));
    },
    async painted() {
      await lastWrite;
      await nextPaint();
    },
  };
});
