/**
 * Which ductors `ductor-dashboard serve` fronts, and each one's token, from the command line, a config file and
 * the environment. Pure apart from the file reader it is given, so every rule is tested without a process.
 *
 *   --ductor URL                  one ductor at today's URLs; token: --token-file FILE, $DUCTOR_API_TOKEN, --token
 *   --ductor home=URL (repeated)  several, each under /s/<name>/; token: --token-file home=FILE, $DUCTOR_API_TOKEN_HOME
 *   --config ductor-dashboard.json  {"ductors": [{"name", "url", "tokenFile"}]}
 *
 * Tokens never come from argv per ductor (argv is readable in ps), nor from the config file itself (a file that is
 * shared or committed more easily than a token file): a config names a token file per ductor.
 */
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { SERVER_NAME } from "@ductor/dashboard-client";
import { checkToken, readTokenFile, resolveToken, TOKEN_ENV } from "./token-source.js";

export interface UpstreamArgs {
  /** Each `--ductor` as given: `URL` or `name=URL`. */
  ductor: readonly string[];
  /** Each `--token-file` as given: `FILE`, or `name=FILE` for one of several. */
  tokenFile: readonly string[];
  /** `--token` (single ductor only, and warned about). */
  token?: string | undefined;
  /** `--config FILE`. */
  config?: string | undefined;
}

interface Upstream {
  name: string;
  url: string;
  token: string | undefined;
  /** Where the token came from, for the operator's lines. */
  tokenSource: string;
}

export interface ResolvedUpstreams {
  upstreams: Upstream[];
  /** Every ductor has its own `/s/<name>/` (more than one). */
  several: boolean;
  /** Lines for stderr. */
  warnings: string[];
}

/** `DUCTOR_API_TOKEN_<NAME>`: the name upper-cased, `-` as `_` (environment names cannot hold a dash). */
export function tokenEnvName(name: string): string {
  return `${TOKEN_ENV}_${name.toUpperCase().replaceAll("-", "_")}`;
}

const NAMED = /^([^:/=]+)=(.*)$/s;

/** `name=VALUE` → [name, value]; a plain value → [undefined, value]. A URL's scheme ("http:") keeps it plain. */
function splitNamed(text: string, what: string): [string | undefined, string] {
  const m = NAMED.exec(text);
  if (!m) return [undefined, text];
  const [, name = "", value = ""] = m;
  if (!SERVER_NAME.test(name)) {
    throw new Error(`${what} ${JSON.stringify(text)}: a name is lowercase letters, digits and - (up to 32, not starting with -)`);
  }
  return [name, value];
}

interface ConfigEntry {
  name: string;
  url: string;
  tokenFile?: string;
}

const CONFIG_KEYS = new Set(["name", "url", "tokenFile"]);

