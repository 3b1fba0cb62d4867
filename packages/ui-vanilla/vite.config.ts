import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

/**
 * The site ships a recorded session (the mock server's "coding-session") at demo/coding-session.jsonl, and
 * index.html names it in a meta tag: the built site alone, on any static host, is an offline demo.
 */
function demoRecording(): Plugin {
  const source = fileURLToPath(new URL("../mock-server/recordings/coding-session.jsonl", import.meta.url));
  return {
    name: "ductor-demo-recording",
    apply: "build",
    generateBundle() {
      this.emitFile({ type: "asset", fileName: "demo/coding-session.jsonl", source: readFileSync(source) });
    },
  };
}

// The static site: index.html + src/site/main.ts → dist/site (tsup owns the rest of dist/).
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  publicDir: false,
  plugins: [demoRecording()],
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
