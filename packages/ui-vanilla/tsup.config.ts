import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { defineConfig } from "tsup";

// The library entry. `pnpm build` runs tsup first, then vite into dist/site, so neither wipes the other: the
// build script clears dist/ itself and tsup keeps clean: false.
export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: false,
  // The client is the one runtime dependency; uPlot (a devDependency) is bundled in.
  external: ["@ductor/dashboard-client"],
  noExternal: ["uplot"],
  // CSS imported by the source (uPlot's) goes into dist/style.css below, not into the JS.
  loader: { ".css": "empty" },
  target: "es2022",
  platform: "browser",
  onSuccess: async () => {
    mkdirSync("dist", { recursive: true });
    // One stylesheet: uPlot's (the charts' layout), then ours. The site gets the same from vite.
    const uplotCss = readFileSync(createRequire(import.meta.url).resolve("uplot/dist/uPlot.min.css"), "utf8");
    writeFileSync("dist/style.css", `/* uPlot (MIT) */\n${uplotCss.trim()}\n\n${readFileSync("src/styles.css", "utf8")}`);
  },
});
