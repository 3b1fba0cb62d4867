/** The logs view's file list: polled every 10 s, newest first, the open file marked, focus kept across refreshes. */
import { elementBanner } from "../../app/failure.js";
import { createPolling, type Poller } from "../../app/poll.js";
import type { Scope } from "../../app/scope.js";
import type { AppContext, LogFileData } from "../../app/types.js";
import { h } from "../../dom.js";
import { formatAge, formatBytes, formatRelative } from "../../format.js";

const LIST_INTERVAL_MS = 10_000;

export interface LogFileList extends Pick<Poller, "start" | "stop"> {
  readonly el: HTMLElement;
  /** "updated N s ago", for the view's header. */
  readonly updated: HTMLElement;
  /** Mark `name` as the open file. */
  setOpen(name: string | null): void;
  tick(now: number): void;
}

export function createLogFileList(ctx: AppContext, scope: Scope, onOpen: (name: string) => void): LogFileList {
  const error = h("p", { class: "banner banner-error", role: "alert", hidden: true });
  const list = h("ul", { class: "file-list", "aria-label": "Log files" });
  const empty = h("p", { class: "empty", hidden: true }, "No log files: ductor's logs folder is empty or missing.");
  const updated = h("span", { class: "updated muted" }, "loading…");
  const el = h("nav", { class: "files", "aria-label": "Log files" }, error, list, empty);

  let files: readonly LogFileData[] = [];
  let open: string | null = null;
  let lastOk = 0;
  let signature = "";

  function render(now: number): void {
    const next = `${open ?? ""}\u0002${files.map((f) => `${f.name}\u0001${f.size}\u0001${formatRelative(f.mtime, now)}`).join("\u0002")}`;
    if (next === signature) return; // unchanged: keep the DOM (and any selection) as it is
    signature = next;
    // Keep keyboard focus on the same file across a refresh.
    const focused = list.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset["name"] : undefined;
    let refocus: HTMLElement | null = null;
    const frag = document.createDocumentFragment();
    for (const f of files) {
      const btn = h(
        "button",
        { type: "button", class: "file", "aria-current": f.name === open ? "true" : undefined },
        h("span", { class: "file-name" }, f.name),
        h("span", { class: "file-meta muted" }, `${formatBytes(f.size)} · ${formatRelative(f.mtime, now)}`),
      );
      btn.dataset["name"] = f.name;
      if (focused === f.name) refocus = btn;
      btn.addEventListener("click", () => onOpen(f.name));
      frag.appendChild(h("li", null, btn));
    }
    list.replaceChildren(frag);
    refocus?.focus();
    empty.hidden = files.length !== 0;
  }

  const poller = createPolling(ctx, scope, {
    everyMs: LIST_INTERVAL_MS,
    sources: [
      {
        endpoint: "/dashboard/logs",
        doing: "list the log files",
        banner: elementBanner(error),
        load: (signal) => ctx.client.logs.list({ signal }),
        show(data: readonly LogFileData[], now: number): void {
          files = data;
          lastOk = now;
          render(now);
          updated.textContent = "updated just now";
        },
      },
    ],
  });

  return {
    el,
    updated,
    start: poller.start,
    stop: poller.stop,
    setOpen(name: string | null): void {
      open = name;
      render(Date.now());
    },
    tick(now: number): void {
      if (lastOk) updated.textContent = `updated ${formatAge(lastOk, now)}`;
    },
  };
}
