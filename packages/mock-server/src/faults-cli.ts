/**
 * The `serve` command's fault flags, made from `FAULT_SPEC`: one commander Option per fault, with the
 * spec's parser, and the way back from parsed flags to a `Faults` object. Kept apart from faults.ts so
 * the library never loads commander.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { FAULT_NAMES, FAULT_SPEC, type FaultName, type Faults } from "./faults.js";

/** `--help` is plain text: the README's markdown backticks are dropped. */
function helpText(name: FaultName): string {
  const { effect, docCliValue } = FAULT_SPEC[name];
  return `fault: ${effect.replaceAll("`", "")}${docCliValue ? ` (${docCliValue})` : ""}`;
}

function faultOption(name: FaultName): Option {
  const spec = FAULT_SPEC[name];
  const option = new Option(spec.flag, helpText(name));
  const parse = spec.value.parse;
  if (parse) {
    option.argParser((arg: string) => {
      try {
        return parse(arg, option.long ?? spec.flag);
      } catch (e) {
        // commander prints an InvalidArgumentError as a usage error; anything else would be a crash.
        throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
      }
    });
  }
  return option;
}

export function addFaultOptions(command: Command): Command {
  for (const name of FAULT_NAMES) command.addOption(faultOption(name));
  return command;
}

/**
 * The faults that parsed `serve` flags ask for. Every fault is a key, undefined when not asked for
 * (the banner lists only the ones set); `--no-x` switches arrive as `x: false`.
 */
export function faultsFromFlags(flags: Readonly<Record<string, unknown>>): Faults {
  const faults: Record<string, unknown> = {};
  for (const name of FAULT_NAMES) {
    const option = new Option(FAULT_SPEC[name].flag);
    const raw = flags[option.attributeName()];
    faults[name] = option.negate ? (raw === false ? true : undefined) : raw;
  }
  for (const name of FAULT_NAMES) faults[name] ??= FAULT_SPEC[name].cliDefault?.(faults as Faults);
  return faults as Faults;
}
