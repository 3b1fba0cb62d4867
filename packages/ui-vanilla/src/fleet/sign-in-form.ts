/**
 * A fleet card's sign-in: one token for that ductor only. The token is tried (`/dashboard/status` of that ductor,
 * through the relay) before it is kept, so a token meant for another ductor is refused here and stored nowhere.
 */
import { InternalServerError, ServiceUnavailableError } from "@ductor/dashboard-client";
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
  // Checked here, not by the browser: its bubble would leave an old message up and say nothing of which ductor.
  form.noValidate = true;
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
      if (!tok) {
        say(`Enter the token for ${opts.server}.`);
        token.focus();
        return;
      }
      if (!/^[\x21-\x7e]+$/.test(tok)) return say("Tokens are plain ASCII without spaces; check what you pasted.");
      check?.abort();
      check = new AbortController();
      const signal = AbortSignal.any([check.signal, scope.signal]);
      submit.disabled = true;
      submit.textContent = "Checking…";
      say("");
      checkToken(opts.createClient(tok), signal)
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

/**
 * Resolves when the ductor (or its relay) accepts the token. `/dashboard/status` asks ductor itself; when ductor is
 * down (the relay answers 502/503/504) the relay's own history, which checks the same token, answers instead, so a
 * stopped ductor can still be signed in to (its card then says it is unreachable).
 */
async function checkToken(client: Client, signal: AbortSignal): Promise<void> {
  try {
    await client.status({ signal, maxRetries: 0 });
  } catch (err) {
    if (!(err instanceof InternalServerError || err instanceof ServiceUnavailableError)) throw err;
    try {
      await client.history.page({ before: 1 }, { limit: 1, signal, maxRetries: 0 });
    } catch (relayErr) {
      // The relay's own answer about the token counts; anything else, and ductor being down is the reason.
      throw isAuthError(relayErr) ? relayErr : err;
    }
  }
}
