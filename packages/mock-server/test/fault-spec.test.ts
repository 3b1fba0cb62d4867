import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, Option } from "commander";
import { describe, expect, it } from "vitest";
import { addFaultOptions, faultsFromFlags } from "../src/faults-cli.js";
import { faultsTable, withFaultsTable } from "../src/faults-docs.js";
import { FAULT_NAMES, FAULT_SPEC, type Faults, validateFaults } from "../src/faults.js";

const readme = join(dirname(fileURLToPath(import.meta.url)), "..", "README.md");

/** A `serve`-like command with only the generated fault flags; errors throw instead of exiting. */
function parse(args: string[]): Faults {
  const cmd = addFaultOptions(new Command("serve"))
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  cmd.parse(args, { from: "user" });
  return faultsFromFlags(cmd.opts());
}

/** One acceptable and one unacceptable value per fault; a new fault must add its row here. */
const SAMPLES: { [K in keyof Faults]-?: { good: Faults[K]; bad: unknown; message: RegExp } } = {
  dropAfterEvents: { good: 0, bad: -1, message: /dropAfterEvents must be a non-negative integer, got -1/ },
  dropEveryMs: { good: 250, bad: 1.5, message: /dropEveryMs must be a non-negative integer/ },
  dropCloseCode: { good: 4000, bad: 1005, message: /dropCloseCode 1005 cannot be sent in a Close frame/ },
  malformed: { good: ["binary"], bad: ["nope"], message: /faults\.malformed: unknown kind "nope"/ },
  malformedEvery: { good: 3, bad: "3", message: /malformedEvery must be a non-negative integer/ },
  httpDelayMs: { good: 10, bad: -5, message: /httpDelayMs/ },
  httpStatus: { good: 503, bad: 199, message: /httpStatus must be an HTTP status \(200-599\), got 199/ },
  htmlErrors: { good: true, bad: undefined, message: /./ },
  noPing: { good: true, bad: undefined, message: /./ },
};

describe("FAULT_SPEC", () => {
  it("every fault has a long flag, a documented value, an effect and a validation", () => {
    expect(FAULT_NAMES).toEqual(Object.keys(SAMPLES));
    for (const name of FAULT_NAMES) {
      const spec = FAULT_SPEC[name];
      expect(spec.flag, name).toMatch(/^--[a-z-]+( <[a-z]+>)?$/);
      // A flag takes an argument exactly when the value has a parser (switches have none).
      expect(spec.flag.includes("<"), name).toBe(spec.value.parse !== undefined);
      expect(spec.docValue, name).not.toBe("");
      expect(spec.effect, name).not.toBe("");
      expect(typeof spec.value.problem, name).toBe("function");
      expect(["stream", "http", "dashboard"]).toContain(spec.target);
    }
  });

  it("flags and the option names commander derives from them are unique", () => {
    const flags = FAULT_NAMES.map((n) => FAULT_SPEC[n].flag.split(" ")[0]);
    const attributes = FAULT_NAMES.map((n) => new Option(FAULT_SPEC[n].flag).attributeName());
    expect(new Set(flags).size).toBe(FAULT_NAMES.length);
    expect(new Set(attributes).size).toBe(FAULT_NAMES.length);
  });

  it("validateFaults accepts each fault's good value and names the fault in its error for a bad one", () => {
    for (const name of FAULT_NAMES) {
      const { good, bad, message } = SAMPLES[name];
      expect(() => validateFaults({ [name]: good }), name).not.toThrow();
      if (bad !== undefined) expect(() => validateFaults({ [name]: bad } as Faults), name).toThrow(message);
    }
  });

  it("validateFaults copies the malformed list, so later edits by the caller do not reach the server", () => {
    const malformed: Faults["malformed"] = ["binary"];
    const checked = validateFaults({ malformed });
    malformed.push("not-json");
    expect(checked.malformed).toEqual(["binary"]);
  });
});

describe("generated CLI flags", () => {
  it("no fault flags: every fault is present and undefined (the banner lists none)", () => {
    const faults = parse([]);
    expect(Object.keys(faults)).toEqual(FAULT_NAMES);
    expect(Object.values(faults).every((v) => v === undefined)).toBe(true);
  });

  it("every flag parses into its fault", () => {
    const faults = parse([
      "--drop-after-events",
      "5",
      "--drop-every-ms",
      "2000",
      "--drop-close-code",
      "4001",
      "--malformed",
      "not-json, binary",
      "--malformed-every",
      "3",
      "--http-delay-ms",
      "100",
      "--http-status",
      "502",
      "--html-errors",
      "--no-ping",
    ]);
    expect(faults).toEqual({
      dropAfterEvents: 5,
      dropEveryMs: 2000,
      dropCloseCode: 4001,
      malformed: ["not-json", "binary"],
      malformedEvery: 3,
      httpDelayMs: 100,
      httpStatus: 502,
      htmlErrors: true,
      noPing: true,
    });
    expect(() => validateFaults(faults)).not.toThrow();
  });

  it("--malformed alone injects after every 10 events (the CLI's default)", () => {
    expect(parse(["--malformed", "binary"])).toMatchObject({ malformed: ["binary"], malformedEvery: 10 });
  });

  it("bad arguments are usage errors naming the flag", () => {
    expect(() => parse(["--drop-after-events", "-1"])).toThrow(/--drop-after-events must be a non-negative integer/);
    expect(() => parse(["--http-status", "x"])).toThrow(/--http-status must be a non-negative integer/);
    expect(() => parse(["--malformed", "binary,nope"])).toThrow(/unknown kind "nope" \(known: not-json, binary/);
  });
});

describe("README faults table", () => {
  it("is the one FAULT_SPEC makes (regenerate: node scripts/faults-table.mjs --write)", () => {
    const text = readFileSync(readme, "utf8");
    expect(text).toContain(faultsTable());
    expect(withFaultsTable(text)).toBe(text);
  });

  it("has one row per fault", () => {
    const rows = faultsTable().split("\n").slice(2);
    expect(rows.map((r) => /^\| `(\w+):/.exec(r)?.[1])).toEqual(FAULT_NAMES);
  });
});
