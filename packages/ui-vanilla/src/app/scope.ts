/**
 * A lifetime for a view (or the app): everything it starts — requests, timers, listeners, child views —
 * is registered here, and `dispose()` ends all of it, so `destroy()` cannot forget a timer. After xterm.js's
 * `register(toDisposable(…))`, with an AbortSignal for requests and listeners.
 */
export interface Scope {
  /** Aborted on dispose: pass it to requests and `addEventListener(…, { signal })`. */
  readonly signal: AbortSignal;
  readonly disposed: boolean;
  /** Run `dispose` when the scope ends (last registered runs first). Runs at once if already ended. */
  register(dispose: () => void): void;
  /** How many disposers wait for the end (a timeout that fired or was cancelled no longer counts). */
  readonly registered: number;
  /** `setTimeout` that the scope clears; returns a function that cancels it early. */
  timeout(fn: () => void, ms: number): () => void;
  /** `setInterval` that the scope clears. */
  interval(fn: () => void, ms: number): void;
  /** A scope that ends with this one (or earlier, by its own dispose). */
  child(): Scope;
  dispose(): void;
}

export function createScope(): Scope {
  const controller = new AbortController();
  // A Set, so a timeout can take its cancel back out once it fired: a replay waits once per event, and a list
  // would keep every one of those until the view ends.
  const disposers = new Set<() => void>();
  let disposed = false;

  const scope: Scope = {
    signal: controller.signal,
    get disposed() {
      return disposed;
    },
    register(dispose: () => void): void {
      if (disposed) dispose();
      else disposers.add(dispose);
    },
    get registered() {
      return disposers.size;
    },
    timeout(fn: () => void, ms: number): () => void {
      let pending = true;
      const cancel = (): void => {
        if (pending) clearTimeout(id);
        pending = false;
        disposers.delete(cancel);
      };
      const id = setTimeout(() => {
        pending = false;
        disposers.delete(cancel);
        fn();
      }, ms);
      scope.register(cancel);
      return cancel;
    },
    interval(fn: () => void, ms: number): void {
      const id = setInterval(fn, ms);
      scope.register(() => clearInterval(id));
    },
    child(): Scope {
      const child = createScope();
      scope.register(() => child.dispose());
      return child;
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      controller.abort();
      // Last in, first out: what was set up later may depend on what was set up earlier.
      const ending = [...disposers].reverse();
      disposers.clear();
      for (const dispose of ending) {
        try {
          dispose();
        } catch (err) {
          console.error("ductor dashboard: a disposer threw", err);
        }
      }
    },
  };
  return scope;
}

/** Work of which only the newest counts (a search, a range being loaded): starting one aborts the one before. */
export interface Latest {
  /** Abort what runs, and a signal for the new work (aborted too when the scope ends). */
  begin(): AbortSignal;
  /** Abort what runs. */
  cancel(): void;
}

export function createLatest(scope: Scope): Latest {
  let current: AbortController | null = null;
  const cancel = (): void => current?.abort();
  scope.register(cancel);
  return {
    begin(): AbortSignal {
      cancel();
      current = new AbortController();
      return AbortSignal.any([scope.signal, current.signal]);
    },
    cancel,
  };
}
