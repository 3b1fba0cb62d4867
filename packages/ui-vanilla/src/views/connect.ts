import { ConnectionError, DashboardClient, NotFoundError } from "@ductor/dashboard-client";
import { describeError, isAuthError } from "../app/describe.js";
import type { Scope } from "../app/scope.js";
import { h } from "../dom.js";

export interface ConnectOptions {
  baseUrl: string;
  reason?: string | null;
  remember?: boolean;
  /** Called with a client whose token the server accepted. */
  onConnected(client: DashboardClient, creds: { baseUrl: string; token: string; remember: boolean }): void;
  createClient?: (baseUrl: string, token: string) => DashboardClient;
  /**
   * The address answered 404: may another view take over (a dashboard serving several ductors)? Resolves true when
   * it did; the form then says nothing more.
   */
  onNotFound?: (baseUrl: string) => Promise<boolean>;
  /** Shown below the form (the static site's "Open a recording…"). */
  extra?: Node | null;
}

export interface ConnectView {
  readonly el: HTMLElement;
}

/** The connect form; it ends (check cancelled, form removed) with `scope`. */
export function createConnectView(scope: Scope, opts: ConnectOptions): ConnectView {
  const url = h("input", {
    id: "dd-url",
    name: "url",
    type: "url",
    value: opts.baseUrl,
    autocomplete: "url",
    required: true,
    spellcheck: "false",
  });
  const token = h("input", {
    id: "dd-token",
    name: "token",
    type: "password",
    autocomplete: "off",
    required: true,
    spellcheck: "false",
    placeholder: "43-character API token",
  });
  const remember = h("input", { id: "dd-remember", name: "remember", type: "checkbox", checked: !!opts.remember });
  const submit = h("button", { type: "submit", class: "btn btn-primary" }, "Connect");
  const message = h("p", { class: "connect-message", role: "alert", hidden: !opts.reason }, opts.reason ?? "");
  let ac: AbortController | null = null;

  const form = h(
    "form",
    { class: "connect-form", "aria-labelledby": "dd-connect-title" },
    h("h1", { id: "dd-connect-title" }, "Connect to ductor"),
    h(
      "p",
      { class: "muted" },
      "The dashboard talks to ductor's API server. Enter its address and the API token (",
      h("code", null, "api.token"),
      " in ductor's config.json).",
    ),
    message,
    h("label", { for: "dd-url" }, "Server URL"),
    url,
    h("label", { for: "dd-token" }, "Token"),
    token,
    h("label", { class: "check", for: "dd-remember" }, remember, " Remember on this device"),
    h(
      "p",
      { class: "hint" },
      "Without it, the token is kept only for this tab (sessionStorage). Remembered tokens sit in localStorage, where any script on this origin can read them.",
    ),
    submit,
  );

  const showMessage = (text: string): void => {
    message.textContent = text;
    message.hidden = !text;
  };

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const baseUrl = url.value.trim().replace(/\/+$/, "");
    const tok = token.value.trim();
    if (!baseUrl || !/^https?:\/\//i.test(baseUrl)) {
      showMessage("Enter the server address, starting with http:// or https://.");
      url.focus();
      return;
    }
    if (!tok) {
      showMessage("Enter the token.");
      token.focus();
      return;
    }
    if (!/^[\x21-\x7e]+$/.test(tok)) {
      showMessage("Tokens are plain ASCII without spaces; check what you pasted.");
      token.focus();
      return;
    }
    // A newer submit cancels the older check; so does leaving the form.
    ac?.abort();
    ac = new AbortController();
    const signal = AbortSignal.any([ac.signal, scope.signal]);
    submit.disabled = true;
    submit.textContent = "Checking…";
    showMessage("");
    const client = opts.createClient ? opts.createClient(baseUrl, tok) : new DashboardClient({ baseUrl, token: tok });
    client
      .status({ signal, maxRetries: 0 })
      .then(() => {
        if (signal.aborted) return;
        opts.onConnected(client, { baseUrl, token: tok, remember: remember.checked });
      })
      .catch(async (err: unknown) => {
        if (signal.aborted) return;
        if (err instanceof NotFoundError && opts.onNotFound && (await opts.onNotFound(baseUrl).catch(() => false))) return;
        if (signal.aborted) return;
        const crossOrigin = err instanceof ConnectionError ? crossOriginAdvice(baseUrl, globalThis.location?.origin ?? "null") : null;
        if (crossOrigin) message.replaceChildren(crossOrigin.lead, h("code", null, crossOrigin.command), crossOrigin.tail);
        message.hidden = false;
        if (!crossOrigin) {
          showMessage(isAuthError(err) ? "The server refused this token. Check api.token in ductor's config." : describeError(err));
        }
        submit.disabled = false;
        submit.textContent = "Connect";
        (isAuthError(err) ? token : url).focus();
      });
  });

  const el = h("main", { class: "connect" }, form, opts.extra);
  queueMicrotask(() => (opts.baseUrl ? token : url).focus());
  scope.register(() => el.remove());
  return { el };
}

/**
 * What to do when a request to `baseUrl` failed at the network level and `baseUrl` is not the page's own origin: the
 * browser blocked it (the site's CSP allows only its own origin, and ductor sends no CORS headers), so no address
 * typed here can work. Null when it is the page's origin (then the server is simply unreachable). Pure, for tests.
 */
export function crossOriginAdvice(baseUrl: string, pageOrigin: string): { lead: string; command: string; tail: string } | null {
  let origin: string;
  try {
    origin = new URL(baseUrl).origin;
  } catch {
    return null;
  }
  if (origin === pageOrigin) return null;
  const here = pageOrigin === "null" ? "this page" : `this page (${pageOrigin})`;
  return {
    lead: `Could not reach ${origin} from ${here}: browsers block requests to another origin, and ductor sends no CORS headers. Serve the dashboard beside ductor instead, on a machine that reaches it:`,
    command: `ductor-dashboard serve --ductor ${baseUrl}`,
    tail: "then open the address it prints.",
  };
}
