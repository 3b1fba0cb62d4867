/** The renderer's transcript (what it drew, as source), in Node. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Transcript } from "../src/render/transcript.js";

describe("Transcript", () => {
  it("joins consecutive text into pieces, keeps markers and highlights apart, in order", () => {
    const t = new Transcript(10);
    t.add({ kind: "text", text: "abc" });
    t.add({ kind: "text", text: "def" });
    t.add({ kind: "tool", name: "Read" });
    t.add({ kind: "text", text: "hit", mark: true });
    t.add({ kind: "text", text: "ghijklmnop" });
    t.add({ kind: "text", text: "q" });
    expect(t.ops()).toEqual([
      { kind: "text", text: "abcdef" },
      { kind: "tool", name: "Read" },
      { kind: "text", text: "hit", mark: true },
      { kind: "text", text: "ghijklmnop" },
      { kind: "text", text: "q" },
    ]);
    // A tool between two texts keeps them apart, as on screen.
    expect(t.text()).toBe("abcdef\nhitghijklmnopq");
    expect(t.chars).toBe(20);
  });

  it("dropFront forgets exactly that much text from the front, and the markers before it", () => {
    const t = new Transcript(4);
    t.add({ kind: "note", text: "n", divider: false });
    t.add({ kind: "text", text: "abcdefgh" });
    t.add({ kind: "tool", name: "Edit" });
    t.add({ kind: "text", text: "ij" });
    t.dropFront(5);
    expect(t.text()).toBe("fgh\nij");
    expect(t.ops()[0]).toEqual({ kind: "text", text: "fgh" });
    t.dropFront(3);
    expect(t.text()).toBe("ij");
    expect(t.ops()).toEqual([
      { kind: "tool", name: "Edit" },
      { kind: "text", text: "ij" },
    ]);
    t.addFront([{ kind: "text", text: "zz" }]);
    expect(t.text()).toBe("zz\nij");
    expect(t.chars).toBe(4);
  });

  it("what is left is always the suffix of what arrived", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 30 }), fc.nat(40)), { maxLength: 60 }), (steps) => {
        const t = new Transcript(16);
        let all = "";
        for (const [text, drop] of steps) {
          if (text) t.add({ kind: "text", text });
          all += text;
          t.dropFront(drop);
          all = all.slice(Math.min(all.length, drop));
          expect(t.text()).toBe(all);
          expect(t.chars).toBe(all.length);
        }
      }),
    );
  });
});
