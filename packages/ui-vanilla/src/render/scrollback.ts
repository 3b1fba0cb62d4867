/**
 * The scrollback's bookkeeping: which blocks are on screen, how many characters they hold, and which to drop
 * from the top when there are more than the limit. Pure (no DOM): a block's payload is whatever the caller
 * keeps for it (its element).
 */

export interface ScrollbackBlock<T> {
  readonly payload: T;
  /** Characters it counts for (text, or a tool line's label). */
  chars: number;
  /** Streamed text (counted as dropped when it leaves), or a marker line (tools, gaps, notes). */
  readonly isText: boolean;
}

export class Scrollback<T> {
  /** Live blocks are `blocks[head…]`; the array is compacted now and then instead of shifted per drop. */
  private blocks: Array<ScrollbackBlock<T> | undefined> = [];
  private head = 0;
  /** Characters on screen. */
  chars = 0;
  /** Of those, characters of streamed text (text blocks only). */
  textChars = 0;
  /** Characters of streamed text dropped from the top, ever. */
  droppedChars = 0;

  constructor(private readonly limitChars: number) {}

  get size(): number {
    return this.blocks.length - this.head;
  }

  get last(): ScrollbackBlock<T> | undefined {
    return this.size > 0 ? this.blocks[this.blocks.length - 1] : undefined;
  }

  add(payload: T, chars: number, isText: boolean): ScrollbackBlock<T> {
    const block: ScrollbackBlock<T> = { payload, chars, isText };
    this.blocks.push(block);
    this.chars += chars;
    if (isText) this.textChars += chars;
    return block;
  }

  /** Blocks of older output, oldest first, put above everything on screen. */
  prepend(blocks: ReadonlyArray<ScrollbackBlock<T>>): void {
    if (blocks.length === 0) return;
    const live = this.blocks.slice(this.head);
    this.blocks = [...blocks, ...live];
    this.head = 0;
    for (const block of blocks) {
      this.chars += block.chars;
      if (block.isText) this.textChars += block.chars;
    }
  }

  /** `block` grew by `chars` (text appended to a chunk, a chip added to a tool line). */
  grow(block: ScrollbackBlock<T>, chars: number): void {
    block.chars += chars;
    this.chars += chars;
    if (block.isText) this.textChars += chars;
  }

  /**
   * Removes blocks from the top while more than the limit (or `limit`, for once) is on screen, always keeping
   * the newest one, and returns them (oldest first) for the caller to take out of the DOM.
   */
  trim(limit = this.limitChars): Array<ScrollbackBlock<T>> {
    const removed: Array<ScrollbackBlock<T>> = [];
    while (this.chars > limit && this.size > 1) {
      const block = this.blocks[this.head]!;
      this.blocks[this.head] = undefined;
      this.head++;
      this.chars -= block.chars;
      if (block.isText) {
        this.droppedChars += block.chars;
        this.textChars -= block.chars;
      }
      removed.push(block);
    }
    if (this.head > 1024 && this.head * 2 > this.blocks.length) {
      this.blocks = this.blocks.slice(this.head);
      this.head = 0;
    }
    return removed;
  }

  /** Live blocks, oldest first. */
  *[Symbol.iterator](): Iterator<ScrollbackBlock<T>> {
    for (let i = this.head; i < this.blocks.length; i++) yield this.blocks[i]!;
  }

  clear(): void {
    this.blocks = [];
    this.head = 0;
    this.chars = 0;
    this.textChars = 0;
    this.droppedChars = 0;
  }
}
