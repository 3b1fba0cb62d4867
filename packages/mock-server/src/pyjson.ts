/**
 * Python `json.dumps` defaults, byte for byte: separators `", "` / `": "`, `ensure_ascii=True`
 * (everything outside printable ASCII becomes a lowercase `\uXXXX`, astral characters as surrogate
 * pairs), Python float repr (`0.0`, `3.5e-05`, `1e+16`) and no trailing newline.
 *
 * Two entry points:
 * - `pyJson(value)` encodes a JS value. JS cannot tell `1.0` from `1`, so wrap a number in
 *   `pyFloat()` when it must print as a float (e.g. a log file's mtime).
 * - `reformatPyJson(text)` parses JSON text and re-emits it the way `json.dumps(json.loads(text))`
 *   would. Going text to text keeps what a JS round trip would lose: `0.0` stays `0.0`, big
 *   integers stay exact, numeric-looking keys keep their order, duplicate keys keep Python's
 *   "last value wins, first position" rule. The mock uses it for data files so the wire matches
 *   ductor exactly.
 */

/** A number that must be printed as a Python float even when it is integral. */
export class PyFloat {
  constructor(readonly value: number) {}
}

export const pyFloat = (value: number): PyFloat => new PyFloat(value);

/** Python's `repr(float)` as `json.dumps` prints it (non-finite values as JS-style literals, like Python). */
export function pyFloatRepr(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  // toExponential() without an argument gives the shortest round-trip digits, like Python's repr.
  const [mant = "", expText = "0"] = v.toExponential().split("e");
  const exp = Number(expText);
  const negative = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  const sign = negative ? "-" : "";
  // Python switches to exponent form below 1e-4 and from 1e16 on.
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, "0");
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${e}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac === "" ? "0" : frac}`;
}

/** A JSON string literal with `ensure_ascii=True` escaping. */
function pyString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x08) out += "\\b";
    else if (c === 0x0c) out += "\\f";
    // Python escapes everything outside ' '..'~' (so DEL and all non-ASCII too).
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += s[i];
  }
  return `${out}"`;
}

/** Encode a JS value like Python's `json.dumps(value)`. */
export function pyJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : pyFloatRepr(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return pyString(value);
  if (Array.isArray(value)) return `[${value.map(pyJson).join(", ")}]`;
  if (typeof value === "object") {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      parts.push(`${pyString(k)}: ${pyJson(v)}`);
    }
    return `{${parts.join(", ")}}`;
  }
  throw new TypeError(`pyJson: cannot encode ${typeof value}`);
}

/** Raised by `reformatPyJson` where Python's `json.loads` would raise. */
class PyJsonError extends Error {
  override name = "PyJsonError";
}

type Node = { kind: "raw"; text: string } | { kind: "arr"; items: Node[] } | { kind: "obj"; entries: Map<string, Node> };

/**
 * Rewrites one object member's scalar value, given its key and its already Python-formatted text
 * (e.g. `"2026-04-21T09:12:44.801233+00:00"` with the quotes, or `1776762012.5531`).
 */
export type PyJsonRewrite = (key: string, raw: string) => string;

/**
 * `json.dumps(json.loads(text))`, text to text. Throws `PyJsonError` on input Python would reject.
 * `rewrite`, when given, may replace object members' scalar values on the way (the time shift).
 */
export function reformatPyJson(text: string, rewrite?: PyJsonRewrite): string {
  return emit(new Parser(text).parseDocument(), rewrite);
}

function emit(node: Node, rewrite: PyJsonRewrite | undefined): string {
  if (node.kind === "raw") return node.text;
  if (node.kind === "arr") return `[${node.items.map((n) => emit(n, rewrite)).join(", ")}]`;
  const parts: string[] = [];
  for (const [k, v] of node.entries) {
    const text = rewrite && v.kind === "raw" ? rewrite(k, v.text) : emit(v, rewrite);
    parts.push(`${pyString(k)}: ${text}`);
  }
  return `{${parts.join(", ")}}`;
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings may not hold raw control characters.
const STRING = /"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/y;

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  parseDocument(): Node {
    // Python rejects a leading BOM in a str ("Unexpected UTF-8 BOM").
    if (this.s.charCodeAt(0) === 0xfeff) this.fail("unexpected UTF-8 BOM");
    this.ws();
    const node = this.value();
    this.ws();
    if (this.i !== this.s.length) this.fail("extra data");
    return node;
  }

  private fail(msg: string): never {
    throw new PyJsonError(`${msg} at char ${this.i}`);
  }

  private ws(): void {
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === " " || c === "\t" || c === "\n" || c === "\r") this.i++;
      else break;
    }
  }

  private value(): Node {
    const c = this.s[this.i];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return { kind: "raw", text: pyString(this.string()) };
    for (const lit of ["null", "true", "false", "NaN", "Infinity", "-Infinity"]) {
      if (this.s.startsWith(lit, this.i)) {
        this.i += lit.length;
        return { kind: "raw", text: lit };
      }
    }
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (!m) this.fail("expecting value");
    this.i += m[0].length;
    if (m[1] === undefined && m[2] === undefined) {
      // Python ints are exact and print without sign for zero.
      return { kind: "raw", text: m[0] === "-0" ? "0" : m[0] };
    }
    return { kind: "raw", text: pyFloatRepr(Number(m[0])) };
  }

  private string(): string {
    STRING.lastIndex = this.i;
    const m = STRING.exec(this.s);
    if (!m) this.fail("invalid string");
    this.i += m[0].length;
    return JSON.parse(m[0]) as string;
  }

  private object(): Node {
    this.i++;
    const entries = new Map<string, Node>();
    this.ws();
    if (this.s[this.i] === "}") {
      this.i++;
      return { kind: "obj", entries };
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail("expecting property name");
      const key = this.string();
      this.ws();
      if (this.s[this.i] !== ":") this.fail("expecting ':'");
      this.i++;
      this.ws();
      entries.set(key, this.value()); // Map.set keeps the first position, the last value: like a dict.
      this.ws();
      const c = this.s[this.i++];
      if (c === "}") return { kind: "obj", entries };
      if (c !== ",") this.fail("expecting ',' or '}'");
    }
  }

  private array(): Node {
    this.i++;
    const items: Node[] = [];
    this.ws();
    if (this.s[this.i] === "]") {
      this.i++;
      return { kind: "arr", items };
    }
    for (;;) {
      this.ws();
      items.push(this.value());
      this.ws();
      const c = this.s[this.i++];
      if (c === "]") return { kind: "arr", items };
      if (c !== ",") this.fail("expecting ',' or ']'");
    }
  }
}
