/**
 * The one policy for a request a view made that failed: an abort (the view moved on) is nothing; a 401 means
 * the token is gone, and the whole app returns to the connect form; anything else goes in the view's error
 * banner, in words, until a later success clears it.
 */
import { describeError, isAbort, isAuthError } from "./describe.js";
import type { AppContext } from "./types.js";

/** Where a view shows that something failed, and that it works again. */
export interface ErrorBanner {
  fail(text: string): void;
  ok(now?: number): void;
}

export interface FailureContext {
  /** The endpoint, for the 401 message ("/dashboard/status"). */
  endpoint: string;
  /** What was being done, for the banner ("refresh the status" → "Couldn't refresh the status: …"). */
  doing: string;
  banner: ErrorBanner;
}

export type FailureOutcome = "ignored" | "refused" | "reported";

export function reportFailure(ctx: AppContext, err: unknown, { endpoint, doing, banner }: FailureContext): FailureOutcome {
  if (isAbort(err)) return "ignored";
  if (isAuthError(err)) {
    ctx.refuse(`The server refused the token (401 on ${endpoint}).`);
    return "refused";
  }
  banner.fail(`Couldn't ${doing}: ${describeError(err)}`);
  return "reported";
}

/** A banner element (`<p class="banner banner-error">`) as an ErrorBanner. */
export function elementBanner(el: HTMLElement): ErrorBanner {
  return {
    fail(text: string): void {
      el.textContent = text;
      el.hidden = false;
    },
    ok(): void {
      el.hidden = true;
      el.textContent = "";
    },
  };
}
