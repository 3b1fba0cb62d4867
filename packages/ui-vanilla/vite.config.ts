import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The static site: index.html + src/site/main.ts → dist/site (tsup owns the rest of dist/).
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  publicDir: false,
  resolve: {
    alias: {
      // Build the site from the sibling package's source so it never bundles a stale client build.
      "@ductor/dashboard-client": fileURLToPath(new URL("../client/src/index.ts", import.meta.url)),
    },
  },
  build: {
    outDir: "dist/site",
    emptyOutDir: true,
    target: "es2022",
    modulePreload: { polyfill: false },
    sourcemap: false,
    assetsInlineLimit: 0,
  },
});
