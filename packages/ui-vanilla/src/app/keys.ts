/**
 * The dashboard's keyboard shortcuts: which key does what, decided without the DOM so it is tested in Node. Keys
 * typed into a field stay the field's (except Escape), and a key with Ctrl, Alt or Meta is the browser's.
 */
import type { Route } from "./types.js";

export type KeyAction =
  | { kind: "help" }
  | { kind: "route"; route: Route }
  | { kind: "find" }
  | { kind: "next-turn" }
  | { kind: "prev-turn" }
  | { kind: "latest" }
  | { kind: "pause" }
  | { kind: "leave-field" };

/** What the decision needs of a keydown. */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  /** The focused element: its tag (upper case, as the DOM says it), and whether it takes typing. */
  target: { tagName: string; editable: boolean };
}

/** The shortcut sheet's rows, in the order shown (kept beside the map so they cannot drift apart). */
export const SHORTCUTS: ReadonlyArray<{ keys: string; what: string }> = [
  { keys: "?", what: "Show or hide this list" },
  { keys: "1 2 3 4", what: "Status, Live stream, Sessions & tasks, Logs" },
  { keys: "/", what: "Find in the stream or the open log" },
  { keys: "Esc", what: "Leave the find field; close this list" },
  { keys: "j / k", what: "Next / previous turn in the stream" },
  { keys: "End", what: "Jump to the latest output" },
  { keys: "Space", what: "Pause or resume the stream" },
];

const ROUTE_KEYS: Record<string, Route> = { "1": "status", "2": "stream", "3": "sessions", "4": "logs" };
/** Elements whose own keys (Space, Enter) must keep working. */
const INTERACTIVE = new Set(["BUTTON", "A", "SUMMARY", "SELECT", "DETAILS", "INPUT", "TEXTAREA"]);

export function keyAction(press: KeyPress, route: Route): KeyAction | null {
  if (press.ctrlKey || press.altKey || press.metaKey) return null;
  if (press.target.editable) return press.key === "Escape" ? { kind: "leave-field" } : null;
  const key = press.key;
  if (key === "?") return { kind: "help" };
  const to = ROUTE_KEYS[key];
  if (to) return { kind: "route", route: to };
  if (key === "/") return route === "stream" || route === "logs" ? { kind: "find" } : null;
  if (route !== "stream") return null;
  if (key === "j") return { kind: "next-turn" };
  if (key === "k") return { kind: "prev-turn" };
  if (key === "End") return { kind: "latest" };
  if (key === " " && !INTERACTIVE.has(press.target.tagName)) return { kind: "pause" };
  return null;
}
