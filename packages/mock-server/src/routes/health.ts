/** `GET /health`: no auth. `connections` counts `/ws` chat clients, which the mock never has. */
import { jsonReply } from "../http.js";
import type { Handler } from "./context.js";

export const health: Handler = () => jsonReply({ status: "ok", connections: 0 });
