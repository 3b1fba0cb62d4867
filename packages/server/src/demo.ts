/**
 * `ductor-dashboard demo`: the mock ductor replaying the bundled "coding-session" recording in a loop, and the
 * dashboard server in front of it. Prints one URL that opens a working dashboard. `--fleet`: two mock ductors
 * behind one dashboard, each with its own token, to see the fleet overview.
 */
import { relative } from "node:path";
import { startDashboardServer } from "./serve.js";

export interface DemoOptions {
  port: number;
  /** The built site to serve instead of the bundled one. */
  siteDir?: string;
  /** Two mock ductors behind one dashboard ("alpha" and "beta"), to see the fleet overview. */
  fleet?: boolean;
}

export interface Demo {
  /** What to print: the URL block last, so it is what is on screen when the command settles. */
  banner: string;
  close(): Promise<void>;
}

/** How to run this CLI again, as it was started (`node packages/server/dist/cli.js` from a clone). */
function thisCommand(): string {
  const script = process.argv[1] ?? "";
  return /cli\.[cm]?js$/.test(script) ? `node ${relative(process.cwd(), script) || script}` : "ductor-dashboard";
}

export async function startDemo(options: DemoOptions): Promise<Demo> {
  return options.fleet ? startFleetDemo(options) : startSingleDemo(options);
}

async function startSingleDemo(options: DemoOptions): Promise<Demo> {
  // Loaded only here: `serve` never needs the mock server and its recordings.
  const { startMockServer } = await import("@ductor/mock-server");
  // shiftTimes: the bundled data is months old; moved so its newest time is now, the running task reads
  // "started 3 min ago" rather than "218 days ago".
  const mock = await startMockServer({ recording: "coding-session", loop: true, shiftTimes: true });
  const dash = await startDashboardServer({
    ductor: mock.url,
    token: mock.token,
    port: options.port,
    ...(options.siteDir ? { siteDir: options.siteDir } : {}),
  });
  const banner = [
    "",
    `ductor dashboard demo: a mock ductor at ${mock.url} replays "coding-session" in a loop.`,
    `  API token: ${mock.token}`,
    `  try:       curl -H 'Authorization: Bearer ${mock.token}' ${mock.url}/dashboard/status`,
    `  terminal:  DUCTOR_API_TOKEN=${mock.token} ${thisCommand()} tail --ductor ${dash.url} --since all`,
    `             (the dashboard's URL is the recording relay, which keeps the history --since reads)`,
    `  several:   ${thisCommand()} demo --fleet   (two mock ductors in one dashboard)`,
    "Ctrl-C stops both.",
    "",
    `  open: ${dash.tokenUrl ?? dash.url}`,
    "",
  ].join("\n");
  return {
    banner,
    close: async () => {
      await Promise.allSettled([dash.close(), mock.close()]);
    },
  };
}

/** The fleet demo's ductors: a name each, and the bundled recording it replays. */
const FLEET = [
  { name: "alpha", recording: "coding-session" },
  { name: "beta", recording: "long-output" },
] as const;

async function startFleetDemo(options: DemoOptions): Promise<Demo> {
  const { startMockServer } = await import("@ductor/mock-server");
  type MockServer = Awaited<ReturnType<typeof startMockServer>>;
  // All settled: one that failed to start must not leave the other running.
  const started = await Promise.allSettled(FLEET.map((f) => startMockServer({ recording: f.recording, loop: true, shiftTimes: true })));
  const failed = started.find((r) => r.status === "rejected");
  if (failed) {
    await Promise.allSettled(started.map((r) => (r.status === "fulfilled" ? r.value.close() : undefined)));
    throw failed.reason;
  }
  const mocks = started.map((r) => (r as PromiseFulfilledResult<MockServer>).value);
  let dash: Awaited<ReturnType<typeof startDashboardServer>>;
  try {
    dash = await startDashboardServer({
      ductors: FLEET.map((f, i) => ({ name: f.name, url: mocks[i]!.url, token: mocks[i]!.token })),
      port: options.port,
      ...(options.siteDir ? { siteDir: options.siteDir } : {}),
    });
  } catch (err) {
    await Promise.allSettled(mocks.map((m) => m.close()));
    throw err;
  }
  const links = dash.servers.map((s) => `  open ${s.name}: ${s.tokenUrl ?? dash.url}`);
  const banner = [
    "",
    `ductor dashboard fleet demo: ${FLEET.map((f, i) => `"${f.name}" (a mock ductor at ${mocks[i]!.url} replaying "${f.recording}")`).join(" and ")}, each with its own token.`,
    `  terminal:  DUCTOR_API_TOKEN_BETA=${mocks[1]!.token} ${thisCommand()} tail --ductor ${dash.url} --server beta`,
    "Ctrl-C stops all three.",
    "",
    `  fleet: ${dash.url}   (each card asks for its ductor's token; the links below sign one in each — open both in the same tab)`,
    ...links,
    "",
  ].join("\n");
  return {
    banner,
    close: async () => {
      await Promise.allSettled([dash.close(), ...mocks.map((m) => m.close())]);
    },
  };
}
