/**
 * @ductor/dashboard-server: the ductor dashboard served beside a real ductor (Node only). The command is
 * `ductor-dashboard serve` / `ductor-dashboard demo`; this is the same server as a library.
 */
export { startDashboardServer, CONTENT_SECURITY_POLICY, type DashboardServer, type DashboardServerOptions } from "./serve.js";
