import { ResponseTooLargeError } from "../errors.js";
import { noop } from "../internal/abort.js";

/**
 * What to do with a body over the cap: a 2xx body is refused (`"refuse"`, ResponseTooLargeError);
 * an error page is cut at the cap (`"truncate"`), since only its first bytes go into the message and
 * its status, not its size, decides the error class (and whether a 5xx is retried).
 */
export type OverLimit = "refuse" | "truncate";

/**
 * Reads a response body counting bytes, never holding more than `limitBytes`. `arrayBuffer()` would
 * buffer an endless chunked body until the timeout (a gigabyte and more) and then parse it on the
 * event loop. A Content-Length over the cap fails before anything is read. Once over, the body stream
 * is cancelled, which closes the connection.
 */
export async function readBody(response: Response, limitBytes: number, overLimit: OverLimit, what: string): Promise<Uint8Array> {
  // A compressed body's Content-Length says nothing exact about the decoded size; only counting does.
  const declared = response.headers.get("content-encoding") ? Number.NaN : Number(response.headers.get("content-length") ?? Number.NaN);
  if (overLimit === "refuse" && declared > limitBytes) {
    void response.body?.cancel().catch(noop);
    throw new ResponseTooLargeError(what, limitBytes, declared);
  }
  const body = response.body;
  if (!body) return capBuffered(new Uint8Array(await response.arrayBuffer()), limitBytes, overLimit, what);

  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > limitBytes) {
      void reader.cancel().catch(noop);
      if (overLimit === "refuse") throw new ResponseTooLargeError(what, limitBytes);
      chunks.push(value.subarray(0, limitBytes - total));
      total = limitBytes;
      break;
    }
    chunks.push(value);
    total += value.byteLength;
  }
  return concat(chunks, total);
}

/** A fetch without body streams (some polyfills) has already buffered everything; still apply the cap. */
function capBuffered(bytes: Uint8Array, limitBytes: number, overLimit: OverLimit, what: string): Uint8Array {
  if (bytes.length <= limitBytes) return bytes;
  if (overLimit === "refuse") throw new ResponseTooLargeError(what, limitBytes);
  return bytes.subarray(0, limitBytes);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
