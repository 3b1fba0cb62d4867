/**
 * `--retain 30d` and `--max-history 1GB`, parsed strictly: a positive number and one unit, nothing else.
 * Sizes: KB/MB/GB/TB are powers of 1000, KiB/MiB/GiB/TiB powers of 1024 (B or no unit: bytes); units are case-insensitive.
 */

const DURATION_UNITS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const SIZE_UNITS: Readonly<Record<string, number>> = {
  "": 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** "30d" → ms. Units s, m, h, d; a number alone is refused (seconds or days?). */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$/.exec(text);
  const factor = match ? DURATION_UNITS[(match[2] ?? "").toLowerCase()] : undefined;
  if (!match || factor === undefined) throw new Error(`not a duration: ${JSON.stringify(text)} (use e.g. 90s, 30m, 12h, 30d)`);
  const ms = Math.round(Number(match[1]) * factor);
  if (!(ms > 0) || !Number.isSafeInteger(ms)) throw new Error(`not a usable duration: ${JSON.stringify(text)}`);
  return ms;
}

/** "1GB" → 1e9 bytes, "512MiB" → 536870912. */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const factor = match ? SIZE_UNITS[(match[2] ?? "").toLowerCase()] : undefined;
  if (!match || factor === undefined) throw new Error(`not a size: ${JSON.stringify(text)} (use e.g. 500MB, 1GB, 2GiB)`);
  const bytes = Math.round(Number(match[1]) * factor);
  if (!(bytes > 0) || !Number.isSafeInteger(bytes)) throw new Error(`not a usable size: ${JSON.stringify(text)}`);
  return bytes;
}
