/**
 * The replayer: walks a recording's entries on the recorded timeline, scaled by `speed`.
 *
 * Timing is anchored to when each entry was *due*, not when the previous timer actually fired, so
 * timer lateness does not accumulate over a long recording. `speed: 0` plays as fast as possible
 * but yields to the event loop between small batches, and holds back while even the fastest socket
 * has a big backlog, so frames actually reach the sockets instead of piling up in memory behind a
 * busy loop. It never waits for one slow socket: the stream hub drops those on its own.
 */
import type { RecordingEntry, Snapshot, StreamFrame } from "./recording.js";

export interface ReplayOptions {
  /** 1 = recorded timing, 2 = twice as fast, 0 = as fast as possible. */
  speed: number;
  loop: boolean;
  /** Cap on any gap between two entries (recorded ms, before speed scaling). */
  maxIdleMs?: number;
}

export interface ReplayHooks {
  /** Broadcast one stream frame. */
  emit(frame: StreamFrame): void;
  /** A REST snapshot became current. */
  snapshot(snapshot: Snapshot): void;
  /** A looping replay reached the end and starts over (called before the first entry plays again). */
  restarted(): void;
  /** True while the sockets cannot take more right now; speed 0 waits for it to clear. */
  congested(): boolean;
}

/** Entries played per turn of the event loop at speed 0. */
const FAST_BATCH = 64;
/** At real speeds, at most this many due entries are played before yielding. */
const DUE_BATCH = 256;

export class Replayer {
  private idx = 0;
  private running = false;
  private finished = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** Wall-clock ms when the next entry is due (speed > 0). */
  private nextDue = 0;
  /** Remaining delay of the next entry while paused (speed > 0). */
  private pausedLeft: number | undefined;
  private resolveDone!: () => void;
  readonly done: Promise<void>;

  constructor(
    private readonly entries: readonly RecordingEntry[],
    private readonly opts: ReplayOptions,
    private readonly hooks: ReplayHooks,
  ) {
    if (!(opts.speed >= 0) || !Number.isFinite(opts.speed)) throw new TypeError(`speed must be a finite number >= 0`);
    if (opts.maxIdleMs !== undefined && !(opts.maxIdleMs >= 0)) throw new TypeError(`maxIdleMs must be >= 0`);
    this.done = new Promise((r) => (this.resolveDone = r));
    if (entries.length === 0) this.finish();
  }

  /** Entries already played in the current pass (resets to 0 when a loop starts over). */
  get position(): number {
    return this.idx;
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running || this.finished) return;
    this.running = true;
    if (this.opts.speed === 0) {
      this.scheduleFast();
      return;
    }
    this.nextDue = Date.now() + (this.pausedLeft ?? this.gapBefore(this.idx));
    this.pausedLeft = undefined;
    this.scheduleTimed();
  }

  pause(): void {
    if (!this.running) return;
    this.running = false;
    if (this.opts.speed > 0) this.pausedLeft = Math.max(0, this.nextDue - Date.now());
    this.clearTimers();
  }

  /** Stop for good (server close): no timers left, `done` resolves. */
  stop(): void {
    this.running = false;
    this.clearTimers();
    this.finish();
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.running = false;
    this.resolveDone();
  }

  /** Recorded ms between the previous entry and entry `i` (from 0 for the first), capped. */
  private gapBefore(i: number): number {
    const cur = this.entries[i]?.t ?? 0;
    const prev = i === 0 ? 0 : (this.entries[i - 1]?.t ?? 0);
    let gap = Math.max(0, cur - prev);
    if (this.opts.maxIdleMs !== undefined) gap = Math.min(gap, this.opts.maxIdleMs);
    return this.opts.speed > 0 ? gap / this.opts.speed : 0;
  }

  /** Play entry `idx` and advance; false when the recording is over. */
  private step(): boolean {
    const entry = this.entries[this.idx];
    if (!entry) return false;
    this.idx++;
    if ("event" in entry) this.hooks.emit(entry.event);
    else this.hooks.snapshot(entry.snapshot);
    if (this.idx >= this.entries.length) {
      if (!this.opts.loop) {
        this.finish();
        return false;
      }
      this.idx = 0;
      this.hooks.restarted();
    }
    return true;
  }

  private scheduleTimed(): void {
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        let played = 0;
        // Play everything already due (equal timestamps, or a late timer) before sleeping again.
        while (this.running && Date.now() >= this.nextDue && played < DUE_BATCH) {
          if (!this.step()) return;
          played++;
          this.nextDue += this.gapBefore(this.idx);
        }
        if (this.running) this.scheduleTimed();
      },
      Math.max(0, this.nextDue - Date.now()),
    );
  }

  private scheduleFast(): void {
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      if (!this.running) return;
      if (this.hooks.congested()) {
        // Let the sockets drain before queueing more; the real server awaits each send too.
        this.timer = setTimeout(() => {
          this.timer = undefined;
          if (this.running) this.scheduleFast();
        }, 5);
        return;
      }
      // Stop a batch early once the sockets are full: with big frames, a whole batch could push even
      // a fast socket over its backlog limit.
      for (let n = 0; n < FAST_BATCH && this.running && (n === 0 || !this.hooks.congested()); n++) {
        if (!this.step()) return;
      }
      if (this.running) this.scheduleFast();
    });
  }
}
