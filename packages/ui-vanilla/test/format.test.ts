import { describe, expect, it } from "vitest";
import { formatBytes, formatCost, formatDuration, formatRelative, formatUptime } from "../src/format.js";

describe("format", () => {
  it("uptime in days, hours, minutes, or under a minute", () => {
    expect(formatUptime(0)).toBe("under a minute");
    expect(formatUptime(59)).toBe("under a minute");
    expect(formatUptime(60)).toBe("1 minute");
    expect(formatUptime(3_723)).toBe("1 hour 2 minutes");
    expect(formatUptime(7_200)).toBe("2 hours");
    expect(formatUptime(49 * 3_600 + 180)).toBe("2 days 1 hour");
    expect(formatUptime(86_400 + 300)).toBe("1 day 5 minutes");
    expect(formatUptime(-1)).toBe("unknown");
  });
  it("relative times", () => {
    const now = Date.UTC(2026, 3, 21, 12, 0, 0);
    expect(formatRelative(new Date(now - 2_000), now)).toBe("just now");
    expect(formatRelative(new Date(now - 12_000), now)).toBe("12 s ago");
    expect(formatRelative(new Date(now - 5 * 60_000), now)).toBe("5 min ago");
    expect(formatRelative(new Date(now - 3 * 3_600_000), now)).toBe("3 h ago");
    expect(formatRelative(new Date(now - 2 * 86_400_000), now)).toBe("2 days ago");
    expect(formatRelative(new Date(Number.NaN), now)).toBe("–");
    expect(formatRelative(null, now)).toBe("–");
  });
  it("bytes, durations, cost", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(96_369)).toBe("94.1 KiB");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5.0 MiB");
    expect(formatDuration(588.6)).toBe("9m");
    expect(formatDuration(3_900)).toBe("1h 5m");
    expect(formatCost(0.8421)).toBe("$0.84");
    expect(formatCost(0)).toBe("$0");
    expect(formatCost(0.00001)).toBe("<$0.0001");
  });
});
