import { fileURLToPath } from "node:url";

export const pkgDir = fileURLToPath(new URL("..", import.meta.url));
export const outDir = `${pkgDir}test-output`;
/** The real dashboard site, built from the UI's source by global-setup. */
export const siteDir = `${outDir}/site`;
