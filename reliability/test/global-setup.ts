import { fileURLToPath } from "node:url";
import { build } from "vite";

const ui = fileURLToPath(new URL("../../packages/ui-vanilla", import.meta.url));

/** The UI rows drive the real static site, built from source once per run. */
export default async function setup(): Promise<void> {
  await build({
    configFile: `${ui}/vite.config.ts`,
    logLevel: "warn",
    build: { outDir: fileURLToPath(new URL("../test-output/site", import.meta.url)), emptyOutDir: true, sourcemap: false },
  });
}
