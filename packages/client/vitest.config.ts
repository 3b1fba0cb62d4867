import { defineProject } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.js";

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
  },
});
