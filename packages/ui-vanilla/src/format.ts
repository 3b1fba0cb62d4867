/** Pure formatting helpers: no DOM, no server knowledge. */

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** "3 days 4 hours", "2 hours 5 minutes", "7 minutes", "under a minute". */
export function formatUptime(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds) || totalSeconds < 0) return "unknown";
  if (totalSeconds < 60) return "under a minute";
  const s = Math.floor(totalSeconds);
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3_600);
  const minutes = Math.floor((s % 3_600) / 60);
  if (days > 0) {
    if (hours > 0) return `${plural(days, "day")} ${plural(hours, "hour")}`;
    return minutes > 0 ? `${plural(days, "day")} ${plural(minutes, "minute")}` : plural(days, "day");
  }
  if (hours > 0) return minutes > 0 ? `${plural(hours, "hour")} ${plural(minutes, "minute")}` : plural(hours, "hour");
  return plural(minutes, "minute");
}

/** A duration in milliseconds as said aloud: "12 s", "2 min 10 s", "1 h 4 min". */
export function formatSpokenDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

/** Compact duration: "45s", "12m", "3h 5m", "2d 4h". */
export function formatDuration(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds)) return "–";
  const s = Math.max(0, Math.floor(totalSeconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** "just now", "12 s ago", "5 min ago", "3 h ago", "2 days ago", or "in 5 min" for the future. */
export function formatRelative(date: Date | null | undefined, now: number = Date.now()): string {
  if (!date) return "–";
  const t = date.getTime();
  if (!Number.isFinite(t)) return "–";
  const diff = Math.round((now - t) / 1000);
  const future = diff < 0;
  const a = Math.abs(diff);
  let text: string;
  if (a < 5) return "just now";
  if (a < 60) text = `${a} s`;
  else if (a < 3_600) text = `${Math.floor(a / 60)} min`;
  else if (a < 86_400) text = `${Math.floor(a / 3_600)} h`;
  else if (a < 86_400 * 60) text = plural(Math.floor(a / 86_400), "day");
  else return date.toISOString().slice(0, 10);
  return future ? `in ${text}` : `${text} ago`;
}

/** "0 B", "512 B", "1.5 KiB", "5.0 MiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "–";
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** "$0.84", "$0.0012", "$0" */
export function formatCost(usd: number): string {
  if (!Number.isFinite(usd)) return "–";
  if (usd === 0) return "$0";
  if (Math.abs(usd) < 0.0001) return "<$0.0001";
  if (Math.abs(usd) < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}

/** "48,211" / "1.2M" */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return "–";
  if (Math.abs(n) >= 10_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  return Math.round(n).toLocaleString("en-US");
}

/** Local wall clock "12:03:04". */
export function formatClock(date: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}`;
}

/** "updated 3 s ago" style age in whole seconds. */
export function formatAge(since: number, now: number = Date.now()): string {
  const s = Math.max(0, Math.floor((now - since) / 1000));
  if (s < 60) return `${s} s ago`;
  return `${formatDuration(s)} ago`;
}
