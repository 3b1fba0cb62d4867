/**
 * @ductor/dashboard-ui: a framework-free DOM dashboard for ductor (browser entry, no Node imports).
 */
export { mount, type MountOptions, type MountSource, type MountedDashboard } from "./mount.js";
export {
  createStreamRenderer,
  type StreamRenderer,
  type StreamRendererOptions,
  type GapHandle,
} from "./render/stream-renderer.js";
export { createFinder, type Finder, type FindState, type FinderOptions } from "./render/find.js";
export { h, setAttr, isAllowedAttr } from "./dom.js";
export { formatUptime, formatRelative, formatBytes, formatDuration, formatCost, formatCount, formatClock } from "./format.js";
export type { Route } from "./app/types.js";
