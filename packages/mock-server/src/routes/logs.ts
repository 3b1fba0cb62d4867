/**
 * `GET /dashboard/logs` (listing) and `GET /dashboard/logs/{filename}` (one file, served like
 * aiohttp's FileResponse: Range → 206/416, ETag/Last-Modified, conditional requests → 304/412).
 */
import { createReadStream } from "node:fs";
import type { BigIntStats } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { join } from "node:path";
import { jsonReply, pyFloat, type Reply, SERVER_HEADER, TEXT_TYPE } from "../http.js";
import type { Handler, RouteContext, RouteRequest } from "./context.js";

/** st_mtime as Python computes it (`sec + nsec * 1e-9`), so the float matches ductor's digits. */
function pyMtime(st: BigIntStats): number {
  const sec = st.mtimeNs / 1_000_000_000n;
  const nsec = st.mtimeNs % 1_000_000_000n;
  return Number(sec) + Number(nsec) * 1e-9;
}

/**
 * A data folder may pin its log files' mtimes in `log-mtimes.json` (`{"agent.log": 1776772842.44}`): git and
 * `npm pack` do not keep mtimes, and without them the bundled logs would list in checkout order, not
 * ductor's newest-first. Files it does not name keep their real mtime.
 */
export const LOG_MTIMES_FILE = "log-mtimes.json";

async function pinnedMtimes(dataDir: string): Promise<Record<string, number>> {
  try {
    const pinned: unknown = JSON.parse(await readFile(join(dataDir, LOG_MTIMES_FILE), "utf8"));
    if (!pinned || typeof pinned !== "object" || Array.isArray(pinned)) return {};
    return Object.fromEntries(
      Object.entries(pinned).filter((entry): entry is [string, number] => typeof entry[1] === "number" && Number.isFinite(entry[1])),
    );
  } catch {
    return {};
  }
}

export const logsList: Handler = async (_r, ctx) => {
  if (ctx.dataDir === undefined) {
    const snap = ctx.snapshot("/dashboard/logs");
    return snap ? jsonReply(snap.body, snap.status) : jsonReply([]);
  }
  const dir = join(ctx.dataDir, "logs");
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return jsonReply([]);
    throw e;
  }
  const pinned = await pinnedMtimes(ctx.dataDir);
  const files: { name: string; size: number; mtime: number }[] = [];
  for (const name of names) {
    // stat (not lstat): symlinks to files are listed, like Path.is_file(). A file vanishing
    // between readdir and stat throws, which is ductor's 500-during-rotation too.
    const st = await stat(join(dir, name), { bigint: true });
    // Only pinned mtimes move with shiftTimes: a real mtime is already a real, current time.
    const mtime = pinned[name] === undefined ? pyMtime(st) : (ctx.timeShift?.epoch(pinned[name]) ?? pinned[name]);
    if (st.isFile()) files.push({ name, size: Number(st.size), mtime });
  }
  files.sort((a, b) => b.mtime - a.mtime); // stable, newest first
  return jsonReply(files.map((f) => ({ name: f.name, size: f.size, mtime: pyFloat(f.mtime) })));
};

/**
 * A file response is streamed, so it cannot be a plain `Reply`; `logsFile` returns either a Reply
 * (errors) or a `FileReply` that the server pipes out.
 */
export interface FileReply {
  kind: "file";
  status: number;
  headers: Record<string, string>;
  file?: {
    path: string;
    start: number;
    end: number /* inclusive */;
    /** Rewrites the whole file's text (latin1, so bytes pass through) without changing its length. */
    rewrite?: (latin1: string) => string;
  };
}

export async function logsFile(r: RouteRequest, ctx: RouteContext): Promise<Reply | FileReply> {
  const name = r.param ?? "";
  if (name.includes("/") || name.includes("..")) return jsonReply({ error: "invalid filename" }, 400);
  if (ctx.dataDir === undefined) return jsonReply({ error: "logs not configured" }, 503);
  const path = join(ctx.dataDir, "logs", name);
  let st: BigIntStats;
  try {
    st = await stat(path, { bigint: true });
  } catch {
    return jsonReply({ error: "not found" }, 404);
  }
  if (!st.isFile()) return jsonReply({ error: "not found" }, 404);
  const reply = fileResponse(r, path, st, ctx.timeShift?.seconds);
  if (reply.file && ctx.timeShift) reply.file.rewrite = (text) => ctx.timeShift?.logText(text) ?? text;
  return reply;
}

function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

