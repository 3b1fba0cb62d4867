/**
 * Fault injection: the ways a real link to ductor misbehaves (drops, stale sockets, garbage frames,
 * slow or failing HTTP behind a proxy), so clients can be tested against them on purpose.
 *
 * `FAULT_SPEC` is the one list of faults. The `serve` flags (faults-cli.ts), `validateFaults` below
 * and the README's faults table (faults-docs.ts, checked by test/fault-spec.test.ts) are all made
 * from it; the `Faults` interface stays hand-written for its doc comments, and the spec's type makes
 * the compiler reject a fault that is missing from either side.
 */

export type MalformedKind = "not-json" | "binary" | "unknown-type" | "missing-data" | "data-not-string";

export const MALFORMED_KINDS: readonly MalformedKind[] = ["not-json", "binary", "unknown-type", "missing-data", "data-not-string"];

export interface Faults {
  /** Terminate (1006) each stream socket after it has been sent N events. */
  dropAfterEvents?: number;
  /** Terminate each stream socket T ms after it was opened (so a reconnecting client is dropped every T ms). */
  dropEveryMs?: number;
  /** Drop with a Close frame of this code instead of terminating (1006 still means terminate). */
  dropCloseCode?: number;
  /** Frames injected into the stream (round-robin). */
  malformed?: MalformedKind[];
  /** Inject one of `malformed` after every N events (per socket). */
  malformedEvery?: number;
  /** Delay every HTTP response by this many ms. */
  httpDelayMs?: number;
  /** Answer every /dashboard/* request (after auth; stream upgrades included) with this status. */
  httpStatus?: number;
  /** With httpStatus: an HTML page (like a proxy) instead of ductor's JSON/text body. */
  htmlErrors?: boolean;
  /** Stale link: no protocol pings, no pongs, no events; the socket stays open. */
  noPing?: boolean;
}

/**
 * What a fault's value is: how the CLI turns its argument into one, and what `validateFaults`
 * accepts. `parse` is absent for switches (a flag without an argument).
 */
interface FaultValue<V> {
  /** CLI argument → value; throws an Error whose message commander shows. */
  parse?: (arg: string, flag: string) => V;
  /** Why `value` (set, not undefined) is unacceptable, or undefined when it is fine. */
  problem: (value: unknown, name: string) => string | undefined;
}

/** Where a fault acts, i.e. which part of the server it wraps. */
type FaultTarget =
  | "stream" // the stream's send path and timers (stream.ts)
  | "http" // every HTTP response, before routing (http-faults.ts)
  | "dashboard"; // /dashboard/* handlers after auth, stream upgrades included (http-faults.ts)

export interface FaultSpec<V> {
  /** commander's flag, with its argument name; `--no-x` is commander's negation (x defaults to true). */
  flag: string;
  /** What the README shows for the value, e.g. `N` in `dropAfterEvents: N` and `--drop-after-events N`. */
  docValue: string;
  /** The README's CLI argument when it differs from `docValue` (`--help` shows it too). */
  docCliValue?: string;
  /** One line, markdown: the README's Effect column; `--help` shows it without backticks. */
  effect: string;
  value: FaultValue<V>;
  target: FaultTarget;
  /** The CLI's default, given the other faults (the library has none). */
  cliDefault?: (faults: Faults) => V | undefined;
}

const nonNegativeInteger = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 0;

/** A count or a duration in ms. */
const count: FaultValue<number> = {
  parse: (arg, flag) => {
    const n = Number(arg);
    if (!nonNegativeInteger(n)) throw new Error(`${flag} must be a non-negative integer`);
    return n;
  },
  problem: (v, name) => (nonNegativeInteger(v) ? undefined : `faults.${name} must be a non-negative integer, got ${String(v)}`),
};

/** The CLI reads a close code or status as any integer; what may be sent is for `problem` to say. */
const closeCode: FaultValue<number> = {
  parse: count.parse,
  problem: (v, name) => (isSendableCloseCode(v as number) ? undefined : `faults.${name} ${String(v)} cannot be sent in a Close frame`),
};

const httpStatus: FaultValue<number> = {
  parse: count.parse,
  problem: (v, name) =>
    Number.isInteger(v) && (v as number) >= 200 && (v as number) <= 599
      ? undefined
      : `faults.${name} must be an HTTP status (200-599), got ${String(v)}`,
};

const unknownKind = (kind: unknown) => `unknown kind "${String(kind)}" (known: ${MALFORMED_KINDS.join(", ")})`;

