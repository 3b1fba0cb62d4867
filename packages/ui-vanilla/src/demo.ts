/**
 * `node dist/demo.js`: the mock ductor replaying the bundled "coding-session" recording in a loop, plus the
 * dashboard server in front of it. Prints one URL that opens a working dashboard; Ctrl-C stops both.
 */
import { startMockServer } from "@ductor/mock-server";
import { startDashboardServer } from "./serve.js";

async function main(): Promise<void> {
  const mock = await startMockServer({ recording: "coding-session", loop: true });
  const port = Number(process.env["PORT"] ?? 0);
  const dash = await startDashboardServer({ ductor: mock.url, token: mock.token, port: Number.isInteger(port) ? port : 0 });
  process.stdout.write(`\nductor dashboard demo (mock ductor at ${mock.url}, replaying "coding-session" in a loop)\n\n`);
  process.stdout.write(`  open: ${dash.tokenUrl ?? dash.url}\n\n`);
  // The API itself, for trying the client or curl against the same data the page shows.
  process.stdout.write(`  API token: ${mock.token}\n`);
  process.stdout.write(`  try:       curl -H 'Authorization: Bearer ${mock.token}' ${mock.url}/dashboard/status\n\nCtrl-C stops both.\n`);
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