/** The config file's ductors; a token file relative to the config's folder. Unknown keys are typos: refused. */
export function parseConfig(text: string, path: string): ConfigEntry[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    // JSON.parse's message can run over several lines (it quotes the text); its first line says what and where.
    const first = (err instanceof Error ? err.message : String(err)).split("\n")[0];
    throw new Error(`${path} is not JSON (${first}); a trailing comma or a missing quote is the usual cause`);
  }
  const list = (body as { ductors?: unknown } | null)?.ductors;
  if (!Array.isArray(list) || list.length === 0) throw new Error(`${path}: expected {"ductors": [{"name", "url", "tokenFile"}, …]}`);
  return list.map((entry: unknown, i) => {
    const where = `${path}: ductors[${i}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) throw new Error(`${where} is not an object`);
    const e = entry as Record<string, unknown>;
    if ("token" in e) throw new Error(`${where}: a token does not belong in the config; put it in a file and name it as "tokenFile"`);
    for (const key of Object.keys(e)) if (!CONFIG_KEYS.has(key)) throw new Error(`${where}: unknown key ${JSON.stringify(key)}`);
    if (typeof e.name !== "string" || typeof e.url !== "string") throw new Error(`${where}: "name" and "url" are strings`);
    if (e.tokenFile !== undefined && typeof e.tokenFile !== "string") throw new Error(`${where}: "tokenFile" is a path`);
    const tokenFile =
      typeof e.tokenFile === "string" ? (isAbsolute(e.tokenFile) ? e.tokenFile : resolve(dirname(path), e.tokenFile)) : undefined;
    return { name: e.name, url: e.url, ...(tokenFile !== undefined ? { tokenFile } : {}) };
  });
}

export function resolveUpstreams(
  args: UpstreamArgs,
  env: Readonly<Record<string, string | undefined>>,
  read: (path: string) => string,
): ResolvedUpstreams {
  const warnings: string[] = [];
  const entries: { name: string | undefined; url: string; tokenFile?: string }[] = [];
  if (args.config !== undefined) {
    if (args.ductor.length > 0) throw new Error("give the ductors either with --ductor or in --config, not both");
    let text: string;
    try {
      text = read(args.config);
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
      throw new Error(`cannot read the config file ${args.config} (${why})`);
    }
    entries.push(...parseConfig(text, args.config));
  }
  for (const given of args.ductor) {
    const [name, url] = splitNamed(given, "--ductor");
    entries.push({ name, url });
  }
  if (entries.length === 0) throw new Error("no ductor to serve: give --ductor URL, --ductor name=URL (repeatable) or --config FILE");
  const several = entries.length > 1;
  if (several && entries.some((e) => e.name === undefined)) {
    throw new Error("with several ductors each needs a name: --ductor home=URL --ductor work=URL");
  }

  // --token-file: FILE (the single ductor's) or name=FILE.
  const namedFiles = new Map<string, string>();
  let plainFile: string | undefined;
  for (const given of args.tokenFile) {
    const [name, named] = splitNamed(given, "--token-file");
    // Shells leave `~` alone after `name=` (it is not at the start of a word): expand it here, as the person meant.
    const file = named.startsWith("~/") ? join(homedir(), named.slice(2)) : named;
    if (name === undefined) {
      if (several) throw new Error("with several ductors, say whose token file it is: --token-file home=FILE");
      plainFile = file;
    } else {
      if (!entries.some((e) => e.name === name)) throw new Error(`--token-file ${name}=…: no ductor is named ${name}`);
      namedFiles.set(name, file);
    }
  }
  if (several && args.token !== undefined) {
    throw new Error(`--token cannot say whose token it is; with several ductors use ${tokenEnvName("<name>")} or --token-file name=FILE`);
  }

  if (several && env[TOKEN_ENV])
    warnings.push(`note: $${TOKEN_ENV} is not used with several ductors; each has its own ${tokenEnvName("<name>")}.`);
  const upstreams = entries.map((entry): Upstream => {
    const name = entry.name ?? "ductor";
    const file = namedFiles.get(name) ?? entry.tokenFile;
    if (file !== undefined) return { name, url: entry.url, token: readTokenFile(file, read), tokenSource: `the file ${file}` };
    const envName = tokenEnvName(name);
    const fromEnv = entry.name !== undefined ? env[envName] : undefined;
    if (fromEnv) return { name, url: entry.url, token: checkToken(fromEnv, `$${envName}`), tokenSource: `$${envName}` };
    if (several) return { name, url: entry.url, token: undefined, tokenSource: "none" };
    // One ductor: today's sources too.
    const single = resolveToken({ file: plainFile, env: env[TOKEN_ENV], argv: args.token }, read);
    warnings.push(...single.warnings);
    const source = single.source === "file" ? `the file ${plainFile}` : single.source === "env" ? `$${TOKEN_ENV}` : single.source;
    return { name, url: entry.url, token: single.token, tokenSource: source };
  });
  return { upstreams, several, warnings };
}
