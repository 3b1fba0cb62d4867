import { defineProject } from "vitest/config";
import { sourceAliases } from "../vitest.shared.js";

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    // expect.poll gives up after 1 s by default: too short for a loaded 2-core machine (CI may share it).
    expect: { poll: { timeout: 10_000 } },
    name: "reliability",
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
