/**
 * Follow-scroll: keep a scroller stuck to its bottom while output arrives, stop when the person scrolls up,
 * and bring it back with "Jump to latest". Layout is read at most once per frame, and only while following.
 */

/** How close to the bottom still counts as "at the bottom" (a wheel notch short of it). */
const FOLLOW_SLACK_PX = 32;
/** Frames a jump keeps re-sticking while the height still changes (a page or the window being resized). */
const SETTLE_FRAMES = 6;

export interface FollowScroll {
  readonly following: boolean;
  /** Follow again and go to the bottom, until the height settles. */
  jump(): void;
  /** Stop following (e.g. while the person reads a find result). */
  stop(): void;
  /** Call after new output was drawn in a frame: sticks to the bottom when following. */
  afterRender(): void;
  /** Call when the scroller was shown again or resized: re-stick when following. */
  refresh(): void;
  /** Forget the position (the output was cleared): following again. */
  reset(): void;
  destroy(): void;
}

export interface FollowScrollOptions {
  requestFrame: (cb: () => void) => number;
  cancelFrame: (id: number) => void;
  onChange: (following: boolean) => void;
}

export function createFollowScroll(scroller: HTMLElement, { requestFrame, cancelFrame, onChange }: FollowScrollOptions): FollowScroll {
  let following = true;
  let settleFrame = 0;
  let destroyed = false;
  // Where stick() last put the view. Output growing below it (or pages taking their real size once in view)
  // moves the bottom away without the person scrolling: only a move up from here means "stop following".
  let stuckAt = 0;

  function setFollowing(value: boolean): void {
    if (value === following) return;
    following = value;
    onChange(value);
  }

  function stick(): void {
    scroller.scrollTop = scroller.scrollHeight;
    stuckAt = scroller.scrollTop;
  }

  /** Stick now and again on the next frames until the height stops changing. */
  function stickUntilSettled(framesLeft = SETTLE_FRAMES): void {
    if (settleFrame) cancelFrame(settleFrame);
    stick();
    const height = scroller.scrollHeight;
    settleFrame = requestFrame(() => {
      settleFrame = 0;
      if (destroyed || !following) return;
      if (scroller.scrollHeight !== height || scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight > 1) {
        if (framesLeft > 1) stickUntilSettled(framesLeft - 1);
        else stick();
      }
    });
  }

  const onScroll = (): void => {
    if (scroller.clientHeight === 0) return; // hidden
    const distance = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight;
    if (distance <= FOLLOW_SLACK_PX) setFollowing(true);
    else if (following && scroller.scrollTop >= stuckAt - 1) stickUntilSettled();
    else setFollowing(false);
  };
  scroller.addEventListener("scroll", onScroll, { passive: true });

  return {
    get following() {
      return following;
    },
    jump(): void {
      setFollowing(true);
      stickUntilSettled();
    },
    stop(): void {
      setFollowing(false);
    },
    afterRender(): void {
      if (following) stick();
    },
    refresh(): void {
      if (following) stickUntilSettled();
    },
    reset(): void {
      setFollowing(true);
    },
    destroy(): void {
      destroyed = true;
      if (settleFrame) cancelFrame(settleFrame);
      settleFrame = 0;
      scroller.removeEventListener("scroll", onScroll);
    },
  };
}
