/**
 * @ductor/dashboard-ui: a framework-free DOM dashboard for ductor (browser only). The built static site ships
 * as the `./site/*` export; `@ductor/dashboard-server` serves it beside a real ductor.
 */
export { mount, type MountOptions, type MountSource, type MountedDashboard } from "./mount.js";
export {
  createStreamRenderer,
  type StreamRenderer,
  type StreamRendererOptions,
  type StreamFormat,
  type TurnInfo,
  type TurnHandle,
  type GapHandle,
  type EarlierItem,
  type PrependResult,
} from "./render/stream-renderer.js";
export type { Route } from "./app/types.js";
