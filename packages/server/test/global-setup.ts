import { fileURLToPath } from "node:url";
import { build } from "vite";

const ui = fileURLToPath(new URL("../../ui-vanilla", import.meta.url));
const out = fileURLToPath(new URL("../test-output/site", import.meta.url));

/** Build the real dashboard site from the UI's source, once per run, for the server to serve. */
export default async function setup(): Promise<void> {
  await build({ configFile: `${ui}/vite.config.ts`, logLevel: "warn", build: { outDir: out, emptyOutDir: true, sourcemap: false } });
}
