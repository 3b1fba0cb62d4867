import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

// The matrix drives the packages' sources, so a run never depends on a stale build.
const src = (pkg: string) => fileURLToPath(new URL(`../packages/${pkg}/src/index.ts`, import.meta.url));

export default defineProject({
  resolve: {
    alias: {
      "@ductor/mock-server": src("mock-server"),
      "@ductor/dashboard-client": src("client"),
    },
  },
  test: {
    name: "reliability",
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
