/**
 * What a fleet card says about its ductor, from what the page knows of it. Pure: the card's DOM shell feeds it
 * the link (the browser's stream to the relay), the relay's own link to that ductor (its `upstream` rows) and the
 * activity, and paints what comes back.
 *
 * Two links can fail, and a person needs to tell them apart: the relay cannot reach that ductor ("unreachable":
 * the page is fine, ductor is down), or the page lost the relay ("reconnecting": the network or the dashboard).
 */
import type { Activity } from "@ductor/dashboard-client";
import type { LinkState } from "../app/live.js";

type CardLinkKind = "signed-out" | "connecting" | "live" | "reconnecting" | "unreachable";

export interface CardLinkInput {
  /** A token is held for this ductor. */
  signedIn: boolean;
  link: LinkState;
  /** The relay's last `upstream` row for this ductor ("connected", "disconnected", "refused"), if any was seen. */
  upstream: string | null;
}

export interface CardLink {
  kind: CardLinkKind;
  /** The badge's words. */
  text: string;
}

export function cardLink(input: CardLinkInput, now: number): CardLink {
  if (!input.signedIn) return { kind: "signed-out", text: "signed out" };
  const { link } = input;
  switch (link.kind) {
    case "connecting":
      return { kind: "connecting", text: "connecting…" };
    case "refused":
      return { kind: "signed-out", text: "token refused" };
    case "closed":
      return { kind: "unreachable", text: "unreachable" };
    case "reconnecting": {
      const s = Math.max(0, Math.ceil((link.retryAt - now) / 1000));
      return { kind: "reconnecting", text: s > 0 ? `reconnecting in ${s} s` : "reconnecting…" };
    }
    case "open":
      if (input.upstream === "disconnected") return { kind: "unreachable", text: "unreachable" };
      if (input.upstream === "refused") return { kind: "unreachable", text: "unreachable (token refused)" };
      return { kind: "live", text: "live" };
  }
}

export type WorkState = "working" | "quiet" | "unknown";

/** Whether the agent is at work: a tool, thinking, a status or text just now. Unknown while the link is not up. */
export function workState(activity: Activity): WorkState {
  switch (activity.kind) {
    case "tool":
    case "thinking":
    case "status":
    case "writing":
      return "working";
    case "quiet":
      return "quiet";
    default:
      return "unknown";
  }
}
