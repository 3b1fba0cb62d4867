/**
 * A range player: events with arrival times, a speed, and the draw calls that replay them on a timer. No DOM and
 * no clock of its own (both are the host's), so its scheduling is tested in Node with a fake clock.
 *
 * Pacing is the history browser's (`replayDelay`: the recorded gap divided by the speed, long silences
 * shortened). Each tick draws every event that is due by then in one call, so a timer that fires late (a busy
 * machine, a background tab) catches up instead of falling further behind, and events recorded at the same
 * moment are drawn together.
 */
import { replayDelay } from "../app/history-range.js";

/** Replay speeds; "show all at once" is `showAll()`. */
export type PlaySpeed = 1 | 10;

/** The longest wait between two events while playing, in ms of wall time (as the history browser's replay). */
export const MAX_PAUSE_MS = 2_000;
/** The most events one tick draws; more that are due are drawn by the next tick, right after. */
const MAX_BATCH = 2_000;

export interface PlayerClock {
  /** Ms, only ever growing (performance.now()). */
  now(): number;
  /** Run `fn` in `ms`; returns a function that cancels it. */
  setTimeout(fn: () => void, ms: number): () => void;
}

export interface RangePlayerHost<E extends { at: number }> {
  /** Start over: empty the output (before drawing from the first event again). */
  reset(): void;
  /** Draw `events[from]` up to, not including, `events[to]`, in order. */
  draw(events: readonly E[], from: number, to: number): void;
  /** The position or the speed changed. */
  changed?(state: RangePlayerState): void;
}

interface RangePlayerState {
  /** How many events are drawn (0…total). */
  readonly position: number;
  readonly total: number;
  /** The speed while playing; null while paused (or done). */
  readonly speed: PlaySpeed | null;
}

export interface RangePlayer extends RangePlayerState {
  /** Play from the current position (from the start when everything is drawn). */
  play(speed: PlaySpeed): void;
  pause(): void;
  /** Pause when playing, else play at the last speed (1x at first). */
  toggle(): void;
  /** Draw everything that is left at once. */
  showAll(): void;
  /** Show the first `position` events, drawn at once (from the start when going back); playing goes on from there. */
  seek(position: number): void;
  /** Stop the timer for good. */
  destroy(): void;
}

export function createRangePlayer<E extends { at: number }>(
  events: readonly E[],
  host: RangePlayerHost<E>,
  clock: PlayerClock,
): RangePlayer {
  const total = events.length;
  let position = 0;
  let speed: PlaySpeed | null = null;
  let lastSpeed: PlaySpeed = 1;
  /** When (clock ms) `events[position]` is due while playing. */
  let due = 0;
  let cancel: (() => void) | null = null;
  let destroyed = false;

  const state = (): RangePlayerState => ({ position, total, speed });
  const changed = (): void => host.changed?.(state());
  /** The wait before `events[i]`, after the one before it. */
  const gapBefore = (i: number, s: PlaySpeed): number => (i > 0 ? replayDelay(events[i - 1]!.at, events[i]!.at, s, MAX_PAUSE_MS) : 0);

  const stopTimer = (): void => {
    cancel?.();
    cancel = null;
  };

  const schedule = (ms: number): void => {
    stopTimer();
    cancel = clock.setTimeout(tick, Math.max(0, ms));
  };

  function tick(): void {
    cancel = null;
    if (destroyed || speed === null) return;
    const now = clock.now();
    let to = position;
    let next = due;
    while (to < total && next <= now && to - position < MAX_BATCH) {
      to++;
      if (to < total) next += gapBefore(to, speed);
    }
    if (to > position) {
      host.draw(events, position, to);
      position = to;
    }
    due = next;
    if (position >= total) speed = null;
    else schedule(due - now);
    changed();
  }

  const drawTo = (target: number): void => {
    if (target < position) {
      host.reset();
      position = 0;
    }
    if (target > position) host.draw(events, position, target);
    position = target;
  };

  const player: RangePlayer = {
    get position() {
      return position;
    },
    total,
    get speed() {
      return speed;
    },
    play(next): void {
      if (destroyed) return;
      if (position >= total) drawTo(0);
      speed = next;
      lastSpeed = next;
      due = clock.now() + gapBefore(position, next);
      schedule(due - clock.now());
      changed();
    },
    pause(): void {
      if (speed === null) return;
      stopTimer();
      speed = null;
      changed();
    },
    toggle(): void {
      if (speed === null) player.play(lastSpeed);
      else player.pause();
    },
    showAll(): void {
      if (destroyed) return;
      stopTimer();
      speed = null;
      drawTo(total);
      changed();
    },
    seek(target): void {
      if (destroyed) return;
      const to = Math.max(0, Math.min(total, Math.round(Number.isFinite(target) ? target : 0)));
      drawTo(to);
      if (speed !== null) {
        if (position >= total) {
          stopTimer();
          speed = null;
        } else {
          // Going on from the new place: the next event after its recorded gap.
          due = clock.now() + gapBefore(position, speed);
          schedule(due - clock.now());
        }
      }
      changed();
    },
    destroy(): void {
      destroyed = true;
      stopTimer();
      speed = null;
    },
  };
  return player;
}
