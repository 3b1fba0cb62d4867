/**
 * What the route handlers may see of the server: auth is done before them, so they need the data
 * folder, the current REST snapshots of the replay, live counters, the faults in force and, for the
 * stream's handshake, the WebSocket side.
 */
import type { IncomingMessage } from "node:http";
import type { WebSocketServer } from "ws";
import type { Faults } from "../faults.js";
import type { Reply } from "../http.js";
import type { Snapshot } from "../recording.js";
import type { StreamHub } from "../stream.js";
import type { TimeShift } from "../timeshift.js";
import type { FileReply } from "./logs.js";

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
  /** The faults in force now (`setFaults` replaces them at run time). */
  faults(): Faults;
  stream: StreamEndpoint;
}

/** What the `/dashboard/stream` and `/ws` handshakes work with. */
interface StreamEndpoint {
  wss: WebSocketServer;
  hub: StreamHub;
  /** Most authenticated stream sockets at once; undefined: no limit. */
  maxConnections: number | undefined;
  /** Handshakes accepted but not yet handed to the hub, so a burst cannot slip past `maxConnections`. */
  handshaking: number;
}

export interface RouteRequest {
  req: IncomingMessage;
  /** Percent-decoded path parameter, for `/dashboard/logs/{filename}`. */
  param?: string;
}

/** A handler's answer: a Reply, or a file to stream (`/dashboard/logs/{filename}`). */
export type Answer = Reply | FileReply;

export type Handler = (r: RouteRequest, ctx: RouteContext) => Answer | Promise<Answer>;
