/** `GET /dashboard/sessions`: the raw `sessions.json`, re-serialised, nothing normalised (§2.2). */
import type { Handler } from "./context.js";
import { dataFileReply } from "./datafile.js";

export const sessions: Handler = (_r, ctx) => dataFileReply(ctx, "sessions.json", "/dashboard/sessions", {});
