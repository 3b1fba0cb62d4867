/**
 * The relay's token check, for viewers (`?token=`) and the history REST endpoints (`Authorization: Bearer`).
 * The relay holds ductor's own token and asks viewers for the same one, like ductor does. Both sides are
 * hashed first so that the comparison takes the same time whatever the lengths (timingSafeEqual needs equal
 * lengths, and comparing lengths first would leak the token's length).
 */
import { createHash, timingSafeEqual } from "node:crypto";

const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

/** Constant-time: true when `given` is exactly `expected`. A missing token never matches. */
export function tokenMatches(given: string | null | undefined, expected: string): boolean {
  const a = digest(given ?? "");
  const b = digest(expected);
  // Both digests are compared in full even when `given` is missing, so a missing token costs the same time.
  return timingSafeEqual(a, b) && given !== null && given !== undefined && expected !== "";
}

/** The token of an `Authorization: Bearer T` header, or null. Like ductor: the prefix is exactly `Bearer ` (one space). */
export function bearerToken(header: string | undefined): string | null {
  return header?.startsWith("Bearer ") ? header.slice("Bearer ".length) : null;
}
