/**
 * A fleet card's sign-in: one token for that ductor only. The token is tried (`/dashboard/status` of that ductor,
 * through the relay) before it is kept, so a token meant for another ductor is refused here and stored nowhere.
 */
import { describeError, isAuthError } from "../app/describe.js";
import type { Scope } from "../app/scope.js";
import type { Client } from "../app/types.js";
import { h } from "../dom.js";

export interface SignInFormOptions {
  server: string;
  /** Why the card is signed out, when it was not the person's choice ("token refused"). */
  reason?: string | null;
  /** A client for this ductor with `token`. */
  createClient(token: string): Client;
  /** The ductor accepted `token`. */
  onSignedIn(token: string, remember: boolean): void;
}

/** The form; its check is cancelled when `scope` ends. */
export function createSignInForm(scope: Scope, opts: SignInFormOptions): HTMLFormElement {
  // Ids are per server: several of these forms share the page.
  const id = `dd-fleet-token-${opts.server}`;
  const rememberId = `${id}-remember`;
  const token = h("input", {
    id,
    name: "token",
    type: "password",
    autocomplete: "off",
    required: true,
    spellcheck: "false",
    placeholder: "API token",
  });
  const remember = h("input", { id: rememberId, name: "remember", type: "checkbox" });
  const submit = h("button", { type: "submit", class: "btn btn-primary" }, "Sign in");
  const message = h("p", { class: "fleet-signin-message", role: "alert", hidden: !opts.reason }, opts.reason ?? "");
  const form = h(
    "form",
    { class: "fleet-signin", "aria-label": `Sign in to ${opts.server}` },
    h("label", { for: id }, "Token for ", h("strong", null, opts.server)),
    h("div", { class: "fleet-signin-row" }, token, submit),
    h("label", { class: "check", for: rememberId }, remember, " Remember on this device"),
    message,
  );
  const say = (text: string): void => {
    message.textContent = text;
    message.hidden = !text;
  };
  let check: AbortController | null = null;
  scope.register(() => check?.abort());

  form.addEventListener(
    "submit",
    (ev) => {
      ev.preventDefault();
      const tok = token.value.trim();
      if (!tok) return say("Enter the token.");
      if (!/^[\x21-\x7e]+$/.test(tok)) return say("Tokens are plain ASCII without spaces; check what you pasted.");
      check?.abort();
      check = new AbortController();
      const signal = AbortSignal.any([check.signal, scope.signal]);
      submit.disabled = true;
      submit.textContent = "Checking…";
      say("");
      opts
        .createClient(tok)
        .status({ signal, maxRetries: 0 })
        .then(() => {
          if (!signal.aborted) opts.onSignedIn(tok, remember.checked);
        })
        .catch((err: unknown) => {
          if (signal.aborted) return;
          say(isAuthError(err) ? `${opts.server} refused this token.` : describeError(err));
          submit.disabled = false;
          submit.textContent = "Sign in";
          token.focus();
        });
    },
    { signal: scope.signal },
  );
  return form;
}
