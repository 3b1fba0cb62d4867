/**
 * Opening a recording with no server behind the page: a file picked or dropped, or a same-origin path fetched
 * (`#recording=/demo.jsonl`). The only request is that one same-origin GET; nothing talks to ductor.
 */
import type { Scope } from "../app/scope.js";
import { h } from "../dom.js";
import { checkRecordingSize, parseRecording, type ParsedRecording, RecordingParseError } from "./parse.js";
import { recordingName, resolveRecordingUrl } from "./source.js";

export interface LoadedRecording {
  /** The file's name, for the player's title. */
  name: string;
  recording: ParsedRecording;
  /** Start replaying at 1x as soon as it is shown (the shipped demo: one click, and it plays). */
  autoplay?: boolean;
}

const message = (err: unknown): string =>
  err instanceof RecordingParseError ? err.message : err instanceof Error ? err.message : String(err);

/** Read and parse a picked or dropped file. Throws an Error whose message says what is wrong. */
async function readRecordingFile(file: File): Promise<LoadedRecording> {
  checkRecordingSize(file.size);
  const text = await file.text();
  return { name: file.name || "recording", recording: parseRecording(text) };
}

/** Fetch and parse a recording from this site. Throws an Error whose message says what is wrong. */
async function fetchRecording(path: string, signal?: AbortSignal): Promise<LoadedRecording> {
  const resolved = resolveRecordingUrl(path, location.href);
  if (!resolved.ok) throw new Error(resolved.reason);
  let response: Response;
  try {
    response = await fetch(resolved.url, {
      credentials: "same-origin",
      redirect: "error",
      signal,
      headers: { Accept: "application/x-ndjson, application/jsonl, text/plain, */*" },
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new Error(`could not fetch ${path} from this site (${message(err)})`);
  }
  if (!response.ok) throw new Error(`this site answered ${response.status} ${response.statusText || ""} for ${path}`.trim());
  const length = Number(response.headers.get("content-length"));
  if (Number.isFinite(length) && length > 0) checkRecordingSize(length);
  return { name: recordingName(path), recording: parseRecording(await response.text()) };
}

export interface RecordingOpenerOptions {
  onOpen(loaded: LoadedRecording): void;
}

/**
 * The recording the page ships as its demo, if it names one (`<meta name="ductor-dashboard-demo" content=…>`,
 * which the static site's index.html does). A dashboard mounted into another page names none and offers none.
 */
function shippedDemo(): string | null {
  const content = document.querySelector('meta[name="ductor-dashboard-demo"]')?.getAttribute("content")?.trim();
  return content ? content : null;
}

export interface RecordingOpener {
  readonly el: HTMLElement;
}

/**
 * "Open a recording…": a file input, and a drop anywhere on the page while it is shown (it ends with `scope`).
 * A file that is not a recording is said in words under the button; nothing in it is drawn.
 */
export function createRecordingOpener(scope: Scope, opts: RecordingOpenerOptions): RecordingOpener {
  const input = h("input", { id: "dd-recording-file", name: "recording", type: "file", class: "sr-only" });
  input.accept = ".jsonl,.ndjson,application/jsonl,application/x-ndjson,text/plain";
  const pick = h("button", { type: "button", class: "btn" }, "Open a recording…");
  const demoPath = shippedDemo();
  const demo = demoPath ? h("button", { type: "button", class: "btn" }, "Watch a recorded demo") : null;
  const error = h("p", { class: "recording-open-message", role: "alert", hidden: true });
  const status = h("span", { class: "muted", role: "status" });
  const el = h(
    "section",
    { class: "recording-open", "aria-labelledby": "dd-recording-open-title" },
    h("h2", { id: "dd-recording-open-title" }, "No server? Watch a recording"),
    h(
      "p",
      { class: "hint" },
      "Open a .jsonl recording (an export from History, or a mock-server recording) or drop one anywhere on this page. It is replayed here, in this tab; nothing is sent anywhere.",
    ),
    h("div", { class: "toolbar-group" }, pick, demo, status),
    input,
    error,
  );

  let busy = 0;
  /** One read at a time: a newer one wins, and what it says replaces the last message. */
  const load = (what: string, reading: () => Promise<LoadedRecording>, opened?: () => void): void => {
    const mine = ++busy;
    error.hidden = true;
    status.textContent = `Opening ${what}…`;
    reading().then(
      (loaded) => {
        if (scope.disposed || mine !== busy) return;
        status.textContent = "";
        opened?.();
        opts.onOpen(loaded);
      },
      (err: unknown) => {
        if (scope.disposed || mine !== busy) return;
        status.textContent = "";
        error.textContent = `Could not open ${what}: ${message(err)}`;
        error.hidden = false;
      },
    );
  };
  const open = (file: File | undefined): void => {
    if (file) load(file.name, () => readRecordingFile(file));
  };

  pick.addEventListener("click", () => input.click(), { signal: scope.signal });
  if (demo && demoPath) {
    // The address then names it, so the demo can be reloaded, bookmarked or sent as a link.
    const named = (): void =>
      history.replaceState(history.state, "", `${location.pathname}${location.search}#recording=${encodeURI(demoPath)}`);
    const fetchDemo = async (): Promise<LoadedRecording> => ({ ...(await fetchRecording(demoPath, scope.signal)), autoplay: true });
    demo.addEventListener("click", () => load("the demo", fetchDemo, named), { signal: scope.signal });
  }
  input.addEventListener(
    "change",
    () => {
      open(input.files?.[0]);
      input.value = "";
    },
    { signal: scope.signal },
  );
  const hasFiles = (ev: DragEvent): boolean => !!ev.dataTransfer && Array.from(ev.dataTransfer.types).includes("Files");
  const root = document.documentElement;
  document.addEventListener(
    "dragover",
    (ev) => {
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      if (ev.dataTransfer) ev.dataTransfer.dropEffect = "copy";
      root.classList.add("dd-dropping");
    },
    { signal: scope.signal },
  );
  document.addEventListener("dragleave", (ev) => ev.relatedTarget === null && root.classList.remove("dd-dropping"), {
    signal: scope.signal,
  });
  document.addEventListener(
    "drop",
    (ev) => {
      root.classList.remove("dd-dropping");
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      open(ev.dataTransfer?.files[0]);
    },
    { signal: scope.signal },
  );
  scope.register(() => {
    root.classList.remove("dd-dropping");
    el.remove();
  });
  return { el };
}

/**
 * `#recording=<path>`: "Opening …" on screen while the file is fetched from this site, then `onLoaded`, or
 * `onFailed` with the reason in words. Ends (the request aborted) with `scope`.
 */
export function openRecordingFromUrl(
  scope: Scope,
  path: string,
  on: { loaded(loaded: LoadedRecording): void; failed(reason: string): void },
): HTMLElement {
  const el = h("main", { class: "connect" }, h("p", { class: "muted", role: "status" }, `Opening the recording ${path}…`));
  scope.register(() => el.remove());
  fetchRecording(path, scope.signal).then(
    (loaded) => !scope.disposed && on.loaded(loaded),
    (err: unknown) => !scope.disposed && on.failed(`Could not open the recording ${path}: ${message(err)}`),
  );
  return el;
}

/** Drop `#recording=…` from the address bar (the player was closed: a reload shows the connect form). */
export function forgetRecordingHash(): void {
  if (/^#recording=/.test(location.hash)) history.replaceState(history.state, "", location.pathname + location.search);
}
