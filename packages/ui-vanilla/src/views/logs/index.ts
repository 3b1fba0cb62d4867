/** The logs view: the file list beside the viewer of one file. */
import type { Scope } from "../../app/scope.js";
import type { AppContext, View } from "../../app/types.js";
import { h } from "../../dom.js";
import { createLogFileList } from "./file-list.js";
import { createLogViewer } from "./log-viewer.js";

export function createLogsView(ctx: AppContext, scope: Scope): View {
  const viewer = createLogViewer(ctx, scope, (name) => files.setOpen(name));
  const files = createLogFileList(ctx, scope, (name) => viewer.open(name));
  const el = h(
    "section",
    { class: "view view-logs", "aria-labelledby": "dd-h-logs", hidden: true },
    h("header", { class: "view-header" }, h("h1", { id: "dd-h-logs", tabindex: -1 }, "Logs"), files.updated),
    h("div", { class: "logs-layout" }, files.el, viewer.el),
  );
  scope.register(() => el.remove());

  return {
    el,
    show(): void {
      el.hidden = false;
      viewer.setVisible(true);
      files.start();
    },
    hide(): void {
      el.hidden = true;
      viewer.setVisible(false);
      files.stop();
    },
    tick(now: number): void {
      if (!el.hidden) files.tick(now);
    },
  };
}
