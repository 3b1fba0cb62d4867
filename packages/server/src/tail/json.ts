/**
 * `--json`: one object per line. Events exactly as the wire has them (`{"type","data","seq"?,"at"?}`, a gap as
 * `{"type":"gap","from_seq","to_seq"}`), and the link's changes as lines of their own: `open` and `reconnecting`.
 * Pure; jsonLine (sanitize.ts) writes them.
 */
import type { GapEvent, OpenEvent, ReconnectingEvent, StreamDataEvent } from "@ductor/dashboard-client";

/** An event as received: `type`, `data`, and a relay's `seq` and `at` when present. */
export function eventRecord(ev: StreamDataEvent): Record<string, unknown> {
  const out: Record<string, unknown> = { type: ev.type, data: ev.data };
  if (ev.seq !== undefined) out["seq"] = ev.seq;
  if (ev.at !== undefined) out["at"] = ev.at;
  return out;
}

/** As the relay sends it. */
export function gapRecord(ev: GapEvent): Record<string, unknown> {
  return { type: "gap", from_seq: ev.fromSeq, to_seq: ev.toSeq };
}

/**
 * `{"type":"open","at","connection","relay","resumed","since"?}`: `relay` is `{version, head, oldest}` or null
 * (plain ductor); `connection` > 1 is a reconnect, after which `resumed: true` means nothing was missed.
 */
export function openRecord(ev: OpenEvent): Record<string, unknown> {
  const out: Record<string, unknown> = { type: "open", at: ev.at, connection: ev.connection, relay: ev.relay, resumed: ev.resumed };
  if (ev.since !== undefined) out["since"] = ev.since;
  return out;
}

/** `{"type":"reconnecting","attempt","delay_ms","retry_at","code"?,"reason"?,"error"?}` (`retry_at`: epoch ms of the next try). */
export function reconnectingRecord(ev: ReconnectingEvent): Record<string, unknown> {
  const out: Record<string, unknown> = { type: "reconnecting", attempt: ev.attempt, delay_ms: ev.delayMs, retry_at: ev.at };
  if (ev.code !== undefined) out["code"] = ev.code;
  if (ev.reason) out["reason"] = ev.reason;
  if (ev.error) out["error"] = ev.error.message;
  return out;
}
