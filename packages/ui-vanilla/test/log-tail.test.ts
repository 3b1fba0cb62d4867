import { describe, expect, it } from "vitest";
import { FOLLOW_OVERLAP_BYTES, followRange, followStep, type FollowChunk } from "../src/views/logs/log-tail.js";

const bytes = (s: string) => new TextEncoder().encode(s).length;

/** What logs.read returns for `file` from byte `start` (the client skips a cut-off leading character). */
function read(file: string, start: number): FollowChunk {
  const all = new TextEncoder().encode(file);
  let from = start;
  while (from < all.length && (all[from]! & 0xc0) === 0x80) from++;
  return { text: new TextDecoder().decode(all.subarray(from)), start: from, end: all.length, totalSize: all.length };
}

function poll(shown: string, file: string) {
  const range = followRange(bytes(shown));
  return followStep(shown, bytes(shown), range ? read(file, range.start) : read(file, 0));
}

describe("log tail following", () => {
  it("asks again for a few bytes it already has, so an unchanged file answers 206, never 416", () => {
    expect(followRange(0)).toBeUndefined();
    expect(followRange(100)).toEqual({ start: 0 });
    expect(followRange(10_000)).toEqual({ start: 10_000 - FOLLOW_OVERLAP_BYTES });
  });

  it("nothing new: appends nothing", () => {
    const shown = "line 1\n".repeat(100);
    expect(poll(shown, shown)).toEqual({ kind: "append", text: "", end: bytes(shown), totalSize: bytes(shown) });
  });

  it("appended lines come back once, without the re-read overlap", () => {
    const shown = "2026-04-21 12:00:00 [INFO] started\n".repeat(20);
    const file = `${shown}2026-04-21 12:00:01 [INFO] more ✓ — ünïcödé 🎉\n`;
    expect(poll(shown, file)).toEqual({
      kind: "append",
      text: "2026-04-21 12:00:01 [INFO] more ✓ — ünïcödé 🎉\n",
      end: bytes(file),
      totalSize: bytes(file),
    });
  });

  it("multi-byte characters on the overlap's edge are compared whole", () => {
    const shown = "é🎉✓".repeat(200);
    const file = `${shown}next\n`;
    expect(poll(shown, file)).toMatchObject({ kind: "append", text: "next\n" });
  });

  it("a file rotated and grown past the old size between two polls is reloaded, not appended to", () => {
    const shown = "2026-04-21 12:00:00 [INFO] old file line\n".repeat(20);
    const rotated = "2026-04-21 13:00:00 [INFO] new file line\n".repeat(40);
    expect(bytes(rotated)).toBeGreaterThan(bytes(shown));
    expect(poll(shown, rotated)).toEqual({ kind: "rotated", totalSize: bytes(rotated) });
  });

  it("a file that shrank is reloaded", () => {
    const shown = "x".repeat(1_000);
    expect(poll(shown, "y\n")).toEqual({ kind: "rotated", totalSize: 2 });
  });

  it("replaced bad bytes in the overlap cannot be compared: the size decides", () => {
    const shown = `${"a".repeat(300)}\uFFFD`;
    // Shown offsets count the bad byte as one byte, as the server sent it.
    const end = 301;
    const chunk: FollowChunk = {
      text: `${"a".repeat(FOLLOW_OVERLAP_BYTES - 1)}\uFFFDnew\n`,
      start: end - FOLLOW_OVERLAP_BYTES,
      end: end + 4,
      totalSize: end + 4,
    };
    expect(followStep(shown, end, chunk)).toEqual({ kind: "append", text: "new\n", end: end + 4, totalSize: end + 4 });
  });

  it("a whole-file read of an empty file that got lines appends them", () => {
    expect(poll("", "first\n")).toEqual({ kind: "append", text: "first\n", end: 6, totalSize: 6 });
  });
});
