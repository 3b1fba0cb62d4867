/**
 * `GET /dashboard/tasks` (§2.3). The data folder's `tasks.json` stands for the TaskHub's in-flight
 * list and is served as stored (mixed statuses included: ductor can briefly show finished ones).
 */
import type { Handler } from "./context.js";
import { dataFileReply } from "./datafile.js";

export const tasks: Handler = (_r, ctx) => dataFileReply(ctx, "tasks.json", "/dashboard/tasks", []);
