import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelay } from "../src/internal/backoff.js";

const opts = { minDelayMs: 500, maxDelayMs: 30_000 };

describe("backoffDelay", () => {
  it("draws uniformly between the floor and the doubling ceiling", () => {
    expect(backoffDelay(1, opts, () => 0)).toBe(500);
    expect(backoffDelay(1, opts, () => 1)).toBe(1000);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(500 + 0.5 * (4000 - 500));
    expect(backoffDelay(0, opts, () => 1)).toBe(500);
  });

  it("caps the ceiling at maxDelayMs, also for huge attempt numbers", () => {
    expect(backoffDelay(6, opts, () => 1)).toBe(30_000);
    expect(backoffDelay(10_000, opts, () => 1)).toBe(30_000);
    expect(backoffDelay(10_000, opts, () => 0)).toBe(500);
  });

  it("clamps a misbehaving random source and a max below min", () => {
    expect(backoffDelay(2, opts, () => 7)).toBe(2000);
    expect(backoffDelay(2, opts, () => -1)).toBe(500);
    expect(backoffDelay(5, { minDelayMs: 100, maxDelayMs: 50 }, () => 1)).toBe(100);
  });

  it("is always within [min, min(max, min·2^attempt)] (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 120_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, min, max, r) => {
          const d = backoffDelay(attempt, { minDelayMs: min, maxDelayMs: max }, () => r);
          const ceiling = Math.max(min, Math.min(max, min * 2 ** attempt));
          return d >= min && d <= ceiling + 0.5;
        },
      ),
    );
  });

  it("jitters: different random draws give different delays in the same window", () => {
    const draws = [0.1, 0.4, 0.9].map((r) => backoffDelay(4, opts, () => r));
    expect(new Set(draws).size).toBe(3);
    for (const d of draws) expect(d).toBeGreaterThanOrEqual(500), expect(d).toBeLessThanOrEqual(8000);
  });
});
