/**
 * The shutdown policy of every command of this project (`ductor-mock`, `ductor-dashboard serve|demo`),
 * exported as `@ductor/mock-server/shutdown` so they share one. Stop cleanly on the first SIGINT/SIGTERM (close servers, let sockets say goodbye), and at once on a second:
 * a person pressing Ctrl-C twice means "now".
 */
export function onShutdownSignals(stop: () => Promise<unknown>): void {
  let stopping = false;
  const handler = (): void => {
    if (stopping) process.exit(130);
    stopping = true;
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}
