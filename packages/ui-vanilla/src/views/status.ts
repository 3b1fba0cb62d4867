import type { ErrorBanner } from "../app/failure.js";
import { createPolling } from "../app/poll.js";
import type { Scope } from "../app/scope.js";
import type { AppContext, HealthData, StatusData, View } from "../app/types.js";
import { h } from "../dom.js";
import { formatCount, formatUptime } from "../format.js";
import { createViewHeader } from "./view-header.js";

const STATUS_INTERVAL_MS = 5_000;

function card(label: string, hint?: string) {
  const value = h("p", { class: "card-value" }, "–");
  const sub = h("p", { class: "card-sub muted" }, hint ?? "");
  const el = h("section", { class: "card" }, h("h2", { class: "card-label" }, label), value, sub);
  return { el, value, sub };
}

export function createStatusView(ctx: AppContext, scope: Scope): View {
  const header = createViewHeader("Status", "dd-h-status");
  const provider = card("Provider", "ductor's configured default");
  const model = card("Model", "ductor's configured default");
  const uptime = card("Uptime", "since the bot started");
  const connections = card("Chat connections", "authenticated /ws clients");
  const dash = card("Dashboard connections", "open live streams, this one included");
  const health = card("Health", "GET /health (no token)");
  const grid = h("div", { class: "cards" }, provider.el, model.el, uptime.el, connections.el, dash.el, health.el);
  const el = h("section", { class: "view view-status", "aria-labelledby": "dd-h-status", hidden: true }, header.el, header.error, grid);
  scope.register(() => el.remove());

  let last: { data: StatusData; at: number } | null = null;

  // /health answers without a token: its failure says something about ductor, shown on its own card.
  const healthCard: ErrorBanner = {
    fail(text: string): void {
      health.value.textContent = "unreachable";
      health.value.className = "card-value bad";
      health.sub.textContent = text;
    },
    ok(): void {},
  };

  const poller = createPolling(ctx, scope, {
    everyMs: STATUS_INTERVAL_MS,
    sources: [
      {
        endpoint: "/dashboard/status",
        doing: "refresh the status",
        // A failure after data leaves the cards up, greyed and marked stale (the header says since when).
        banner: {
          fail(text: string): void {
            header.fail(text);
            grid.classList.toggle("is-stale", last !== null);
          },
          ok(now?: number): void {
            header.ok(now);
            grid.classList.remove("is-stale");
          },
        },
        load: (signal) => ctx.client.status({ signal }),
        show(s: StatusData, now: number): void {
          last = { data: s, at: now };
          provider.value.textContent = s.provider || "unknown";
          model.value.textContent = s.model || "unknown";
          uptime.value.textContent = formatUptime(s.uptimeSeconds);
          connections.value.textContent = formatCount(s.connections);
          dash.value.textContent = formatCount(s.dashboardConnections);
        },
      },
      {
        endpoint: "/health",
        doing: "check /health",
        banner: healthCard,
        load: (signal) => ctx.client.health({ signal }),
        show(hd: HealthData): void {
          health.value.textContent = hd.status;
          health.value.className = `card-value ${hd.status === "ok" ? "good" : "warn"}`;
          health.sub.textContent = `${formatCount(hd.connections)} chat connection${hd.connections === 1 ? "" : "s"} · no token needed`;
        },
      },
    ],
  });

  return {
    el,
    show(): void {
      el.hidden = false;
      poller.start();
    },
    hide(): void {
      el.hidden = true;
      poller.stop();
    },
    tick(now: number): void {
      if (el.hidden) return;
      header.tick(now);
      // Stale data stays as it was: counting the uptime on would claim ductor is still up.
      if (last && !grid.classList.contains("is-stale"))
        uptime.value.textContent = formatUptime(last.data.uptimeSeconds + (now - last.at) / 1000);
    },
  };
}
