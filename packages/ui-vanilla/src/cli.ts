#!/usr/bin/env node
import { Command, InvalidArgumentError } from "commander";
import { startDashboardServer } from "./serve.js";

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError("a port number (0–65535)");
  return n;
}

const program = new Command()
  .name("ductor-dashboard")
  .description("A dashboard for ductor's API server: status, live agent stream, sessions and tasks, logs.");

program
  .command("serve")
  .description("Serve the dashboard and proxy ductor's /dashboard API on one origin")
  .requiredOption("--ductor <url>", "ductor's API server, e.g. http://127.0.0.1:8741")
  .option("--host <host>", "interface to listen on", "127.0.0.1")
  .option("--port <port>", "port to listen on (0 = any free port)", port, 8080)
  .option("--token <token>", "print a one-click URL carrying this token in its #fragment")
  .action(async (opts: { ductor: string; host: string; port: number; token?: string }) => {
    const server = await startDashboardServer({ ductor: opts.ductor, host: opts.host, port: opts.port, token: opts.token });
    process.stdout.write(`ductor dashboard on ${server.url} (proxying ${opts.ductor})\n`);
    if (server.tokenUrl) process.stdout.write(`open: ${server.tokenUrl}\n`);
    if (opts.host !== "127.0.0.1" && opts.host !== "localhost" && opts.host !== "::1") {
      process.stderr.write("warning: listening beyond this machine; the dashboard still needs the token, but traffic is plain HTTP.\n");
    }
    const stop = (): void => {
      void server.close().then(() => process.exit(0));
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`ductor-dashboard: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
