import { defineConfig } from "tsup";

export default defineConfig([
  {
    // The library: startDashboardServer() and its types.
    entry: { index: "src/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: false,
    shims: true,
    target: "node20",
    platform: "node",
  },
  {
    // The `ductor-dashboard` command (serve, demo, tail).
    entry: { cli: "src/cli.ts" },
    format: ["esm"],
    dts: false,
    sourcemap: true,
    clean: false,
    target: "node20",
    platform: "node",
  },
]);
