/**
 * The relay's history REST endpoints (Bearer token, GET/HEAD; the gate has already refused anything else):
 *
 *   GET /dashboard/history?before=SEQ|after=SEQ&limit=N   → {"events": [{"seq","at","type","data"}…], "oldest": O, "head": H}
 *   GET /dashboard/history/search?q=…&limit=N             → {"hits": [{"seq","at","snippet"}…]}
 *   GET /dashboard/history/export?from=&to=&format=jsonl|md → an attachment, streamed page by page
 *   GET /dashboard/history/usage?from=MS&to=MS             → {"samples": [{"at","session","provider","costUsd","tokens"}…],
 *                                                             "from": MS, "to": MS} (usage.ts; from → 0, to → now)
 *
 * Errors are JSON like ductor's (`{"error": "…"}`): 401 unauthorized, 400 for a bad parameter or a query the
 * search cannot run (never 500), 404 for another path, 503 when the store itself fails.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { HistoryQueryError, type HistoryEvent, type HistoryStore } from "../history/store.js";
import { bearerToken, tokenMatches } from "./auth.js";
import { jsonlEncoder, markdownEncoder, type ExportSnapshot } from "./export.js";
import { parseExportQuery, parseHistoryQuery, parseSearchQuery, parseUsageQuery } from "./params.js";
import { UsageLedger, type UsageSample } from "./usage.js";

/** Events read from the store per page while exporting. */
const EXPORT_PAGE = 1000;

/** The REST paths whose snapshots a recording carries (the mock computes /dashboard/status itself). */
const RECORDED_SNAPSHOTS = ["/dashboard/sessions", "/dashboard/tasks"];

/** Both stores keep snapshots readable, though HistoryStore does not promise it: used when there. */
type SnapshotReader = { snapshots(path: string): { at: number; body: string }[] };
const readsSnapshots = (store: HistoryStore): store is HistoryStore & SnapshotReader =>
  typeof (store as Partial<SnapshotReader>).snapshots === "function";
/** The SQLite store also reads only the snapshots after a time, and says when its oldest was taken. */
type NewerSnapshotReader = {
  snapshots(path: string, afterAt?: number): { at: number; body: string }[];
  oldestSnapshotAt(path: string): number | undefined;
};
const readsNewerSnapshots = (store: HistoryStore): store is HistoryStore & NewerSnapshotReader =>
  readsSnapshots(store) && typeof (store as Partial<NewerSnapshotReader>).oldestSnapshotAt === "function";

/** For each recorded path: the state at `fromAt` (the last snapshot before it, moved to it), then its changes up to `toAt`. */
function snapshotsBetween(store: HistoryStore, fromAt: number, toAt: number): ExportSnapshot[] {
  if (!readsSnapshots(store)) return [];
  const out: ExportSnapshot[] = [];
  for (const path of RECORDED_SNAPSHOTS) {
    const all = store.snapshots(path);
    const parse = (s: { at: number; body: string }, at: number): void => {
      try {
        out.push({ path, at, body: JSON.parse(s.body) as unknown });
      } catch {
        // a body that is not JSON cannot be replayed as ductor's answer; leave it out
      }
    };
    const start = all.filter((s) => s.at <= fromAt).at(-1);
    if (start) parse(start, fromAt);
    for (const s of all) if (s.at > fromAt && s.at <= toAt) parse(s, s.at);
  }
  return out.sort((a, b) => a.at - b.at);
}

function send(res: ServerResponse, method: string, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  res.end(method === "HEAD" ? undefined : text);
}

/** One ledger per store: it remembers the sessions snapshots already read (see UsageLedger). */
const ledgers = new WeakMap<HistoryStore, UsageLedger>();

const toJson = (e: HistoryEvent) => ({ seq: e.seq, at: e.at, type: e.type, data: e.data });

export function handleHistoryRequest(req: IncomingMessage, res: ServerResponse, url: string, store: HistoryStore, token: string): void {
  const method = req.method ?? "GET";
  const auth = req.headers.authorization;
  if (!tokenMatches(bearerToken(Array.isArray(auth) ? auth[0] : auth), token)) return send(res, method, 401, { error: "unauthorized" });
  const queryAt = url.indexOf("?");
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const params = new URLSearchParams(queryAt === -1 ? "" : url.slice(queryAt + 1));
  try {
    switch (path) {
      case "/dashboard/history":
        return page(res, method, params, store);
      case "/dashboard/history/search":
        return search(res, method, params, store);
      case "/dashboard/history/usage":
        return usage(res, method, params, store);
      case "/dashboard/history/export":
        return void exportRange(req, res, method, params, store).catch((err: unknown) => {
          if (res.headersSent) res.destroy();
          else send(res, method, 503, { error: "history unavailable", detail: err instanceof Error ? err.message : String(err) });
        });
      default:
        return send(res, method, 404, { error: "not found" });
    }
  } catch (err) {
    if (err instanceof HistoryQueryError) return send(res, method, 400, { error: err.message });
    if (res.headersSent) return void res.destroy();
    return send(res, method, 503, { error: "history unavailable", detail: err instanceof Error ? err.message : String(err) });
  }
}

