import { h } from "../dom.js";

/**
 * How a column's cells may wrap. "value": numbers, costs, dates and durations, never broken mid-token
 * (`1,203,34|4`, `2026-04-|21`); "id": keys like `tg:123:456`, broken only after a `:`; "text": anywhere.
 * A table too narrow for its unbreakable cells scrolls sideways inside its frame.
 */
type ColumnKind = "text" | "id" | "value";
export type Column = string | { label: string; kind: ColumnKind };

/** An id that may wrap only after its `:` separators (a `<wbr>` after each; the text stays one string to copy). */
export function breakableId(id: string): HTMLElement {
  const el = h("span", { class: "cell-id" });
  const parts = id.split(":");
  parts.forEach((part, i) => {
    el.append(i < parts.length - 1 ? `${part}:` : part);
    if (i < parts.length - 1) el.append(document.createElement("wbr"));
  });
  return el;
}

/** A table whose body is rebuilt from rows of cells; each cell carries its column label for the phone layout. */
export function createTable(caption: string, columnSpecs: readonly Column[], emptyText: string, cls = "") {
  const columns = columnSpecs.map((c) => (typeof c === "string" ? { label: c, kind: "text" as const } : c));
  const tbody = h("tbody");
  const table = h(
    "table",
    { class: `data ${cls}`.trim() },
    h("caption", { class: "sr-only" }, caption),
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        columns.map((c) => h("th", { scope: "col", class: `col-${c.kind}` }, c.label)),
      ),
    ),
    tbody,
  );
  const empty = h("p", { class: "empty", hidden: true }, emptyText);
  const wrap = h("div", { class: "table-wrap" }, table, empty);
  let last: string | null = null;
  return {
    el: wrap,
    set(rows: ReadonlyArray<ReadonlyArray<Node | string>>): void {
      // Unchanged content is left alone, so a selection or the reading position survives the 3 s refresh.
      const signature = rows.map((r) => r.map((c) => (typeof c === "string" ? c : (c.textContent ?? ""))).join("\u0001")).join("\u0002");
      if (signature === last && rows.length > 0) return;
      last = signature;
      const frag = document.createDocumentFragment();
      for (const row of rows) {
        frag.appendChild(
          h(
            "tr",
            null,
            row.map((cell, i) => h("td", { "data-label": columns[i]?.label ?? "", class: `col-${columns[i]?.kind ?? "text"}` }, cell)),
          ),
        );
      }
      tbody.replaceChildren(frag);
      table.hidden = rows.length === 0;
      empty.hidden = rows.length !== 0;
    },
  };
}
