/** `GET /files?path=…`: exists in ductor; the mock has no allowed roots, so any path is outside them. */
import { jsonReply } from "../http.js";
import type { Handler } from "./context.js";

export const files: Handler = ({ req }) => {
  const path = new URL(req.url ?? "/", "http://x").searchParams.get("path");
  if (!path) return jsonReply({ error: "missing 'path' query parameter" }, 400);
  return jsonReply({ error: "path outside allowed roots" }, 403);
};