function page(res: ServerResponse, method: string, params: URLSearchParams, store: HistoryStore): void {
  const query = parseHistoryQuery(params);
  if (!query.ok) return send(res, method, 400, { error: query.error });
  const q = query.value;
  const events = "latest" in q ? store.range({ before: store.head() + 1, limit: q.limit }) : store.range(q);
  send(res, method, 200, { events: events.map(toJson), oldest: store.oldest(), head: store.head() });
}

function search(res: ServerResponse, method: string, params: URLSearchParams, store: HistoryStore): void {
  const query = parseSearchQuery(params);
  if (!query.ok) return send(res, method, 400, { error: query.error });
  const hits = store.search(query.value.q, query.value.limit);
  send(res, method, 200, { hits: hits.map((h) => ({ seq: h.seq, at: h.at, snippet: h.snippet })) });
}

function usage(res: ServerResponse, method: string, params: URLSearchParams, store: HistoryStore): void {
  const query = parseUsageQuery(params);
  if (!query.ok) return send(res, method, 400, { error: query.error });
  const from = query.value.from ?? 0;
  const to = query.value.to ?? Date.now();
  if (from > to) return send(res, method, 400, { error: `"from" must not be after "to" (now, ${to})` });
  let ledger = ledgers.get(store);
  if (!ledger) {
    ledger = new UsageLedger();
    ledgers.set(store, ledger);
  }
  const path = "/dashboard/sessions";
  let samples: UsageSample[] = [];
  if (readsNewerSnapshots(store)) {
    // Only what was stored since the last look: a relay that ran for weeks holds thousands of sessions bodies.
    ledger.update(store.snapshots(path, ledger.lastAt), store.oldestSnapshotAt(path));
    samples = ledger.between(from, to);
  } else if (readsSnapshots(store)) samples = ledger.samples(store.snapshots(path), from, to);
  send(res, method, 200, { samples, from, to });
}

/** Write, and wait when the client is slower than the store: an export of a million events is never all in memory. */
function write(res: ServerResponse, text: string): Promise<void> | undefined {
  if (text === "" || res.write(text)) return undefined;
  return new Promise<void>((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}

async function exportRange(
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  params: URLSearchParams,
  store: HistoryStore,
): Promise<void> {
  const query = parseExportQuery(params);
  if (!query.ok) return send(res, method, 400, { error: query.error });
  const { format } = query.value;
  // The range is fixed now: events appended while the export streams are not in it.
  const from = query.value.from ?? store.oldest();
  const to = query.value.to ?? store.head();
  const range = { from, to, exportedAt: Date.now() };
  const first = store.range({ after: from - 1, limit: EXPORT_PAGE }).filter((e) => e.seq <= to);
  let encoder = markdownEncoder(range);
  if (format === "jsonl") {
    const fromAt = first[0]?.at ?? range.exportedAt;
    const toAt = store.range({ before: to + 1, limit: 1 })[0]?.at ?? fromAt;
    encoder = jsonlEncoder(range, snapshotsBetween(store, fromAt, toAt));
  }
  res.writeHead(200, {
    "content-type": format === "jsonl" ? "application/x-ndjson; charset=utf-8" : "text/plain; charset=utf-8",
    "content-disposition": `attachment; filename="ductor-history-${from}-${to}.${format}"`,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  if (method === "HEAD") return void res.end();
  await write(res, encoder.head(first[0]));
  let cursor = from - 1;
  let events = first;
  while (events.length > 0 && !req.destroyed) {
    for (const event of events) {
      if (event.seq > cursor + 1) await write(res, encoder.gap(cursor + 1, event.seq - 1));
      cursor = event.seq;
      const wait = write(res, encoder.event(event));
      if (wait) await wait;
    }
    if (cursor >= to) break;
    events = store.range({ after: cursor, limit: EXPORT_PAGE }).filter((e) => e.seq <= to);
  }
  // Pruned at the start (from < oldest) or at the end while streaming: say so in formats that can.
  if (cursor < to && cursor < store.head()) await write(res, encoder.gap(cursor + 1, Math.min(to, store.head())));
  res.end(encoder.tail());
}
