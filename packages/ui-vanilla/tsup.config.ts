import { copyFileSync, mkdirSync } from "node:fs";
import { defineConfig } from "tsup";

// The library entry. `pnpm build` runs tsup first, then vite into dist/site, so neither wipes the other: the
// build script clears dist/ itself and tsup keeps clean: false.
export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: false,
  external: ["@ductor/dashboard-client"],
  target: "es2022",
  platform: "browser",
  onSuccess: async () => {
    mkdirSync("dist", { recursive: true });
    copyFileSync("src/styles.css", "dist/style.css");
  },
});
