/** `POST /upload`: ductor answers 503 while no upload folder is configured, and the mock has none. */
import { jsonReply } from "../http.js";
import type { Handler } from "./context.js";

export const upload: Handler = () => jsonReply({ error: "file uploads not configured" }, 503);
