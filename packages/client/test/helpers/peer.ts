import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A tiny real HTTP server for the REST behaviours the mock server cannot be told to produce
 * (a 416, a truncated body, a stalled body, exact request counting per path). Real sockets, real fetch.
 */
export interface Peer {
  url: string;
  requests: IncomingMessage[];
  count(path?: string): number;
  close(): Promise<void>;
}

export async function startPeer(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<Peer> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    handler(req, res, requests.length);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count: (path) => (path ? requests.filter((r) => r.url === path).length : requests.length),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
};

export const text = (
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  type = "text/plain; charset=utf-8",
  headers: Record<string, string> = {},
) => {
  res.writeHead(status, { "content-type": type, ...headers });
  res.end(body);
};

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}
