/**
 * What the stream renderer has been given but not yet drawn: a queue of operations, filled per event and
 * drained once per animation frame. Pure (no DOM), so the accounting is tested in Node.
 *
 * - Consecutive text is coalesced when the queue grows long (a paused or background tab), so memory holds
 *   strings, not one object per event.
 * - The queue never holds more than `limitChars` of text: past that, the oldest text is dropped (it could
 *   never be shown, as the scrollback keeps no more than that) and counted in `droppedChars`.
 */

/** A visible gap in the output; `to` stays null while still disconnected. `el` is set once drawn. */
export interface GapState {
  from: Date;
  to: Date | null;
  reason: string;
  /** How it ended, when that is known ("resumed: nothing was missed"). */
  outcome?: string;
  el: HTMLElement | null;
}

/** A turn's header line; `el` is set once drawn, the parts are kept up to date by the view's handle. */
export interface TurnState {
  title: string;
  meta: string;
  summary: string;
  tools: ReadonlyArray<{ readonly name: string; readonly at: number }>;
  el: HTMLElement | null;
}

export type PendingOp =
  | { kind: "text"; text: string /** Drawn highlighted (a search hit the view was opened at). */; mark?: true }
  | { kind: "tool"; name: string }
  | { kind: "gap"; gap: GapState }
  | { kind: "note"; text: string; divider: boolean }
  | { kind: "turn"; turn: TurnState };

/** Coalesce once this many operations wait: a paused tab at ductor's pace reaches it in seconds. */
const COALESCE_AT_OPS = 4096;

export class PendingOps {
  private ops: PendingOp[] = [];
  /** Characters of text waiting. */
  chars = 0;
  /** Characters of text dropped, ever, because more than `limitChars` waited. */
  droppedChars = 0;

  constructor(private readonly limitChars: number) {}

  get length(): number {
    return this.ops.length;
  }

  push(op: PendingOp): void {
    this.ops.push(op);
    if (op.kind === "text") this.chars += op.text.length;
    if (this.ops.length > COALESCE_AT_OPS) this.coalesce();
    if (this.chars > this.limitChars) this.dropOldest(this.chars - this.limitChars);
  }

  /** Everything waiting, in order; the queue is empty afterwards. */
  take(): PendingOp[] {
    const ops = this.ops;
    this.ops = [];
    this.chars = 0;
    return ops;
  }

  /** Forget everything waiting, and the count of what was dropped. */
  clear(): void {
    this.ops = [];
    this.chars = 0;
    this.droppedChars = 0;
  }

  private coalesce(): void {
    const out: PendingOp[] = [];
    let texts: string[] = [];
    const flush = (): void => {
      if (texts.length) out.push({ kind: "text", text: texts.join("") });
      texts = [];
    };
    for (const op of this.ops) {
      if (op.kind === "text" && !op.mark) texts.push(op.text);
      else {
        flush();
        out.push(op);
      }
    }
    flush();
    this.ops = out;
  }

  /** Drop `excess` characters of the oldest text, and any markers before it (they belong to dropped output). */
  private dropOldest(excess: number): void {
    let drop = 0;
    while (excess > 0 && drop < this.ops.length) {
      const op = this.ops[drop]!;
      if (op.kind !== "text") {
        drop++;
        continue;
      }
      if (op.text.length <= excess) {
        excess -= op.text.length;
        this.chars -= op.text.length;
        this.droppedChars += op.text.length;
        drop++;
      } else {
        this.ops[drop] = { ...op, text: op.text.slice(excess) };
        this.chars -= excess;
        this.droppedChars += excess;
        excess = 0;
      }
    }
    if (drop) this.ops.splice(0, drop);
  }
}
