import { fileURLToPath } from "node:url";
import { build } from "vite";

const pkg = fileURLToPath(new URL("..", import.meta.url));

/** Build the real static site and a test harness page from source, once per run. */
export default async function setup(): Promise<void> {
  const common = { configFile: `${pkg}/vite.config.ts`, logLevel: "warn" as const };
  await build({ ...common, build: { outDir: `${pkg}/test-output/site`, emptyOutDir: true, sourcemap: false } });
  await build({
    ...common,
    root: `${pkg}/test/harness`,
    build: { outDir: `${pkg}/test-output/harness`, emptyOutDir: true, sourcemap: false },
  });
}
