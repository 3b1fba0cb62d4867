import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: ["src/index.ts", "src/shutdown.ts"],
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "es2022",
    // import.meta.url in CJS: recordings are found relative to the built file in both formats.
    shims: true,
  },
  {
    // The bin: ESM only (package.json "type": "module"), with a shebang.
    entry: ["src/cli.ts"],
    format: ["esm"],
    dts: false,
    sourcemap: true,
    clean: false,
    target: "es2022",
    shims: true,
    banner: { js: "#!/usr/bin/env node" },
  },
]);
