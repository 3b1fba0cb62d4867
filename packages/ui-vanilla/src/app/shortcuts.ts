/**
 * The keyboard's DOM side: one keydown listener for the app, the shortcut sheet (a modal `<dialog>`: it keeps
 * focus inside while open, closes on Escape and gives focus back), and the actions handed to the shell.
 */
import { h } from "../dom.js";
import { keyAction, SHORTCUTS, type KeyAction } from "./keys.js";
import type { Scope } from "./scope.js";
import type { Route } from "./types.js";

export interface ShortcutHost {
  route(): Route;
  /** Do it; true when something happened (the key's default action is then prevented). */
  run(action: Exclude<KeyAction, { kind: "help" }>): boolean;
}

export function installShortcuts(root: HTMLElement, scope: Scope, host: ShortcutHost): void {
  const close = h("button", { type: "button", class: "btn" }, "Close");
  const sheet = h(
    "dialog",
    { class: "shortcuts", "aria-labelledby": "dd-shortcuts-title" },
    h("h2", { id: "dd-shortcuts-title" }, "Keyboard shortcuts"),
    h("dl", { class: "shortcut-list" }, ...SHORTCUTS.flatMap((s) => [h("dt", null, h("kbd", null, s.keys)), h("dd", null, s.what)])),
    close,
  );
  root.append(sheet);
  scope.register(() => sheet.remove());
  close.addEventListener("click", () => sheet.close(), { signal: scope.signal });

  document.addEventListener(
    "keydown",
    (ev) => {
      if (ev.defaultPrevented || ev.isComposing) return;
      const target = ev.target instanceof HTMLElement ? ev.target : document.body;
      // Inside the open sheet, only its own keys (the dialog's Escape; "?" closes it again).
      if (sheet.open && ev.key !== "?") return;
      const editable =
        target.isContentEditable ||
        target instanceof HTMLTextAreaElement ||
        target instanceof HTMLSelectElement ||
        (target instanceof HTMLInputElement && !["button", "checkbox", "radio", "submit"].includes(target.type));
      const action = keyAction(
        { key: ev.key, ctrlKey: ev.ctrlKey, altKey: ev.altKey, metaKey: ev.metaKey, target: { tagName: target.tagName, editable } },
        host.route(),
      );
      if (!action) return;
      if (action.kind === "help") {
        ev.preventDefault();
        if (sheet.open) sheet.close();
        else sheet.showModal();
        return;
      }
      if (host.run(action)) ev.preventDefault();
    },
    { signal: scope.signal },
  );
}
