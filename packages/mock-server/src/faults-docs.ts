/**
 * The README's faults table, made from `FAULT_SPEC`. test/fault-spec.test.ts fails when the README
 * differs; `node scripts/faults-table.mjs --write` puts the current table in.
 */
import { FAULT_NAMES, FAULT_SPEC } from "./faults.js";

/** The table sits between these two lines in README.md. */
const FAULTS_TABLE_START = "<!-- faults table: generated from FAULT_SPEC in src/faults.ts by scripts/faults-table.mjs -->";
const FAULTS_TABLE_END = "<!-- end of faults table -->";

export function faultsTable(): string {
  const rows = FAULT_NAMES.map((name) => {
    const spec = FAULT_SPEC[name];
    const [long] = spec.flag.split(" ");
    const cli = spec.value.parse ? `${long} ${spec.docCliValue ?? spec.docValue}` : long;
    return `| \`${name}: ${spec.docValue}\` | \`${cli}\` | ${spec.effect} |`;
  });
  return ["| Option | CLI | Effect |", "|---|---|---|", ...rows].join("\n");
}

/** `readme` with the text between the markers replaced by the current table. */
export function withFaultsTable(readme: string): string {
  const start = readme.indexOf(FAULTS_TABLE_START);
  const end = readme.indexOf(FAULTS_TABLE_END);
  if (start < 0 || end < start) throw new Error("README.md: faults table markers not found");
  return `${readme.slice(0, start + FAULTS_TABLE_START.length)}\n${faultsTable()}\n${readme.slice(end)}`;
}
