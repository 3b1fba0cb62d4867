export { DashboardClient } from "./client.js";
export type { DashboardClientOptions, HistoryResource, LogsResource } from "./client.js";
export type { RequestOptions } from "./core/request.js";
export type { ListResult, SkippedEntry } from "./core/validate.js";
export {
  APIError,
  AbortError,
  AuthenticationError,
  BadRequestError,
  ConnectionError,
  DashboardError,
  FrameTooLargeError,
  InternalServerError,
  ListenerError,
  NotFoundError,
  ProtocolError,
  RangeNotSatisfiableError,
  ResponseTooLargeError,
  ServiceUnavailableError,
  TimeoutError,
} from "./errors.js";
export type { Health } from "./resources/health.js";
export { SERVER_NAME } from "./resources/servers.js";
export type { RelayServer } from "./resources/servers.js";
export { KNOWN_PROVIDERS } from "./resources/status.js";
export type { Status } from "./resources/status.js";
export type { ProviderSession, Session, SessionList } from "./resources/sessions.js";
export type { Task, TaskList, TaskStatus } from "./resources/tasks.js";
export type { LogChunk, LogFile, LogFileList, LogReadOptions } from "./resources/logs.js";
export type {
  HistoryEvent,
  HistoryExportOptions,
  HistoryPage,
  HistoryPageOptions,
  HistoryPosition,
  HistorySearchOptions,
  SearchHit,
  HistoryUsageOptions,
  UsageSample,
} from "./resources/history.js";
export { burnRate, cumulativeBySession, spentPerDay, spentPerSession, spentToday } from "./usage/spend.js";
export type { CumulativeSeries, DaySpent, SessionSpent, Spent } from "./usage/spend.js";
export { findSeqAt } from "./resources/seq-at.js";
export type { HistoryPager, SeqAtOptions } from "./resources/seq-at.js";
export { backoffDelay } from "./internal/backoff.js";
export type { BackoffOptions } from "./internal/backoff.js";
export { decodeFrame } from "./stream/events.js";
export type {
  FrameWarning,
  GapEvent,
  Numbered,
  PingFrame,
  RelayInfo,
  StreamDataEvent,
  StreamFrame,
  SystemStatusEvent,
  TextDeltaEvent,
  ToolActivityEvent,
  UpstreamEvent,
  UpstreamState,
} from "./stream/events.js";
export { DashboardStream } from "./stream/stream.js";
export type {
  CloseEvent,
  OpenEvent,
  ReconnectingEvent,
  StreamEventMap,
  StreamEventType,
  StreamOptions,
  StreamState,
  StreamTransport,
} from "./stream/types.js";
export type { WebSocketConstructor, WebSocketLike } from "./stream/socket.js";
export { TurnSegmenter } from "./activity/turns.js";
export type { ToolCall, Turn, TurnEvent, TurnOptions, TurnSession, TurnStart } from "./activity/turns.js";
export { ActivityState } from "./activity/activity.js";
export type { Activity, ActivityInput, ActivityOptions } from "./activity/activity.js";
export { createActivityTracker } from "./activity/tracker.js";
export type { ActivitySource, ActivityTracker, ActivityTrackerOptions } from "./activity/tracker.js";
