import { copyFileSync, mkdirSync } from "node:fs";
import { defineConfig } from "tsup";

// Library and Node entries. `pnpm build` runs tsup first, then vite into dist/site, so neither wipes the
// other: the build script clears dist/ itself and both tsup configs keep clean: false.
export default defineConfig([
  {
    entry: { index: "src/index.ts", serve: "src/serve.ts" },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: false,
    shims: true,
    external: ["@ductor/dashboard-client", "@ductor/mock-server"],
    target: "es2022",
    onSuccess: async () => {
      mkdirSync("dist", { recursive: true });
      copyFileSync("src/styles.css", "dist/style.css");
    },
  },
  {
    entry: { cli: "src/cli.ts", demo: "src/demo.ts" },
    format: ["esm"],
    dts: false,
    sourcemap: true,
    clean: false,
    target: "node20",
    platform: "node",
    external: ["@ductor/dashboard-client", "@ductor/mock-server"],
  },
]);
