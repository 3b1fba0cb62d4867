/**
 * `node dist/demo.js`: the mock ductor replaying the bundled "coding-session" recording in a loop, plus the
 * dashboard server in front of it. Prints one URL that opens a working dashboard; Ctrl-C stops both.
 */
import { startMockServer } from "@ductor/mock-server";
import { startDashboardServer } from "./serve.js";

async function main(): Promise<void> {
  // shiftTimes: the bundled data is months old; moved so its newest time is now, the running task reads
  // "started 3 min ago" rather than "218 days ago".
  const mock = await startMockServer({ recording: "coding-session", loop: true, shiftTimes: true });
  const port = Number(process.env["PORT"] ?? 0);
  const dash = await startDashboardServer({ ductor: mock.url, token: mock.token, port: Number.isInteger(port) ? port : 0 });
  // The URL block comes last, so it is what is on screen when the command settles; nothing is printed after it
  // (errors aside). The API itself is listed first, for trying the client or curl against what the page shows.
  process.stdout.write(
    [
      "",
      `ductor dashboard demo: a mock ductor at ${mock.url} replays "coding-session" in a loop.`,
      `  API token: ${mock.token}`,
      `  try:       curl -H 'Authorization: Bearer ${mock.token}' ${mock.url}/dashboard/status`,
      "Ctrl-C stops both.",
      "",
      `  open: ${dash.tokenUrl ?? dash.url}`,
      "",
    ].join("\n"),
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void Promise.allSettled([dash.close(), mock.close()]).then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
