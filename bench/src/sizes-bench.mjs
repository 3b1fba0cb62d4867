// Minified + gzipped sizes, all measured the same way: esbuild bundle for the browser, minified, gzip -9.
import { gzipSync } from "node:zlib";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("../../", import.meta.url));

async function bundleSize(contents, resolveDir) {
  const result = await build({
    stdin: { contents, resolveDir, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  return { minBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}

async function siteAssets() {
  const dir = `${root}packages/ui-vanilla/dist/site/assets/`;
  let minBytes = 0;
  let gzipBytes = 0;
  try {
    for (const file of await readdir(dir)) {
      if (!/\.(js|css)$/.test(file)) continue;
      const bytes = await readFile(dir + file);
      minBytes += bytes.length;
      gzipBytes += gzipSync(bytes, { level: 9 }).length;
    }
  } catch {
    return null;
  }
  return { minBytes, gzipBytes };
}

export async function runSizesBench() {
  const bench = `${root}bench`;
  return [
    { name: "@ductor/dashboard-client", ...(await bundleSize(`export * from "@ductor/dashboard-client";`, bench)) },
    { name: "@ductor/dashboard-ui (mount, with client)", ...(await bundleSize(`export * from "@ductor/dashboard-ui";`, bench)) },
    { name: "static site assets (vite: js + css)", ...((await siteAssets()) ?? { minBytes: NaN, gzipBytes: NaN }) },
    {
      name: "baseline: react + react-dom (createRoot + render)",
      ...(await bundleSize(
        `import { createElement } from "react"; import { createRoot } from "react-dom/client";
        createRoot(document.body).render(createElement("div"));`,
        bench,
      )),
    },
  ];
}
