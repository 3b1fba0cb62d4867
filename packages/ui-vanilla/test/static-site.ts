/**
 * A plain static file server for the browser tests of "no server behind the site": the built site and a few extra
 * files (recordings), nothing else — no relay, no mock, no /dashboard. It notes every path asked for.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";

const siteDir = fileURLToPath(new URL("../test-output/site", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".jsonl": "application/x-ndjson",
};

export interface StaticSite {
  server: Server;
  url: string;
  /** Every path asked for, in order. */
  asked: string[];
  close(): Promise<void>;
}

/** Serves test-output/site, plus `extra` (path → contents, e.g. "/demo.jsonl"). */
export function startStaticSite(extra: Readonly<Record<string, string>> = {}): Promise<StaticSite> {
  const files = new Map<string, Buffer>();
  const walk = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path, `${prefix}${name}/`);
      else files.set(`${prefix}${name}`, readFileSync(path));
    }
  };
  walk(siteDir, "/");
  for (const [path, text] of Object.entries(extra)) files.set(path, Buffer.from(text));
  const asked: string[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    asked.push(path);
    const body = files.get(path === "/" ? "/index.html" : path);
    if (!body) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "text/html; charset=utf-8", "content-length": body.length });
    res.end(body);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        asked,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    ),
  );
}
