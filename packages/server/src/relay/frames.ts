/**
 * The viewer wire format of the relay (docs: the server's README, "Relay"). Pure: strings in, strings out.
 *
 *   {"type": "ping", "relay": {"version": 1, "head": H, "oldest": O}}       first frame, once
 *   {"type": "text_delta", "data": "…", "seq": 12, "at": 1764…}             every stored event, as ductor sent it + seq, at
 *   {"type": "upstream", "data": "connected", "seq": 13, "at": …}           lifecycle rows (connected|disconnected|refused)
 *   {"type": "gap", "from_seq": A, "to_seq": B}                             events A..B were pruned before this viewer got them
 *
 * `seq` numbers exactly the frames above that carry one; `ping` and `gap` carry none.
 */
import type { HistoryEvent } from "../history/store.js";

const RELAY_PROTOCOL_VERSION = 1;

export function pingFrame(head: number, oldest: number): string {
  return JSON.stringify({ type: "ping", relay: { version: RELAY_PROTOCOL_VERSION, head, oldest } });
}

export function eventFrame(event: HistoryEvent): string {
  return JSON.stringify({ type: event.type, data: event.data, seq: event.seq, at: event.at });
}

export function gapFrame(fromSeq: number, toSeq: number): string {
  return JSON.stringify({ type: "gap", from_seq: fromSeq, to_seq: toSeq });
}
