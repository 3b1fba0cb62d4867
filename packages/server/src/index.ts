/**
 * @ductor/dashboard-server: the ductor dashboard served beside a real ductor (Node only). The command is
 * `ductor-dashboard serve` / `ductor-dashboard demo`; this is the same server as a library. With ductor's token
 * the server is the recording relay (`server.relay`): see the README's "Relay" section for the viewer wire.
 * With `ductors` it serves several ductors, each under `/s/<name>/` with its own token, relay and history.
 */
export {
  startDashboardServer,
  CONTENT_SECURITY_POLICY,
  type DashboardServer,
  type DashboardServerOptions,
  type DuctorOptions,
  type ServedDuctor,
} from "./serve.js";
export type { Relay, RelayLog, RelayStats, RelayTuning } from "./relay/relay.js";
export type { UpstreamTuning } from "./relay/upstream.js";
export type { HistoryEvent, HistoryStore, SearchHit } from "./history/store.js";
