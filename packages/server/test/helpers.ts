import { fileURLToPath } from "node:url";

export const pkgDir = fileURLToPath(new URL("..", import.meta.url));
export const outDir = `${pkgDir}test-output`;
/** The real dashboard site, built from the UI's source by global-setup. */
export const siteDir = `${outDir}/site`;

/**
 * Bundles `entry` (a source file) into `test-output/<name>.js` for a child process, so a child never runs a
 * stale dist/. Packages that need their own files at run time (native or CommonJS ones) stay external; the
 * client and the mock's shutdown helper come from source, like everything else under test.
 */
export async function bundleForChild(name: string, entry: string, external: string[] = []): Promise<string> {
  const { build } = await import("tsup");
  const { join } = await import("node:path");
  await build({
    config: false,
    entry: { [name]: entry },
    outDir,
    format: ["esm"],
    platform: "node",
    target: "node20",
    dts: false,
    sourcemap: false,
    clean: false,
    silent: true,
    external,
    // The client's CommonJS dependency (isomorphic-ws) is bundled into this ESM file and requires Node builtins.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    esbuildOptions(options) {
      options.alias = {
        "@ductor/mock-server/shutdown": join(pkgDir, "../mock-server/src/shutdown.ts"),
        "@ductor/dashboard-client": join(pkgDir, "../client/src/index.ts"),
      };
    },
  });
  return join(outDir, `${name}.js`);
}

/** What the `ductor-dashboard` command needs installed beside it (not bundled). */
export const CLI_EXTERNALS = ["commander", "http-proxy-3", "sirv", "@ductor/mock-server", "ws", "better-sqlite3"];
