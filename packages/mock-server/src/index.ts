/** Public API of @ductor/mock-server. Everything else in src/ is internal. */
export { startMockServer } from "./server.js";
export type { MockServer, MockServerOptions, SentFrame } from "./server.js";
export type { Faults, MalformedKind } from "./faults.js";
export { MALFORMED_KINDS } from "./faults.js";
export {
  BUNDLED_RECORDINGS,
  parseRecording,
  readRecording,
  RecordingError,
  recordingsDir,
  resolveRecording,
  serializeEntry,
  serializeHeader,
  serializeRecording,
  writeRecording,
} from "./recording.js";
export type { Recording, RecordingEntry, RecordingHeader, ResolvedRecording, Snapshot, StreamFrame } from "./recording.js";
export { pyJson, pyFloat, reformatPyJson } from "./pyjson.js";
export { record } from "./record.js";
export type { RecordOptions, RecordResult } from "./record.js";
