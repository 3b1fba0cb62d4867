/**
 * What the route handlers may see of the server: the token check is done before them, so they only
 * need the data folder, the current REST snapshots of the replay, and live counters.
 */
import type { IncomingMessage } from "node:http";
import type { Reply } from "../http.js";
import type { Snapshot } from "../recording.js";
import type { TimeShift } from "../timeshift.js";

export interface RouteContext {
  /** The data folder (sessions.json, tasks.json, logs/), when there is one. */
  dataDir: string | undefined;
  /** The latest replayed snapshot for a REST path (used when there is no data folder). */
  snapshot(path: string): Snapshot | undefined;
  /** What /dashboard/status reports, un-swapped; the route swaps it like ductor does. */
  runtime(): { provider: string; model: string };
  /** Whole seconds since the server started (monotonic). */
  uptimeSeconds(): number;
  /** Open /dashboard/stream sockets, including ones that are closing (like ductor's set). */
  dashboardConnections(): number;
  /** With `shiftTimes`: moves the data folder's times (the recording's are moved once, at load). */
  timeShift?: TimeShift;
}

export interface RouteRequest {
  req: IncomingMessage;
  /** Percent-decoded path parameter, for `/dashboard/logs/{filename}`. */
  param?: string;
}

export type Handler = (r: RouteRequest, ctx: RouteContext) => Reply | Promise<Reply>;
