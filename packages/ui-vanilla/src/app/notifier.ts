/**
 * Opt-in desktop notifications: a toolbar button asks the browser's permission on a click (never on load), and
 * while it is on, AttentionRules' notices are shown when the tab is hidden (a person looking at the page needs
 * none). The choice is kept per server in localStorage.
 */
import type { ActivityTracker } from "@ductor/dashboard-client";
import { h } from "../dom.js";
import { AttentionRules, type Notice } from "./attention.js";
import type { Scope } from "./scope.js";
import { loadFlag, saveFlag } from "./storage.js";

export interface Notifier {
  readonly button: HTMLButtonElement;
}

export interface NotifierOptions {
  /** Which server the choice is for (its base URL). */
  serverKey: string;
  /** A notice was clicked: bring the stream to the front. */
  onOpen(): void;
  /** Say something next to the button ("blocked in the browser's settings"). */
  say(text: string): void;
}

const supported = (): boolean => typeof Notification === "function";

export function createNotifier(scope: Scope, tracker: ActivityTracker, options: NotifierOptions): Notifier {
  const key = `notify:${options.serverKey}`;
  const button = h(
    "button",
    {
      type: "button",
      class: "btn",
      "aria-pressed": "false",
      title: "Notify me when the agent goes quiet or the link is down, while this tab is in the background",
    },
    "Notify me",
  );
  const rules = new AttentionRules();
  let on = false;
  const set = (value: boolean): void => {
    on = value;
    button.setAttribute("aria-pressed", String(value));
    button.textContent = value ? "Notifying" : "Notify me";
  };
  if (!supported()) {
    button.disabled = true;
    button.title = "This browser has no desktop notifications";
  } else set(loadFlag(key) && Notification.permission === "granted");

  const show = (notice: Notice | null): void => {
    if (!notice || !on || document.visibilityState !== "hidden" || Notification.permission !== "granted") return;
    const shown = new Notification(notice.title, { body: notice.body, tag: `ductor-dashboard:${notice.tag}` });
    shown.onclick = () => {
      window.focus();
      options.onOpen();
      shown.close();
    };
  };
  scope.register(tracker.subscribe((activity) => show(rules.change(activity))));
  scope.interval(() => show(rules.tick(Date.now())), 1_000);

  button.addEventListener(
    "click",
    () => {
      if (on) {
        set(false);
        saveFlag(key, false);
        return;
      }
      // Asked here, on the person's click, and nowhere else.
      void Notification.requestPermission().then((permission) => {
        if (scope.disposed) return;
        if (permission === "granted") {
          set(true);
          saveFlag(key, true);
          options.say("Notifications on: when the agent goes quiet, or the link is down, while this tab is hidden");
        } else
          options.say(permission === "denied" ? "Notifications are blocked in this browser's site settings" : "Notifications stay off");
      });
    },
    { signal: scope.signal },
  );
  return { button };
}
