/**
 * How the serve proxy says no: a short text/plain answer with the reason, on a normal response or written by
 * hand on an upgrade socket (which has no ServerResponse), then the connection is closed.
 */
import { STATUS_CODES, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

export interface Refusal {
  status: number;
  reason: string;
  headers?: Readonly<Record<string, string>>;
}

function refusalBody(refusal: Refusal): string {
  return `${refusal.status} ${STATUS_CODES[refusal.status] ?? "Error"}: ${refusal.reason}\n`;
}

function refusalHeaders(refusal: Refusal, body: string): Record<string, string> {
  return {
    "content-type": "text/plain; charset=utf-8",
    "content-length": String(Buffer.byteLength(body)),
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
    ...refusal.headers,
  };
}

export function refuseResponse(res: ServerResponse, refusal: Refusal): void {
  const body = refusalBody(refusal);
  // A refused request may carry a body we will not read: close rather than keep the connection in an unknown state.
  res.shouldKeepAlive = false;
  res.writeHead(refusal.status, { ...refusalHeaders(refusal, body), connection: "close" });
  res.end(body);
}

/** Answer an upgrade request with a plain HTTP response, then close the socket once it is written. */
export function refuseUpgrade(socket: Duplex, refusal: Refusal): void {
  const body = refusalBody(refusal);
  const headers = { ...refusalHeaders(refusal, body), connection: "close" };
  const head = [
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? "Error"}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  // Destroy once written: a client that never closes its side must not hold the socket open.
  if (socket.writable) socket.end(`${head.join("\r\n")}\r\n\r\n${body}`, () => socket.destroy());
  else socket.destroy();
}
