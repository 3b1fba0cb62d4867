/**
 * The recorder: connects to a live ductor (or a mock acting as one), writes the header, REST
 * snapshots and every stream frame with its time offset. Each line is written synchronously to the
 * file descriptor, so an abort or Ctrl-C never loses a frame that already arrived.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { WebSocket } from "ws";
import { serializeEntry, serializeHeader, type RecordingHeader, type StreamFrame } from "./recording.js";

export interface RecordOptions {
  /** ductor's base URL, e.g. "http://127.0.0.1:8741". */
  url: string;
  token: string;
  /** The `.jsonl` file to write (created or truncated). */
  out: string;
  /** Stop recording when aborted; the file is complete up to that moment. */
  signal?: AbortSignal;
  /** Re-snapshot the REST endpoints this often (ms). Default 0: only once, at the start. */
  snapshotEveryMs?: number;
}

export interface RecordResult {
  events: number;
  snapshots: number;
  /** Why recording stopped: "aborted", or the stream's close code (1001 when ductor shut down). */
  stoppedBy: "aborted" | number;
}

const SNAPSHOT_PATHS = ["/dashboard/status", "/dashboard/sessions", "/dashboard/tasks", "/dashboard/logs"] as const;
const KNOWN_PROVIDERS = new Set(["claude", "codex", "gemini", "antigravity", "grok"]);

/** The un-swapped (provider, model) from a ductor status body: the provider is whichever field holds a known id. */
function runtimeFrom(body: unknown): { provider?: string; model?: string } {
  if (typeof body !== "object" || body === null) return {};
  const { provider, model } = body as { provider?: unknown; model?: unknown };
  const p = typeof provider === "string" ? provider : undefined;
  const m = typeof model === "string" ? model : undefined;
  if (m !== undefined && KNOWN_PROVIDERS.has(m)) return { provider: m, model: p }; // ductor's swap
  return { provider: p, model: m };
}

export async function record(options: RecordOptions): Promise<RecordResult> {
  const base = options.url.replace(/\/+$/, "");
  const headers = { authorization: `Bearer ${options.token}` };
  const signal = options.signal;
  if (signal?.aborted) throw signal.reason ?? new Error("aborted");

  async function fetchSnapshot(path: string): Promise<{ path: string; status: number; body: unknown }> {
    const res = await fetch(base + path, { headers, signal });
    const text = await res.text();
    let body: unknown = text;
    if ((res.headers.get("content-type") ?? "").includes("json")) {
      try {
        body = JSON.parse(text);
      } catch {
        // keep the text: a broken body is worth recording as it was
      }
    }
    return { path, status: res.status, body };
  }

  // Fail early (before creating the file) on a wrong URL or token.
  const status = await fetchSnapshot("/dashboard/status");
  if (status.status === 401) throw new Error(`record: ${base} rejected the token (401)`);

  const fd = openSync(options.out, "w");
  const startedAt = Date.now();
  const t0 = performance.now();
  const now = () => Math.round(performance.now() - t0);
  let closedFd = false;
  const writeLine = (line: string) => {
    if (!closedFd) writeSync(fd, `${line}\n`);
  };
  let events = 0;
  let snapshots = 0;

  const header: RecordingHeader = {
    ductorRecording: 1,
    recordedAt: new Date(startedAt).toISOString(),
    source: base,
    ...runtimeFrom(status.body),
  };
  writeLine(serializeHeader(header));
  const writeSnapshot = (snapshot: { path: string; status: number; body: unknown }, t: number) => {
    writeLine(serializeEntry({ t, snapshot }));
    snapshots++;
  };
  writeSnapshot(status, 0);

  let snapshotTimer: NodeJS.Timeout | undefined;
  let snapshotting = false;
  const takeSnapshots = async (paths: readonly string[]) => {
    if (snapshotting) return; // a slow server must not pile up overlapping rounds
    snapshotting = true;
    try {
      for (const p of paths) {
        const snap = await fetchSnapshot(p);
        writeSnapshot(snap, now());
      }
    } catch {
      // a failed snapshot round (network blip, abort) is skipped; the stream is what matters
    } finally {
      snapshotting = false;
    }
  };

  return new Promise<RecordResult>((resolve, reject) => {
    const wsUrl = `${base.replace(/^http/, "ws")}/dashboard/stream?token=${encodeURIComponent(options.token)}`;
    const ws = new WebSocket(wsUrl);
    let authed = false;
    let settled = false;
    const finish = (result: RecordResult | Error) => {
      if (settled) return;
      settled = true;
      clearInterval(snapshotTimer);
      signal?.removeEventListener("abort", onAbort);
      if (!closedFd) {
        closedFd = true;
        closeSync(fd);
      }
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onAbort = () => {
      ws.close(1000);
      finish({ events, snapshots, stoppedBy: "aborted" });
    };
    signal?.addEventListener("abort", onAbort, { once: true });

    ws.on("message", (data, isBinary) => {
      if (isBinary) return; // ductor never sends binary frames; nothing to record
      const text = data.toString();
      let frame: unknown;
      try {
        frame = JSON.parse(text);
      } catch {
        return; // not JSON: not a ductor frame
      }
      if (typeof frame !== "object" || frame === null || typeof (frame as StreamFrame).type !== "string") return;
      if (!authed && (frame as StreamFrame).type === "ping") {
        // The auth proof, not an event. Take the remaining snapshots now that we know the time base.
        authed = true;
        void takeSnapshots(SNAPSHOT_PATHS.slice(1));
        if (options.snapshotEveryMs) {
          snapshotTimer = setInterval(() => void takeSnapshots(SNAPSHOT_PATHS), options.snapshotEveryMs);
        }
        return;
      }
      writeLine(serializeEntry({ t: now(), event: frame as StreamFrame }));
      events++;
    });
    ws.on("error", () => {}); // "close" follows and carries the outcome
    ws.on("close", (code) => {
      if (code === 1008) finish(new Error(`record: the stream rejected the token (1008)`));
      else finish({ events, snapshots, stoppedBy: code });
    });
  });
}
