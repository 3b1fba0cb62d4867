/** `16 MiB`, `1.5 MiB`, `64 KiB`, `1000 bytes`: sizes as the messages and the README state them. */
export function formatBytes(n: number): string {
  if (n === Number.POSITIVE_INFINITY) return "unlimited";
  for (const [unit, size] of [
    ["GiB", 2 ** 30],
    ["MiB", 2 ** 20],
    ["KiB", 2 ** 10],
  ] as const) {
    if (n >= size) return `${Number((n / size).toFixed(1))} ${unit}`;
  }
  return `${n} bytes`;
}

/** A byte cap option: a positive integer, or Infinity for none. Checked up front so a typo fails loudly. */
export function checkByteLimit(value: number, name: string): number {
  if (value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && value > 0)) return value;
  throw new TypeError(`${name} must be a positive integer number of bytes (or Infinity), got ${String(value)}`);
}
