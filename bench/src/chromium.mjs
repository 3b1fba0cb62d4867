// The benchmarks' browser: Debian's Chromium (CHROMIUM_PATH to override), headless, with the flags every
// browser run here uses. `preciseMemory` reports the JS heap unrounded (the render benchmarks print it).
import { chromium } from "playwright-core";

export function launchChromium({ preciseMemory = false } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      ...(preciseMemory ? ["--enable-precise-memory-info"] : []),
    ],
  });
}
