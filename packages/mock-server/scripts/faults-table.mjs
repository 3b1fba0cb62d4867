#!/usr/bin/env node
/**
 * Prints the README's faults table as FAULT_SPEC (src/faults.ts) makes it; `--write` puts it into
 * README.md between its markers. test/fault-spec.test.ts fails while the two differ.
 *
 *   node scripts/faults-table.mjs [--write]
 *
 * The spec is TypeScript, so it is bundled first (tsup, as the CLI tests do) into test-output/.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "tsup";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(pkg, "test-output", "faults-table");
await build({ entry: { "faults-docs": join(pkg, "src/faults-docs.ts") }, outDir, format: ["esm"], silent: true });
const { faultsTable, withFaultsTable } = await import(pathToFileURL(join(outDir, "faults-docs.js")).href);

if (process.argv.includes("--write")) {
  const readmePath = join(pkg, "README.md");
  const before = readFileSync(readmePath, "utf8");
  const after = withFaultsTable(before);
  if (after !== before) writeFileSync(readmePath, after);
  console.log(after === before ? "README.md: faults table already up to date" : "README.md: faults table rewritten");
} else {
  console.log(faultsTable());
}
