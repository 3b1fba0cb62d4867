/**
 * Test support for the serve proxy: raw HTTP over `net` sockets (no client that would normalise the URL or
 * fix the Host header for us) and a tiny upstream that records every request that reached it.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";

export interface RawResponse {
  /** 0 when the server closed the socket without answering. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Every byte received, as latin1 text. */
  raw: string;
  /** The server ended the connection (rather than the exchange timing out or matching `untilMatch`). */
  closedByServer: boolean;
}

/** Parse the first HTTP response in `raw` (enough for tests: no chunked decoding of bodies we inspect). */
function parseRawResponse(raw: string, closedByServer = false): RawResponse {
  const end = raw.indexOf("\r\n\r\n");
  const head = end === -1 ? raw : raw.slice(0, end);
  const [statusLine = "", ...lines] = head.split("\r\n");
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = end === -1 ? "" : raw.slice(end + 4);
  const chunked = /chunked/i.test(headers["transfer-encoding"] ?? "");
  return { status: match ? Number(match[1]) : 0, headers, body: chunked ? dechunk(body) : body, raw, closedByServer };
}

/** Decode a chunked body (what has arrived of it). */
function dechunk(body: string): string {
  let out = "";
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf("\r\n", at);
    if (lineEnd === -1) return out;
    const size = Number.parseInt(body.slice(at, lineEnd), 16);
    if (!Number.isFinite(size) || size === 0) return out;
    out += body.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}

/**
 * Send `request` byte for byte and collect everything until the server closes the socket, or until
 * `untilMatch` is seen (for upgrades that stay open), or the timeout.
 */
export function rawExchange(
  port: number,
  request: string,
  { untilMatch, timeoutMs = 5_000 }: { untilMatch?: RegExp; timeoutMs?: number } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, "127.0.0.1");
    let received = "";
    let done = false;
    const finish = (closedByServer: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseRawResponse(received, closedByServer));
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      received += chunk;
      if (untilMatch?.test(received)) finish(false);
    });
    socket.on("end", () => finish(true));
    socket.on("close", () => finish(true));
    socket.on("error", (err) => {
      if (received) finish(true);
      else if (!done) {
        done = true;
        clearTimeout(timer);
        reject(err);
      }
    });
    socket.write(request, "latin1");
  });
}

/** A request with the given request line (written verbatim) and headers; `Connection: close` unless upgrading. */
export function rawRequestText(method: string, target: string, headers: Record<string, string | undefined> = {}): string {
  const lines = [`${method} ${target} HTTP/1.1`];
  const all: Record<string, string | undefined> = { connection: "close", ...headers };
  for (const [name, value] of Object.entries(all)) if (value !== undefined) lines.push(`${name}: ${value}`);
  return `${lines.join("\r\n")}\r\n\r\n`;
}

/** The headers of a WebSocket handshake request. */
export function upgradeHeaders(host: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    host,
    connection: "Upgrade",
    upgrade: "websocket",
    "sec-websocket-version": "13",
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    ...extra,
  };
}

export interface SeenRequest {
  method: string;
  url: string;
  upgrade: boolean;
}

export interface RecordingUpstream {
  url: string;
  port: number;
  /** Every request that reached the upstream, in order. */
  seen: SeenRequest[];
  close(): Promise<void>;
}

/**
 * A stand-in for ductor that answers everything 200 (and completes every WebSocket handshake), recording
 * method and raw URL: what matters is what reached it, not what it says.
 */
export async function startRecordingUpstream(): Promise<RecordingUpstream> {
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req: IncomingMessage, res) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", upgrade: false });
    const body = JSON.stringify({ reached: req.url });
    res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("upgrade", (req: IncomingMessage, socket: Socket) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", upgrade: true });
    const key = String(req.headers["sec-websocket-key"] ?? "");
    const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** What the dashboard is allowed to make reach ductor: GET/HEAD on its REST paths, GET upgrades on the stream. */
export function isAllowedUpstreamRequest(r: SeenRequest): boolean {
  const path = r.url.split("?")[0] ?? "";
  if (r.upgrade) return r.method === "GET" && path === "/dashboard/stream";
  if (r.method !== "GET" && r.method !== "HEAD") return false;
  if (path === "/health" || /^\/dashboard\/(status|sessions|tasks|logs)$/.test(path)) return true;
  const logName = /^\/dashboard\/logs\/([^/\\]+)$/.exec(path)?.[1];
  if (logName === undefined) return false;
  let decoded: string;
  try {
    decoded = decodeURIComponent(logName);
  } catch {
    return false;
  }
  // One plain segment: no dot segment, no (encoded) separator, nothing left to decode a second time.
  return decoded !== "." && decoded !== ".." && !/[/\\%]/.test(decoded);
}

/** A TCP port with nothing listening on it (bound, noted, released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
