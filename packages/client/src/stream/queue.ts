import { DashboardError } from "../errors.js";

interface Waiter<T> {
  resolve(r: IteratorResult<T>): void;
  reject(e: unknown): void;
}

/**
 * What one `for await` loop has not consumed yet. Bounded: past `limit` unconsumed events the loop fails
 * (after the ones it has) instead of dropping events or growing without bound. Needs no socket or timer.
 */
export class EventQueue<T> {
  readonly #limit: number;
  #items: T[] = [];
  #head = 0;
  #waiter: Waiter<T> | undefined;
  #ended: boolean;
  #error: unknown;

  /** `ended`/`error`: a loop started on a stream that is already over. */
  constructor(limit: number, ended = false, error?: unknown) {
    this.#limit = limit;
    this.#ended = ended;
    this.#error = error;
  }

  /** Hands `event` to a waiting `next()` or buffers it. False once the queue has ended (now by overflow, or before). */
  push(event: T): boolean {
    if (this.#ended) return false;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter.resolve({ value: event, done: false });
      return true;
    }
    if (this.#items.length - this.#head >= this.#limit) {
      this.#ended = true;
      this.#error = new DashboardError(
        `stream: a for-await loop fell ${this.#limit} events behind; raise maxBufferedEvents or consume faster`,
      );
      return false;
    }
    this.#items.push(event);
    return true;
  }

  /** No more events: `next()` drains what is buffered, then ends (or rejects once with `error`). */
  end(error?: unknown): void {
    this.#ended = true;
    this.#error = error;
    const waiter = this.#waiter;
    if (!waiter) return;
    this.#waiter = undefined;
    this.#error = undefined;
    if (error) waiter.reject(error);
    else waiter.resolve({ value: undefined, done: true });
  }

  /** The consumer left: drop what is buffered. */
  release(): void {
    this.#ended = true;
    this.#items = [];
    this.#head = 0;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head++]!;
      // Compact once the consumed prefix is large and most of the array, so memory follows what is unconsumed.
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#ended) {
      const error = this.#error;
      this.#error = undefined;
      return error ? Promise.reject(error) : Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => (this.#waiter = { resolve, reject }));
  }
}
