import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { utf8LengthExceeds } from "../src/internal/utf8.js";

const utf8Length = (s: string) => new TextEncoder().encode(s).length;

describe("utf8LengthExceeds", () => {
  it("agrees with TextEncoder for well-formed strings of every width (1–4 byte characters)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), fc.nat(800), (text, limit) => {
        expect(utf8LengthExceeds(text, limit)).toBe(utf8Length(text) > limit);
      }),
      { numRuns: 3_000 },
    );
  });

  it("counts surrogate pairs as 4 bytes and 3-byte characters as 3", () => {
    expect(utf8LengthExceeds("😀", 4)).toBe(false);
    expect(utf8LengthExceeds("😀", 3)).toBe(true);
    expect(utf8LengthExceeds("✓✓", 6)).toBe(false);
    expect(utf8LengthExceeds("✓✓", 5)).toBe(true);
    expect(utf8LengthExceeds("", 1)).toBe(false);
  });
});
