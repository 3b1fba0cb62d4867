import { appendFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const file = fileURLToPath(new URL("../test-output/figures.jsonl", import.meta.url));

/** Measured figures (detection times, reconnect spreads) for the README's Reliability section. */
export function recordFigure(name: string, value: number, context: Record<string, unknown> = {}): void {
  mkdirSync(fileURLToPath(new URL("../test-output/", import.meta.url)), { recursive: true });
  appendFileSync(file, `${JSON.stringify({ name, value, ...context, at: new Date().toISOString() })}\n`);
  console.log(`[figure] ${name}: ${value} ${JSON.stringify(context)}`);
}
