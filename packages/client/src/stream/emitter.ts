import { ListenerError } from "../errors.js";
import type { StreamEventMap, StreamEventType } from "./types.js";

type Listener = (ev: never) => void;

/**
 * The stream's typed listeners. Listeners are called synchronously, in subscription order, and buffer nothing.
 * Copy-on-write arrays: subscribing is rare and events are many, so emit() iterates a snapshot that on()/off()
 * replace, instead of copying the listeners for every frame. A listener subscribed during an emit first hears
 * the next event; one removed during an emit still hears the current one.
 */
export class StreamEmitter {
  readonly #listeners = new Map<StreamEventType, ReadonlyArray<Listener>>();
  #printedListenerError = false;

  /** Subscribe (once per function and type); returns the unsubscribe function. */
  on<K extends StreamEventType>(type: K, listener: (event: StreamEventMap[K]) => void): () => void {
    const fn = listener as Listener;
    const current = this.#listeners.get(type) ?? [];
    if (!current.includes(fn)) this.#listeners.set(type, [...current, fn]);
    return () => {
      const now = this.#listeners.get(type);
      if (now?.includes(fn))
        this.#listeners.set(
          type,
          now.filter((f) => f !== fn),
        );
    };
  }

  emit<K extends StreamEventType>(type: K, event: StreamEventMap[K]): void {
    const listeners = this.#listeners.get(type);
    if (!listeners) return;
    for (const fn of listeners) {
      try {
        (fn as (ev: StreamEventMap[K]) => void)(event);
      } catch (error) {
        // A throwing listener must not cost the others their event, nor the stream its state.
        this.#listenerThrew(type, error);
      }
    }
  }

  /** Forget every listener (the stream is over). */
  clear(): void {
    this.#listeners.clear();
  }

  /**
   * Reported as an `error` event, never rethrown: in Node (20 has no `reportError`) a rethrow in a
   * microtask is an uncaught exception that ends the process. What an `error` listener throws is not
   * fed back into `error` (that could loop); it, or a failure nobody listens for, is printed once per emitter.
   */
  #listenerThrew(type: StreamEventType, thrown: unknown): void {
    const failure = new ListenerError(type, thrown);
    if (type !== "error" && this.#listeners.get("error")?.length) return this.emit("error", failure);
    if (this.#printedListenerError) return;
    this.#printedListenerError = true;
    console.error(failure, "\n(further listener errors on this stream are not printed)");
  }
}
