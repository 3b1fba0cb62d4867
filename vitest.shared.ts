import { fileURLToPath } from "node:url";

const source = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

/**
 * Tests import sibling packages from source, so that a test run never depends on a stale build and a
 * change in one package is tested against its users at once.
 */
export const sourceAliases = {
  // Subpaths first: an alias also matches everything below its key.
  "@ductor/mock-server/shutdown": fileURLToPath(new URL("./packages/mock-server/src/shutdown.ts", import.meta.url)),
  "@ductor/mock-server": source("mock-server"),
  "@ductor/dashboard-client": source("client"),
  // The UI's browser tests serve the site through the real server. Not a package dependency of the UI (the
  // server depends on the UI for its site): an alias keeps the package graph acyclic.
  "@ductor/dashboard-server": source("server"),
};
