#!/usr/bin/env node
// Every .changeset/*.md must be one changesets can read: a front matter block naming known packages with a
// bump type, then a summary. A formatter once turned the front matter into a heading; nothing else noticed.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const known = new Set(
  readdirSync(join(root, "packages")).map((dir) => JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8")).name),
);
const problems = [];
for (const file of readdirSync(join(root, ".changeset")).filter((f) => f.endsWith(".md") && f !== "README.md")) {
  const text = readFileSync(join(root, ".changeset", file), "utf8");
  const m = /^---\n([\s\S]*?)\n---\n\s*\S/.exec(text);
  if (!m) {
    problems.push(`${file}: no front matter (--- / "package": bump / ---) followed by a summary`);
    continue;
  }
  for (const line of m[1].split("\n").filter((l) => l.trim())) {
    const entry = /^"([^"]+)": (major|minor|patch)$/.exec(line.trim());
    if (!entry) problems.push(`${file}: not a "package": major|minor|patch line: ${line}`);
    else if (!known.has(entry[1])) problems.push(`${file}: unknown package ${entry[1]}`);
  }
}
if (problems.length) {
  console.error(`check-changesets:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
