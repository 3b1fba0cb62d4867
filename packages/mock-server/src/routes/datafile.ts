/**
 * Serving a JSON data file the way ductor does: read it as text, `json.loads`, `json.dumps`.
 * A missing file is a default value; anything Python would raise on (bad JSON, a directory,
 * invalid UTF-8, a BOM) throws, which the server turns into the framework's text 500.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { jsonReply, rawJsonReply, reformatPyJson, type Reply } from "../http.js";
import type { RouteContext } from "./context.js";

export async function dataFileReply(ctx: RouteContext, file: string, snapshotPath: string, missing: unknown): Promise<Reply> {
  if (ctx.dataDir === undefined) {
    // No data folder: answer from the recording's latest snapshot of this endpoint, if any.
    const snap = ctx.snapshot(snapshotPath);
    return snap ? jsonReply(snap.body, snap.status) : jsonReply(missing);
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(join(ctx.dataDir, file));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return jsonReply(missing);
    throw e; // EISDIR, EACCES…: Python's read_text raises too
  }
  const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  return rawJsonReply(reformatPyJson(text, ctx.timeShift?.rewriteJson));
}
