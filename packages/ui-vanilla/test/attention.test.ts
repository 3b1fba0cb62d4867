/** When the dashboard asks for attention, in Node: the rules over activity changes, and the tab's words. */
import type { Activity } from "@ductor/dashboard-client";
import { describe, expect, it } from "vitest";
import { AttentionRules, LINK_DOWN_NOTICE_MS } from "../src/app/attention.js";
import { presenceIcon, presenceTitle, shownActivity } from "../src/app/presence.js";

const T = Date.UTC(2026, 10, 25, 9, 0, 0);

describe("AttentionRules", () => {
  it("tells once when the agent goes quiet after working, with how long it worked", () => {
    const rules = new AttentionRules();
    expect(rules.change({ kind: "quiet", since: T })).toBeNull(); // quiet from the start: nothing ended
    expect(rules.change({ kind: "thinking", since: T + 1_000 })).toBeNull();
    expect(rules.change({ kind: "tool", name: "Shell", since: T + 5_000 })).toBeNull();
    expect(rules.change({ kind: "writing", since: T + 60_000, lastAt: T + 61_000 })).toBeNull();
    const notice = rules.change({ kind: "quiet", since: T + 131_000 });
    expect(notice).toMatchObject({
      tag: "quiet",
      title: "The agent is quiet",
      body: expect.stringMatching(/^It worked 2 min 10 s and stopped at /),
    });
    expect(rules.change({ kind: "quiet", since: T + 140_000 })).toBeNull();
  });

  it("a blip of work (under 3 s) and quiet after a reconnect are not the end of a turn", () => {
    const rules = new AttentionRules();
    rules.change({ kind: "status", label: "compacting", since: T });
    expect(rules.change({ kind: "quiet", since: T + 1_000 })).toBeNull();
    rules.change({ kind: "tool", name: "Read", since: T + 10_000 });
    rules.change({ kind: "disconnected", since: T + 20_000, retryAt: null, upstream: false });
    expect(rules.change({ kind: "quiet", since: T + 25_000 })).toBeNull();
  });

  it("tells about a link down once per outage, after it lasted a while, and says whose link it is", () => {
    const rules = new AttentionRules();
    rules.change({ kind: "disconnected", since: T, retryAt: T + 1_000, upstream: false });
    expect(rules.tick(T + LINK_DOWN_NOTICE_MS - 1)).toBeNull();
    expect(rules.tick(T + LINK_DOWN_NOTICE_MS)).toMatchObject({ tag: "link", title: "The dashboard lost its link" });
    expect(rules.tick(T + LINK_DOWN_NOTICE_MS * 3)).toBeNull();
    // A new outage after the link came back is told again; a relay's lost ductor says so.
    rules.change({ kind: "quiet", since: T + 200_000 });
    rules.change({ kind: "disconnected", since: T + 300_000, retryAt: null, upstream: true });
    expect(rules.tick(T + 300_000 + LINK_DOWN_NOTICE_MS)).toMatchObject({ tag: "link", title: "ductor is unreachable" });
    // Short drops that resume on their own tell nothing.
    rules.change({ kind: "quiet", since: T + 400_000 });
    rules.change({ kind: "disconnected", since: T + 500_000, retryAt: null, upstream: false });
    rules.change({ kind: "quiet", since: T + 505_000 });
    expect(rules.tick(T + 600_000)).toBeNull();
  });
});

describe("presence", () => {
  it("says working with a dot and no seconds, and colours the icon by state", () => {
    const cases: Array<[Activity, string]> = [
      [{ kind: "tool", name: "Shell", since: T }, "● Running Shell"],
      [{ kind: "thinking", since: T }, "● Thinking"],
      [{ kind: "writing", since: T, lastAt: T }, "● Writing"],
      [{ kind: "status", label: "compacting", since: T }, "● compacting"],
      [{ kind: "quiet", since: T }, "Quiet"],
      [{ kind: "disconnected", since: T, retryAt: null, upstream: true }, "ductor unreachable"],
    ];
    for (const [activity, title] of cases) expect(presenceTitle(activity)).toBe(title);
    expect(presenceIcon({ kind: "quiet", since: T })).not.toBe(presenceIcon({ kind: "thinking", since: T }));
    expect(presenceIcon({ kind: "quiet", since: T })).toMatch(/^data:image\/svg\+xml,/);
  });

  it("says ductor is unreachable while the relay says so, whatever the tracker saw; the tracker's own link state first", () => {
    const quiet: Activity = { kind: "quiet", since: T };
    expect(presenceTitle(shownActivity(quiet, true))).toBe("ductor unreachable");
    expect(presenceTitle(shownActivity({ kind: "tool", name: "Shell", since: T }, true))).toBe("ductor unreachable");
    expect(shownActivity(quiet, false)).toBe(quiet);
    // The page's own link to the relay is down: that is what the tab says.
    const cut: Activity = { kind: "disconnected", since: T, retryAt: T + 1_000, upstream: false };
    expect(shownActivity(cut, true)).toBe(cut);
  });
});
