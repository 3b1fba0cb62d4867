/** What the Usage panel says it counts, when nothing was spent (in Node). */
import { describe, expect, it } from "vitest";
import { recordingSinceText, scopeNote } from "../src/views/usage-panel.js";

describe("the Usage panel's scope note", () => {
  const now = new Date(2026, 10, 26, 15, 30).getTime();

  it("says since when the relay has been recording: a clock today, a date before", () => {
    expect(recordingSinceText(new Date(2026, 10, 26, 4, 5).getTime(), now)).toBe("04:05 today");
    expect(recordingSinceText(new Date(2026, 10, 24, 23, 59).getTime(), now)).toBe("Nov 24, 23:59");
    expect(recordingSinceText(new Date(2025, 11, 31, 9, 0).getTime(), now)).toBe("Dec 31, 2025, 09:00");
  });

  it("says what the figures count, with or without a time", () => {
    expect(scopeNote(new Date(2026, 10, 26, 4, 5).getTime(), now)).toBe(
      "Counts spending seen while this relay was recording: since 04:05 today. A session's cost under Sessions above also counts what it spent before.",
    );
    expect(scopeNote(null, now)).toMatch(/^Counts spending seen while this relay was recording\. /);
  });
});
