/**
 * The recording player: a recording drawn by the stream view's renderer (markdown unless the person chose Raw,
 * turn headers from `createStreamTurns`, each event as `drawnItem` makes it), replayed by the range player at
 * 1x or 10x, shown at once, or scrubbed. No server is asked anything.
 */
import { drawnItem } from "../app/history-range.js";
import type { Scope } from "../app/scope.js";
import { loadFlag } from "../app/storage.js";
import { h } from "../dom.js";
import { formatSpokenDuration } from "../format.js";
import { createStreamRenderer } from "../render/stream-renderer.js";
import { createStreamTurns } from "../views/stream-turns.js";
import type { LoadedRecording } from "./open.js";
import type { RecordingEvent } from "./parse.js";
import { createRangePlayer, type PlaySpeed } from "./range-player.js";

export interface RecordingPlayerOptions {
  scrollbackChars?: number;
  /** "Close": back to where the recording was opened from. */
  onClose(): void;
}

export interface RecordingPlayerView {
  readonly el: HTMLElement;
}

/** "21 Apr 2026, 10:03" in the reader's locale, or the header's text as it came when it is not a date. */
function describeDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso.slice(0, 64);
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** "12 of 340 events · 5 s of 2 min 13 s": where the replay is, as the status beside the slider says it. */
function progressWhere(position: number, total: number, at: number, duration: number): string {
  return `${position.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} events · ${formatSpokenDuration(at)} of ${formatSpokenDuration(duration)}`;
}

/**
 * The most characters the status beside the slider can hold for this recording: its longest state word with the
 * widest position and the longest time any event is shown at. Digits are tabular, so this is its widest text.
 */
export function longestProgress(events: readonly { at: number }[], total: number, duration: number): number {
  let at = 0;
  let longest = 0;
  for (const event of events) {
    const length = formatSpokenDuration(event.at).length;
    if (length > longest) {
      longest = length;
      at = event.at;
    }
  }
  return `playing at 10x · ${progressWhere(total, total, at, duration)}`.length;
}

