/**
 * ductor's route table (protocol.md §1), as data. One route per path, like ductor's; the order only
 * matters for reading. `/dashboard/*` routes are wrapped with the HTTP status fault (http-faults.ts).
 */
import { withDashboardFaults } from "../http-faults.js";
import { files } from "./files.js";
import { health } from "./health.js";
import { logsFile, logsList } from "./logs.js";
import type { Route } from "./route.js";
import { sessions } from "./sessions.js";
import { status } from "./status.js";
import { streamUpgrade } from "./stream.js";
import { tasks } from "./tasks.js";
import { upload } from "./upload.js";
import { chatUpgrade } from "./ws.js";

const DUCTOR_ROUTES: readonly Route[] = [
  { method: "GET", pattern: "/health", auth: "none", handler: health },
  { method: "GET", pattern: "/dashboard/status", auth: "bearer", handler: status },
  { method: "GET", pattern: "/dashboard/sessions", auth: "bearer", handler: sessions },
  { method: "GET", pattern: "/dashboard/tasks", auth: "bearer", handler: tasks },
  { method: "GET", pattern: "/dashboard/logs", auth: "bearer", handler: logsList },
  { method: "GET", pattern: "/dashboard/logs/{filename}", auth: "bearer", handler: logsFile },
  { method: "GET", pattern: "/dashboard/stream", auth: "query-token", upgrade: streamUpgrade },
  { method: "GET", pattern: "/ws", auth: "none", upgrade: chatUpgrade },
  { method: "GET", pattern: "/files", auth: "bearer", handler: files },
  { method: "POST", pattern: "/upload", auth: "bearer", handler: upload },
];

export const ROUTES: readonly Route[] = DUCTOR_ROUTES.map(withDashboardFaults);
