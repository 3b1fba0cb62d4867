#!/usr/bin/env node
// Browser tests and benchmarks drive Debian's Chromium (a test tool's own browser download cannot work on our
// machines). A fresh machine has none, so the test command installs it when it can, and otherwise says why not.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(Boolean);
const found = () => candidates.find((path) => existsSync(path));

if (!found()) {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const hasApt = existsSync("/usr/bin/apt-get");
  if (!isRoot || !hasApt) {
    console.error(
      "Chromium is needed for the browser tests and was not found.\n" +
        "Install Debian's package (apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary.",
    );
    process.exit(1);
  }
  console.log("Installing Debian's chromium for the browser tests…");
  const run = (args) =>
    execFileSync("apt-get", args, { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  run(["update", "-qq"]);
  run(["install", "-y", "-qq", "--no-install-recommends", "chromium"]);
  if (!found()) {
    console.error(`apt-get finished but no chromium binary appeared at ${candidates.join(", ")}`);
    process.exit(1);
  }
}
console.log(`chromium: ${found()}`);