export function createRecordingPlayer(scope: Scope, loaded: LoadedRecording, opts: RecordingPlayerOptions): RecordingPlayerView {
  const { header, events, skipped } = loaded.recording;
  /** Event times as times of day: the header's start plus `t` (0 when the header's date is not one). */
  const started = Date.parse(header.recordedAt);
  const base = Number.isFinite(started) ? started : 0;
  const duration = events.at(-1)?.at ?? 0;
  const total = events.length;

  const output = h("div", { class: "stream-output" });
  const renderer = createStreamRenderer(output, {
    scrollbackChars: opts.scrollbackChars ?? 2_000_000,
    format: loadFlag("raw-stream") ? "plain" : "markdown",
  });
  const turns = createStreamTurns(renderer);

  const btn = (text: string, title: string): HTMLButtonElement => h("button", { type: "button", class: "btn", title }, text);
  const play1 = btn("Play 1x", "Replay with the recorded timing");
  const play10 = btn("Play 10x", "Replay ten times faster");
  const allBtn = btn("Show all", "Draw the whole recording at once");
  const pauseBtn = btn("Pause", "Pause the replay (Space)");
  const closeBtn = h("button", { type: "button", class: "btn" }, "Close");
  const slider = h("input", {
    type: "range",
    class: "rp-scrub",
    name: "position",
    step: 1,
    value: 0,
    "aria-label": "Position in the recording",
  });
  slider.min = "0";
  slider.max = String(total);
  const progress = h("span", { class: "rp-progress muted", role: "status", "aria-live": "off" });
  // As wide as its longest text from the start, so the slider beside it keeps its width as the numbers change.
  progress.style.setProperty("--rp-progress-ch", String(longestProgress(events, total, duration)));
  // An empty box before the first event says how to start (a picked file opens paused).
  const hint = h(
    "p",
    { class: "rp-hint muted" },
    "Press Play 1x or Play 10x to replay this recording with its timing, or Show all to see it at once. Space plays and pauses.",
  );
  const who = [header.provider, header.model].filter((v): v is string => typeof v === "string" && v !== "").join(" · ");
  const meta = [
    `recorded ${describeDate(header.recordedAt)}`,
    formatSpokenDuration(duration),
    `${total.toLocaleString("en-US")} event${total === 1 ? "" : "s"}`,
    who,
  ].filter(Boolean);
  const title = h("h1", { id: "dd-rp-title", tabindex: -1 }, "Recording");
  const el = h(
    "main",
    { class: "view view-stream recording-player", "aria-labelledby": "dd-rp-title" },
    h(
      "header",
      { class: "view-header rp-header" },
      title,
      h("span", { class: "rp-name", title: loaded.name }, loaded.name),
      h("span", { class: "rp-meta muted" }, meta.join(" · ")),
      h("span", { class: "rp-close" }, closeBtn),
    ),
    h(
      "div",
      { class: "toolbar rp-controls", role: "toolbar", "aria-label": "Replay controls" },
      h("div", { class: "toolbar-group" }, play1, play10, allBtn, pauseBtn),
      h("div", { class: "toolbar-group rp-scrub-group" }, slider, progress),
    ),
    total === 0 ? h("p", { class: "empty" }, "This recording has no stream events to show.") : null,
    skipped > 0
      ? h(
          "p",
          { class: "stream-empty muted" },
          `${skipped.toLocaleString("en-US")} event${skipped === 1 ? "" : "s"} without text data were left out.`,
        )
      : null,
    output,
  );

  const draw = (list: readonly RecordingEvent[], from: number, to: number): void => {
    let at = base;
    for (let i = from; i < to; i++) {
      const event = list[i]!;
      at = base + event.at;
      const timed = { type: event.type, data: event.data, at };
      turns.push(timed, at);
      const item = drawnItem(timed);
      if (item?.kind === "text") renderer.append(item.text);
      else if (item?.kind === "tool") renderer.tool(item.name);
      else if (item) renderer.note(item.text);
    }
    if (to >= list.length) {
      // The end: the last turn closes (with its recorded duration) and markdown waiting for more is drawn.
      turns.tick(at + 24 * 3_600_000);
      renderer.settle();
    } else turns.tick(at);
  };

  const paint = (position: number, speed: PlaySpeed | null): void => {
    const at = position > 0 ? (events[position - 1]?.at ?? 0) : 0;
    const where = progressWhere(position, total, at, duration);
    const state = speed !== null ? `playing at ${speed}x` : position >= total && total > 0 ? "done" : position === 0 ? "ready" : "paused";
    progress.textContent = `${state} · ${where}`;
    hint.hidden = !(state === "ready" && total > 0);
    el.dataset["state"] = speed !== null ? "playing" : state;
    slider.value = String(position);
    slider.setAttribute("aria-valuetext", where);
    play1.setAttribute("aria-pressed", String(speed === 1));
    play10.setAttribute("aria-pressed", String(speed === 10));
    pauseBtn.disabled = speed === null;
  };

  const player = createRangePlayer(
    events,
    {
      reset(): void {
        renderer.clear();
        turns.reset();
      },
      draw,
      changed: (state) => paint(state.position, state.speed),
    },
    { now: () => performance.now(), setTimeout: (fn, ms) => scope.timeout(fn, ms) },
  );

  const controls: readonly HTMLButtonElement[] = [play1, play10, allBtn, pauseBtn];
  for (const b of [play1, play10, allBtn, slider]) b.disabled = total === 0;
  play1.addEventListener("click", () => player.play(1), { signal: scope.signal });
  play10.addEventListener("click", () => player.play(10), { signal: scope.signal });
  allBtn.addEventListener("click", () => player.showAll(), { signal: scope.signal });
  pauseBtn.addEventListener("click", () => player.pause(), { signal: scope.signal });
  // Dragging fires many inputs: one redraw per frame, to where the slider is by then.
  let seekFrame = 0;
  let seekTo = 0;
  slider.addEventListener(
    "input",
    () => {
      seekTo = Number(slider.value);
      seekFrame ||= requestAnimationFrame(() => {
        seekFrame = 0;
        player.seek(seekTo);
      });
    },
    { signal: scope.signal },
  );
  scope.register(() => cancelAnimationFrame(seekFrame));
  closeBtn.addEventListener("click", () => opts.onClose(), { signal: scope.signal });
  document.addEventListener(
    "keydown",
    (ev) => {
      if (ev.key !== " " || ev.defaultPrevented || ev.isComposing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      const target = ev.target;
      // Space on the replay buttons is play/pause too (after clicking "Play 10x", Space pauses it, not plays
      // again); on any other button it is that button's click, and text fields take it as typing.
      const control = target instanceof HTMLButtonElement && controls.includes(target);
      if (
        (target instanceof HTMLButtonElement && !control) ||
        target instanceof HTMLTextAreaElement ||
        target instanceof HTMLSelectElement ||
        (target instanceof HTMLInputElement && target.type !== "range") ||
        (target instanceof HTMLElement && target.isContentEditable)
      ) {
        return;
      }
      if (total === 0) return;
      ev.preventDefault();
      player.toggle();
    },
    { signal: scope.signal },
  );

  // A button clicks on Space's keyup: not the replay buttons, whose Space is play/pause (above).
  for (const b of controls) {
    b.addEventListener("keyup", (ev) => ev.key === " " && ev.preventDefault(), { signal: scope.signal });
  }

  output.append(hint);
  scope.register(() => {
    player.destroy();
    renderer.destroy();
    el.remove();
  });
  paint(0, null);
  if (loaded.autoplay && total > 0) player.play(1);
  queueMicrotask(() => {
    // On the title, where Space is play/pause at once.
    if (!scope.disposed) title.focus();
  });
  return { el };
}