function parseHttpDate(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

/** `"a", W/"b"` → ["a", "b"] (weak comparison, as aiohttp does for If-None-Match). */
function etagList(header: string): string[] {
  return header.split(",").map((s) => s.trim().replace(/^W\//, ""));
}

function fileResponse(r: RouteRequest, path: string, st: BigIntStats, shiftSeconds?: number): FileReply {
  const size = Number(st.size);
  const mtime = pyMtime(st);
  // Shifted content is different content: give it its own ETag, so no cache mixes two shifts.
  const shiftTag = shiftSeconds ? `-s${shiftSeconds.toString(16)}` : "";
  const etag = `"${st.mtimeNs.toString(16)}-${st.size.toString(16)}${shiftTag}"`;
  const lastModified = httpDate(Math.floor(mtime) * 1000);
  const h = r.req.headers;
  const base = { Server: SERVER_HEADER, ETag: etag, "Last-Modified": lastModified };

  // Preconditions in aiohttp's order: If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since.
  const ifMatch = h["if-match"];
  if (
    ifMatch !== undefined &&
    ifMatch.trim() !== "*" &&
    !ifMatch
      .split(",")
      .map((s) => s.trim())
      .includes(etag)
  ) {
    return { kind: "file", status: 412, headers: { ...base, "Content-Length": "0" } };
  }
  const ius = parseHttpDate(h["if-unmodified-since"]);
  if (ifMatch === undefined && ius !== undefined && mtime > ius) {
    return { kind: "file", status: 412, headers: { ...base, "Content-Length": "0" } };
  }
  const inm = h["if-none-match"];
  if (inm !== undefined) {
    if (inm.trim() === "*" || etagList(inm).includes(etag)) return { kind: "file", status: 304, headers: base };
  } else {
    // aiohttp compares the float st_mtime with the whole-second header value, so a file whose
    // mtime has a fraction is never "not modified" by date alone. Reproduced as is.
    const ims = parseHttpDate(h["if-modified-since"]);
    if (ims !== undefined && mtime <= ims) return { kind: "file", status: 304, headers: base };
  }

  let rangeHeader = h.range;
  const ifRange = typeof h["if-range"] === "string" ? h["if-range"] : undefined;
  if (rangeHeader !== undefined && ifRange !== undefined) {
    // A stale If-Range means "send me the whole file".
    const ifRangeDate = parseHttpDate(ifRange);
    const fresh =
      ifRange.trim().startsWith('"') || ifRange.trim().startsWith("W/")
        ? ifRange.trim() === etag
        : ifRangeDate !== undefined && mtime <= ifRangeDate; // same float-vs-seconds rule as above
    if (!fresh) rangeHeader = undefined;
  }

  const headers: Record<string, string> = { ...base, "Content-Type": TEXT_TYPE };
  const unsatisfiable = (): FileReply => ({
    kind: "file",
    status: 416,
    headers: { ...headers, "Content-Range": `bytes */${size}`, "Content-Length": "0" },
  });

  if (rangeHeader === undefined) {
    return {
      kind: "file",
      status: 200,
      headers: { ...headers, "Accept-Ranges": "bytes", "Content-Length": String(size) },
      file: size > 0 ? { path, start: 0, end: size - 1 } : undefined,
    };
  }
  // aiohttp's http_range: exactly one `bytes=a-b` range; anything else is a ValueError → 416.
  const m = /^bytes=(\d*)-(\d*)$/.exec(rangeHeader);
  if (!m) return unsatisfiable();
  let start: number | undefined = m[1] ? Number(m[1]) : undefined;
  let end: number | undefined = m[2] ? Number(m[2]) : undefined; // becomes exclusive below
  if (start === undefined && end !== undefined) {
    start = -end; // suffix range: the last N bytes
    end = undefined;
  }
  if (start !== undefined && end !== undefined) {
    end += 1;
    if (start >= end) return unsatisfiable();
  }
  if (start === undefined && end === undefined) return unsatisfiable();
  let s = start ?? 0;
  let count: number;
  if (s < 0 && end === undefined) {
    s = Math.max(0, s + size);
    count = size - s;
  } else {
    count = Math.min(end ?? size, size) - s;
  }
  if (s >= size) return unsatisfiable();
  return {
    kind: "file",
    status: 206,
    headers: {
      ...headers,
      "Accept-Ranges": "bytes",
      "Content-Range": `bytes ${s}-${s + count - 1}/${size}`,
      "Content-Length": String(count),
    },
    file: count > 0 ? { path, start: s, end: s + count - 1 } : undefined,
  };
}

/** Stream a FileReply; HEAD and bodiless statuses send headers only. */
export function sendFile(method: string | undefined, res: ServerResponse, reply: FileReply): void {
  res.writeHead(reply.status, reply.headers);
  if (method === "HEAD" || !reply.file) {
    res.end();
    return;
  }
  const { path, start, end, rewrite } = reply.file;
  if (rewrite) {
    // Rewritten files are read whole (ductor's logs are at most 5 MiB) and sliced after the rewrite.
    readFile(path).then(
      (bytes) => res.end(Buffer.from(rewrite(bytes.toString("latin1")), "latin1").subarray(start, end + 1)),
      () => res.destroy(),
    );
    return;
  }
  const stream = createReadStream(path, { start, end });
  stream.on("error", () => res.destroy());
  stream.pipe(res);
}

export const isFileReply = (r: Reply | FileReply): r is FileReply => "kind" in r && r.kind === "file";
