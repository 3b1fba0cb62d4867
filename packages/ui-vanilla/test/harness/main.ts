// Test-only page: exposes the library's public API so tests can call mount()/destroy() and drive the renderer.
import "../../src/styles.css";
import * as api from "../../src/index.js";

(globalThis as unknown as { __dd: typeof api }).__dd = api;
