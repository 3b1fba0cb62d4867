import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

// Tests import sibling packages from source so that a test run never depends on a stale build.
const src = (pkg: string) => fileURLToPath(new URL(`../${pkg}/src/index.ts`, import.meta.url));

export default defineProject({
  resolve: {
    alias: {
      "@ductor/mock-server": src("mock-server"),
      "@ductor/dashboard-client": src("client"),
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
