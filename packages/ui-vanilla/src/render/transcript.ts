/**
 * What the stream renderer drew, as its source: the operations (text as it arrived, tools, notes, turns, gaps)
 * within about the scrollback's bound. It lets the view switch between markdown and raw text by drawing it again,
 * and "Copy" copy the agent's markdown rather than the rendered words. Pure (no DOM).
 *
 * Text is kept in pieces of at most `pieceChars`: consecutive text joins the last piece (one string per piece,
 * not one per event), and trimming cuts at most one piece, so it never copies a long string.
 */
import type { PendingOp } from "./pending-ops.js";

/** Large enough to keep the piece count low, small enough that dropping one is a small step. */
const PIECE_CHARS = 64 * 1024;

export class Transcript {
  private items: PendingOp[] = [];
  private head = 0;
  /** Characters of text held. */
  chars = 0;

  constructor(private readonly pieceChars = PIECE_CHARS) {}

  get size(): number {
    return this.items.length - this.head;
  }

  add(op: PendingOp): void {
    if (op.kind !== "text") {
      this.items.push(op);
      return;
    }
    this.chars += op.text.length;
    const last = this.items.length > this.head ? this.items[this.items.length - 1] : undefined;
    // Called per streamed event: the piece is the transcript's own object, so the text joins it in place.
    if (!op.mark && last?.kind === "text" && !last.mark && last.text.length + op.text.length <= this.pieceChars) last.text += op.text;
    else this.items.push(op.mark ? { kind: "text", text: op.text, mark: true } : { kind: "text", text: op.text });
  }

  /** Older operations (oldest first), before everything held. */
  addFront(ops: readonly PendingOp[]): void {
    this.items = [...ops, ...this.items.slice(this.head)];
    this.head = 0;
    for (const op of ops) if (op.kind === "text") this.chars += op.text.length;
  }

  /**
   * Forget the first `textChars` characters of text and the markers before and among them: the scrollback
   * dropped blocks holding that much from the top (so what is on screen stays a suffix of what arrived). At most
   * one piece is cut, so this costs at most one piece's copy.
   */
  dropFront(textChars: number): void {
    let excess = Math.min(this.chars, Math.max(0, textChars));
    while (excess > 0 && this.size > 0) {
      const first = this.items[this.head]!;
      if (first.kind !== "text") {
        this.drop();
        continue;
      }
      if (first.text.length <= excess) {
        excess -= first.text.length;
        this.chars -= first.text.length;
        this.drop();
      } else {
        this.items[this.head] = { ...first, text: first.text.slice(excess) };
        this.chars -= excess;
        excess = 0;
      }
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  private drop(): void {
    this.items[this.head] = undefined as unknown as PendingOp;
    this.head++;
  }

  /** Everything held, oldest first. */
  ops(): PendingOp[] {
    return this.items.slice(this.head);
  }

  /**
   * The text held, as it arrived (markdown source, not rendered words). Where a tool call or a marker stood
   * between two texts, they are kept apart by a line break, as they were on screen.
   */
  text(): string {
    let out = "";
    let apart = false;
    for (let i = this.head; i < this.items.length; i++) {
      const op = this.items[i]!;
      if (op.kind !== "text") {
        apart = out !== "";
        continue;
      }
      if (apart && !out.endsWith("\n") && !op.text.startsWith("\n")) out += "\n";
      apart = false;
      out += op.text;
    }
    return out;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.chars = 0;
  }
}
