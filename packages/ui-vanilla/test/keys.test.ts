/** The keyboard map, in Node: what each key does where, and what it leaves alone. */
import { describe, expect, it } from "vitest";
import { keyAction, SHORTCUTS, type KeyPress } from "../src/app/keys.js";

const press = (key: string, target: Partial<KeyPress["target"]> = {}, mods: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  altKey: false,
  metaKey: false,
  ...mods,
  target: { tagName: "BODY", editable: false, ...target },
});

describe("keyAction", () => {
  it("maps the documented keys on the stream view", () => {
    expect(keyAction(press("?"), "stream")).toEqual({ kind: "help" });
    expect(keyAction(press("3"), "stream")).toEqual({ kind: "route", route: "sessions" });
    expect(keyAction(press("/"), "stream")).toEqual({ kind: "find" });
    expect(keyAction(press("j"), "stream")).toEqual({ kind: "next-turn" });
    expect(keyAction(press("k"), "stream")).toEqual({ kind: "prev-turn" });
    expect(keyAction(press("End"), "stream")).toEqual({ kind: "latest" });
    expect(keyAction(press(" ", { tagName: "DIV" }), "stream")).toEqual({ kind: "pause" });
  });

  it("leaves typing, browser shortcuts and buttons' own keys alone", () => {
    expect(keyAction(press("j", { tagName: "INPUT", editable: true }), "stream")).toBeNull();
    expect(keyAction(press("/", { tagName: "INPUT", editable: true }), "logs")).toBeNull();
    expect(keyAction(press("Escape", { tagName: "INPUT", editable: true }), "stream")).toEqual({ kind: "leave-field" });
    expect(keyAction(press("1", {}, { ctrlKey: true }), "stream")).toBeNull();
    expect(keyAction(press("/", {}, { metaKey: true }), "stream")).toBeNull();
    expect(keyAction(press(" ", { tagName: "BUTTON" }), "stream")).toBeNull();
    expect(keyAction(press(" ", { tagName: "SUMMARY" }), "stream")).toBeNull();
  });

  it("stream keys only on the stream; find on the stream and the logs", () => {
    expect(keyAction(press("j"), "logs")).toBeNull();
    expect(keyAction(press(" "), "status")).toBeNull();
    expect(keyAction(press("/"), "logs")).toEqual({ kind: "find" });
    expect(keyAction(press("/"), "sessions")).toBeNull();
    expect(keyAction(press("?"), "status")).toEqual({ kind: "help" });
  });

  it("the sheet lists every key the map knows", () => {
    const listed = SHORTCUTS.map((s) => s.keys).join(" ");
    for (const key of ["?", "1", "4", "/", "Esc", "j", "k", "End", "Space"]) expect(listed).toContain(key);
  });
});
