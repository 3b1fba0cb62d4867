import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

/**
 * A small stand-in for the history relay (`ductor-dashboard serve --ductor`), speaking exactly its viewer wire
 * (issue 11) so the client can be tested before, and independently of, the real one:
 *
 * - `GET /dashboard/stream?token=T[&since=SEQ]`: ping `{"type":"ping","relay":{"version":1,"head","oldest"}}`;
 *   with `since`, a `gap` frame if events after it were pruned, then every retained event after it, then live.
 * - `GET /dashboard/history?before|after=SEQ[&limit=N]`, `/history/search?q=[&limit=]`, `/history/export?from&to&format`.
 *
 * Events are numbered here (`append`), kept in memory, and can be pruned from the front (`prune`).
 */
interface StoredEvent {
  seq: number;
  at: number;
  type: string;
  data: string | null;
}

export interface RelayPeer {
  url: string;
  token: string;
  /** `req.url` of every stream upgrade, in order (to check what `since` the client sent). */
  upgrades: string[];
  /** `req.url` of every REST request, in order. */
  requests: string[];
  /** Retained events, ascending. */
  events: StoredEvent[];
  head(): number;
  oldest(): number;
  /** Numbers, stores and broadcasts one event (its wire frame is `{type, data, seq, at}`). */
  append(type: string, data: string | null): StoredEvent;
  /** Forgets every event with seq < `seq`. */
  prune(seq: number): void;
  /** Sends a raw frame to every open stream socket (nothing is stored or numbered). */
  broadcastRaw(frame: string): void;
  /** Destroys every stream socket at once (1006 on the client, no Close frame). */
  terminateAll(): void;
  /** Open authenticated stream sockets. */
  clients(): number;
  /** What the ping says about the relay; replace to send a bad one. */
  relayInfo: () => unknown;
  /** Answers a REST request itself when it returns true (malformed bodies and errors on demand). */
  override: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  close(): Promise<void>;
}

const wire = (e: StoredEvent) => JSON.stringify({ type: e.type, data: e.data, seq: e.seq, at: e.at });

function send(res: ServerResponse, status: number, body: unknown, type = "application/json; charset=utf-8"): void {
  res.writeHead(status, { "content-type": type });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}

export async function startRelayPeer(options: { token?: string } = {}): Promise<RelayPeer> {
  const token = options.token ?? "relay-test-token";
  const events: StoredEvent[] = [];
  let head = 0;
  const live = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true });

  const peer: RelayPeer = {
    url: "",
    token,
    upgrades: [],
    requests: [],
    events,
    head: () => head,
    oldest: () => events[0]?.seq ?? head + 1,
    append(type, data) {
      const e = { seq: ++head, at: Date.now(), type, data };
      events.push(e);
      const frame = wire(e);
      for (const ws of live) ws.send(frame);
      return e;
    },
    prune(seq) {
      while (events.length > 0 && events[0]!.seq < seq) events.shift();
    },
    broadcastRaw(frame) {
      for (const ws of live) ws.send(frame);
    },
    terminateAll() {
      for (const ws of live) ws.terminate();
      live.clear();
    },
    clients: () => live.size,
    relayInfo: () => ({ version: 1, head, oldest: peer.oldest() }),
    override: undefined,
    close: () =>
      new Promise((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const server = createServer((req, res) => {
    peer.requests.push(req.url ?? "");
    if (peer.override?.(req, res)) return;
    const url = new URL(req.url ?? "/", "http://x");
    if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, { error: "unauthorized" });
    const q = url.searchParams;
    const limit = Number(q.get("limit") ?? 100);
    switch (url.pathname) {
      case "/dashboard/history": {
        const page = q.has("before")
          ? events.filter((e) => e.seq < Number(q.get("before"))).slice(-limit)
          : events.filter((e) => e.seq > Number(q.get("after"))).slice(0, limit);
        return send(res, 200, { events: page, oldest: peer.oldest(), head });
      }
      case "/dashboard/history/search": {
        const term = q.get("q") ?? "";
        // Like FTS5: an unbalanced quote is a syntax error, answered 400 with a message.
        if ((term.match(/"/g) ?? []).length % 2 === 1) return send(res, 400, { error: `fts5: syntax error near "${term}"` });
        const hits = events
          .filter((e) => e.data?.includes(term))
          .reverse()
          .slice(0, limit)
          .map((e) => ({ seq: e.seq, at: e.at, snippet: e.data }));
        return send(res, 200, { hits });
      }
      case "/dashboard/history/export": {
        const from = Number(q.get("from"));
        const to = Number(q.get("to"));
        const range = events.filter((e) => e.seq >= from && e.seq <= to);
        if (q.get("format") === "md") return send(res, 200, range.map((e) => `${e.data ?? ""}`).join(""), "text/markdown; charset=utf-8");
        const start = range[0]?.at ?? 0;
        const lines = [
          JSON.stringify({ ductorRecording: 1, recordedAt: new Date(start).toISOString(), source: "relay-peer" }),
          ...range.map((e) => JSON.stringify({ t: e.at - start, event: { type: e.type, data: e.data } })),
        ];
        return send(res, 200, `${lines.join("\n")}\n`, "application/x-ndjson");
      }
    }
    return send(res, 404, "404: Not Found", "text/plain; charset=utf-8");
  });

  server.on("upgrade", (req, socket, headBytes) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname !== "/dashboard/stream") return socket.destroy();
    peer.upgrades.push(req.url ?? "");
    wss.handleUpgrade(req, socket, headBytes, (ws) => {
      // Like ductor: the upgrade succeeds, a bad token is then closed with 1008.
      if (url.searchParams.get("token") !== token) return ws.close(1008, "unauthorized");
      ws.send(JSON.stringify({ type: "ping", relay: peer.relayInfo() }));
      const sinceParam = url.searchParams.get("since");
      if (sinceParam !== null) {
        const since = Number(sinceParam);
        const oldest = peer.oldest();
        if (since + 1 < oldest && since < head) ws.send(JSON.stringify({ type: "gap", from_seq: since + 1, to_seq: oldest - 1 }));
        // Synchronous from here to `live.add`: no event can be appended in between (no hole, no duplicate).
        for (const e of events) if (e.seq > since) ws.send(wire(e));
      }
      live.add(ws);
      ws.on("close", () => live.delete(ws));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  peer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return peer;
}
