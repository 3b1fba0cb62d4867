// Baselines for the reload benchmark (reload-bench.mjs), served by the relay itself beside the real site, with the
// site's stylesheet and the UI's real renderer, so they differ from the dashboard only in what they leave out:
//
//   ?mode=render        the same events drawn with no network at all (generated in the page): the renderer's floor;
//   ?mode=fetch         the same history requests as the dashboard, one after another, JSON.parse only, nothing drawn;
//   ?mode=fetch-render  those requests, then the events drawn: the dashboard's work without the app around it
//                       (no WebSocket first, no client validation, no views).
//
// The driver's init script notices when the last text is painted (render modes); `fetch` reports by itself.
import { createStreamRenderer } from "../../../packages/ui-vanilla/src/render/stream-renderer";
import { historyEvents } from "../history-shape.mjs";

interface Ev {
  seq: number;
  type: string;
  data: string | null;
}

declare global {
  interface Window {
    __benchPainted?: (result: unknown) => void;
    __benchPrepMs?: number;
  }
}

const params = new URLSearchParams(location.search);
const mode = params.get("mode") ?? "render";
/** The dashboard's requests (`before` of each, newest first) and the first seq it draws: the driver works them out. */
const befores = (params.get("befores") ?? "").split(",").map(Number);
const firstSeq = Number(params.get("first"));
const token = /token=([^&]*)/.exec(location.hash)?.[1] ?? "";

function draw(events: readonly Ev[]): void {
  const output = document.querySelector(".stream-output") as HTMLElement;
  const renderer = createStreamRenderer(output, { scrollbackChars: 2_000_000 });
  // What the stream view's history() does with each event (the divider aside: none is due on a reload).
  for (const e of events) {
    if (e.type === "text_delta" && e.data) renderer.append(e.data);
    else if (e.type === "tool_activity") renderer.tool(e.data ?? "");
    else if (e.type === "system_status" && e.data && e.data !== "thinking") renderer.note(e.data);
    else if (e.type === "upstream") renderer.note(`ductor ${e.data} the relay`);
  }
}

async function fetchPages(): Promise<Ev[]> {
  const pages: Ev[][] = [];
  for (const before of befores) {
    const res = await fetch(`/dashboard/history?before=${before}&limit=1000`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { events: Ev[] };
    pages.unshift(body.events);
  }
  return pages.flat();
}

async function main(): Promise<void> {
  if (mode === "render") {
    // Making the events is not part of the floor: its time is reported apart (and subtracted by the driver).
    const t0 = performance.now();
    const all = [{ type: "upstream", data: "connected" }, ...historyEvents()].map((e, i) => ({ ...e, seq: i + 1 }) as Ev);
    window.__benchPrepMs = performance.now() - t0;
    draw(all.slice(firstSeq - 1));
  } else if (mode === "fetch") {
    const events = await fetchPages();
    window.__benchPainted?.({ mode, doneMs: performance.now(), events: events.length });
  } else {
    draw(await fetchPages());
  }
}

void main();