const malformedKinds: FaultValue<MalformedKind[]> = {
  parse: (arg) =>
    arg.split(",").map((k) => {
      const kind = k.trim() as MalformedKind;
      if (!MALFORMED_KINDS.includes(kind)) throw new Error(unknownKind(k));
      return kind;
    }),
  problem: (v, name) => {
    // Iterated as given: a string is checked character by character, and fails like a bad list.
    for (const kind of v as Iterable<unknown>)
      if (!MALFORMED_KINDS.includes(kind as MalformedKind)) return `faults.${name}: ${unknownKind(kind)}`;
    return undefined;
  },
};

/** Switches are read for truthiness only, so any value is accepted (as it always was). */
const on: FaultValue<boolean> = { problem: () => undefined };

/** Every fault, in the order the CLI lists them and the README tables them. */
export const FAULT_SPEC: { readonly [K in keyof Faults]-?: FaultSpec<NonNullable<Faults[K]>> } = {
  dropAfterEvents: {
    flag: "--drop-after-events <n>",
    docValue: "N",
    effect: "terminate (1006) each stream socket after N events",
    value: count,
    target: "stream",
  },
  dropEveryMs: {
    flag: "--drop-every-ms <ms>",
    docValue: "T",
    effect: "terminate each stream socket T ms after it opened",
    value: count,
    target: "stream",
  },
  dropCloseCode: {
    flag: "--drop-close-code <code>",
    docValue: "C",
    effect: "drop with a Close frame of code C instead of terminating",
    value: closeCode,
    target: "stream",
  },
  malformed: {
    flag: "--malformed <kinds>",
    docValue: "[...]",
    docCliValue: MALFORMED_KINDS.join(","),
    effect: "frames to inject, comma-separated, round-robin",
    value: malformedKinds,
    target: "stream",
  },
  malformedEvery: {
    flag: "--malformed-every <n>",
    docValue: "N",
    effect: "inject one malformed frame after every N events (CLI default 10 with `--malformed`)",
    value: count,
    target: "stream",
    cliDefault: (f) => (f.malformed ? 10 : undefined),
  },
  httpDelayMs: {
    flag: "--http-delay-ms <ms>",
    docValue: "T",
    effect: "delay every HTTP response by T ms",
    value: count,
    target: "http",
  },
  httpStatus: {
    flag: "--http-status <status>",
    docValue: "S",
    effect: "answer every `/dashboard/*` request after auth (stream upgrades too) with status S",
    value: httpStatus,
    target: "dashboard",
  },
  htmlErrors: {
    flag: "--html-errors",
    docValue: "true",
    effect: "with `--http-status`, an nginx-style HTML page instead of ductor's body",
    value: on,
    target: "dashboard",
  },
  noPing: {
    flag: "--no-ping",
    docValue: "true",
    effect: "stale link: no protocol pings, no pongs, no events; the socket stays open",
    value: on,
    target: "stream",
  },
};

export type FaultName = keyof Faults;

/** The fault names in spec order (Object.keys loses the key type). */
export const FAULT_NAMES = Object.keys(FAULT_SPEC) as FaultName[];

/** Reject nonsense early, with a message naming the field, instead of failing on the wire later. */
export function validateFaults(faults: Faults): Faults {
  for (const name of FAULT_NAMES) {
    const value = faults[name];
    if (value === undefined) continue;
    const problem = FAULT_SPEC[name].value.problem(value, name);
    if (problem) throw new TypeError(problem);
  }
  return { ...faults, malformed: faults.malformed ? [...faults.malformed] : undefined };
}

/** Codes a Close frame may carry (RFC 6455 §7.4); 1006 is accepted and means "terminate". */
function isSendableCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (code === 1006) return true;
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005) || (code >= 3000 && code <= 4999);
}

/** The frame a malformed kind injects: a string is sent as a text frame, a Uint8Array as binary. */
export function malformedFrame(kind: MalformedKind): string | Uint8Array {
  switch (kind) {
    case "not-json":
      return '{"type": "text_delta", "data": "cut off';
    case "binary":
      return new TextEncoder().encode('{"type": "text_delta", "data": "binary frame"}');
    case "unknown-type":
      return '{"type": "mystery_event", "data": "from a newer ductor"}';
    case "missing-data":
      return '{"type": "text_delta"}';
    case "data-not-string":
      return '{"type": "text_delta", "data": 42}';
  }
}
