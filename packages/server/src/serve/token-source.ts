/**
 * Where `ductor-dashboard serve` takes ductor's token from. The command line is readable by every user of
 * the machine (`ps`, /proc/PID/cmdline), so a file or the environment comes first and `--token` only warns.
 * Precedence: --token-file > DUCTOR_API_TOKEN > --token.
 */
import { readFileSync } from "node:fs";

export const TOKEN_ENV = "DUCTOR_API_TOKEN";

export interface TokenSources {
  /** --token-file */
  file?: string | undefined;
  /** The DUCTOR_API_TOKEN environment variable. */
  env?: string | undefined;
  /** --token */
  argv?: string | undefined;
}

export interface ResolvedToken {
  token: string | undefined;
  source: "file" | "env" | "argv" | "none";
  /** Lines for stderr. */
  warnings: string[];
}

/**
 * A token ductor can take: printable ASCII without spaces (it answers others with 500, and a space pasted around a
 * token is the usual mistake). Throws naming where the token came from, so the person knows what to fix.
 */
export function checkToken(token: string, source: string): string {
  if (/^[\x21-\x7e]+$/.test(token)) return token;
  const why = /\s/.test(token) ? "has a space or a line break in it" : "has a character that is not printable ASCII";
  throw new Error(`the token in ${source} ${why}; ductor's tokens are printable ASCII without spaces`);
}

export function readTokenFile(path: string, read: (path: string) => string = (p) => readFileSync(p, "utf8")): string {
  let text: string;
  try {
    text = read(path);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new Error(`cannot read the token file ${path} (${why})`);
  }
  // Files written by `echo` or an editor end in a newline that is not part of the token.
  const token = text.replace(/[\r\n]+$/, "");
  if (token.trim() === "") throw new Error(`the token file ${path} is empty`);
  if (/[\r\n]/.test(token)) throw new Error(`the token file ${path} has more than one line; it should hold the token alone`);
  return checkToken(token, `the file ${path}`);
}

export function resolveToken(sources: TokenSources, read?: (path: string) => string): ResolvedToken {
  const warnings: string[] = [];
  if (sources.argv !== undefined) {
    warnings.push(`warning: --token is visible to every user of this machine in ps; use ${TOKEN_ENV}=… or --token-file FILE instead.`);
  }
  if (sources.file !== undefined) return { token: readTokenFile(sources.file, read), source: "file", warnings };
  // An empty variable (`DUCTOR_API_TOKEN= cmd`) means "no token", not an empty one.
  if (sources.env) return { token: checkToken(sources.env, `$${TOKEN_ENV}`), source: "env", warnings };
  if (sources.argv) return { token: checkToken(sources.argv, "--token"), source: "argv", warnings };
  return { token: undefined, source: "none", warnings };
}
