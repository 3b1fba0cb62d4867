/** The app's lifetime and polling cores, in Node with real timers and real typed client errors. */
import { AbortError, AuthenticationError, ServiceUnavailableError } from "@ductor/dashboard-client";
import { describe, expect, it } from "vitest";
import type { ErrorBanner } from "../src/app/failure.js";
import { createPolling } from "../src/app/poll.js";
import { createLatest, createScope } from "../src/app/scope.js";
import type { AppContext } from "../src/app/types.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("scope", () => {
  it("ends everything registered, last first, aborts its signal, and ends its children", () => {
    const scope = createScope();
    const order: string[] = [];
    scope.register(() => order.push("first"));
    const child = scope.child();
    child.register(() => order.push("child"));
    scope.register(() => order.push("last"));
    scope.dispose();
    expect(order).toEqual(["last", "child", "first"]);
    expect(scope.signal.aborted).toBe(true);
    expect(child.disposed).toBe(true);
    scope.dispose();
    expect(order).toHaveLength(3);
  });

  it("clears its timers; a disposer that throws does not keep the others from running", async () => {
    const scope = createScope();
    let fired = 0;
    scope.timeout(() => fired++, 20);
    scope.interval(() => fired++, 10);
    let ran = false;
    scope.register(() => {
      throw new Error("bad disposer");
    });
    scope.register(() => {
      ran = true;
    });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      scope.dispose();
    } finally {
      console.error = original;
    }
    await sleep(60);
    expect(fired).toBe(0);
    expect(ran).toBe(true);
    expect(errors).toHaveLength(1);
  });

  it("runs a disposer registered after the end at once", () => {
    const scope = createScope();
    scope.dispose();
    let ran = false;
    scope.register(() => (ran = true));
    expect(ran).toBe(true);
  });
});

function recordingBanner() {
  const seen: string[] = [];
  const banner: ErrorBanner = { fail: (text) => void seen.push(`fail: ${text}`), ok: () => void seen.push("ok") };
  return { banner, seen };
}

function context() {
  const refusals: string[] = [];
  const ctx = { client: null as never, refuse: (reason: string) => void refusals.push(reason) } satisfies AppContext;
  return { ctx, refusals };
}

describe("scope timeouts", () => {
  it("a timeout that fired or was cancelled leaves nothing registered (a replay waits once per event)", async () => {
    const scope = createScope();
    const base = scope.registered;
    let fired = 0;
    for (let i = 0; i < 1_000; i++) scope.timeout(() => fired++, 1);
    const cancelled = scope.timeout(() => fired++, 60_000);
    expect(scope.registered).toBe(base + 1_001);
    cancelled();
    await expect.poll(() => fired, { timeout: 10_000 }).toBe(1_000);
    expect(scope.registered).toBe(base);
    scope.dispose();
  });
});

describe("createPolling", () => {
  it("a failure goes to its source's banner in words; a later success clears it; rounds never overlap", async () => {
    const scope = createScope();
    const { ctx } = context();
    const { banner, seen } = recordingBanner();
    const answers: Array<() => Promise<string>> = [
      () => Promise.reject(new ServiceUnavailableError(503, { error: "logs not configured" }, new Headers())),
      () => Promise.resolve("fine"),
    ];
    let running = 0;
    let overlapped = false;
    const shown: string[] = [];
    const poller = createPolling(ctx, scope, {
      everyMs: 5,
      sources: [
        {
          endpoint: "/dashboard/status",
          doing: "refresh the status",
          banner,
          async load() {
            running++;
            overlapped ||= running > 1;
            await sleep(15);
            running--;
            return (answers.shift() ?? (() => Promise.resolve("again")))();
          },
          show: (data: string) => void shown.push(data),
        },
      ],
    });
    poller.start();
    poller.refresh(); // a run is in flight: ignored
    // A few rounds (the failed one, the one that clears it, two more), however long a busy machine takes.
    await expect.poll(() => shown.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    scope.dispose();
    expect(seen[0]).toMatch(/^fail: Couldn't refresh the status: .*503.*logs not configured/);
    expect(seen[1]).toBe("ok");
    expect(shown[0]).toBe("fine");
    expect(overlapped).toBe(false);
  });

  it("a 401 refuses the token once and draws nothing of that round; aborts are silent", async () => {
    const scope = createScope();
    const { ctx, refusals } = context();
    const a = recordingBanner();
    const b = recordingBanner();
    const shown: string[] = [];
    createPolling(ctx, scope, {
      everyMs: 1_000,
      sources: [
        {
          endpoint: "/dashboard/tasks",
          doing: "load tasks",
          banner: a.banner,
          load: () => Promise.reject(new AuthenticationError(401, { error: "unauthorized" }, new Headers())),
          show: () => void shown.push("tasks"),
        },
        {
          endpoint: "/dashboard/sessions",
          doing: "load sessions",
          banner: b.banner,
          load: () => Promise.resolve("s"),
          show: () => void shown.push("sessions"),
        },
      ],
    }).start();
    await sleep(20);
    expect(refusals).toEqual(["The server refused the token (401 on /dashboard/tasks)."]);
    expect(shown).toEqual([]);

    const quiet = recordingBanner();
    createPolling(ctx, scope, {
      everyMs: 1_000,
      sources: [
        { endpoint: "/x", doing: "x", banner: quiet.banner, load: () => Promise.reject(new AbortError("cancelled")), show: () => {} },
      ],
    }).start();
    await sleep(20);
    expect(quiet.seen).toEqual([]);
    scope.dispose();
  });

  it("ends with its scope: the request in flight is aborted and nothing runs again", async () => {
    const scope = createScope();
    const { ctx } = context();
    const { banner } = recordingBanner();
    let calls = 0;
    let aborted = false;
    createPolling(ctx, scope, {
      everyMs: 5,
      sources: [
        {
          endpoint: "/x",
          doing: "x",
          banner,
          load: (signal) => {
            calls++;
            return new Promise((_, reject) => signal.addEventListener("abort", () => ((aborted = true), reject(new AbortError("gone")))));
          },
          show: () => {},
        },
      ],
    }).start();
    await sleep(10);
    scope.dispose();
    await sleep(40);
    expect(aborted).toBe(true);
    expect(calls).toBe(1);
  });
});

describe("createLatest", () => {
  it("aborts the work before when new work begins, and all of it when the scope ends", () => {
    const scope = createScope();
    const latest = createLatest(scope);
    const first = latest.begin();
    const second = latest.begin();
    expect(first.aborted).toBe(true);
    expect(second.aborted).toBe(false);
    latest.cancel();
    expect(second.aborted).toBe(true);
    const third = latest.begin();
    scope.dispose();
    expect(third.aborted).toBe(true);
  });
});
