/**
 * @ductor/dashboard-server: the ductor dashboard served beside a real ductor (Node only). The command is
 * `ductor-dashboard serve` / `ductor-dashboard demo`; this is the same server as a library. With ductor's token
 * the server is the recording relay (`server.relay`): see the README's "Relay" section for the viewer wire.
 */
export { startDashboardServer, CONTENT_SECURITY_POLICY, type DashboardServer, type DashboardServerOptions } from "./serve.js";
export type { Relay, RelayLog, RelayStats, RelayTuning } from "./relay/relay.js";
export type { UpstreamTuning } from "./relay/upstream.js";
export type { HistoryEvent, HistoryStore, SearchHit } from "./history/store.js";
