import { afterEach, describe, expect, it, vi } from "vitest";
import { DashboardError, ListenerError } from "../src/errors.js";
import { StreamEmitter } from "../src/stream/emitter.js";

const delta = (data: string) => ({ type: "text_delta" as const, data });
afterEach(() => vi.restoreAllMocks());

describe("stream emitter", () => {
  it("calls listeners in subscription order, once per function, until unsubscribed", () => {
    const e = new StreamEmitter();
    const seen: string[] = [];
    const a = (ev: { data: string }) => seen.push(`a ${ev.data}`);
    const offA = e.on("text_delta", a);
    e.on("text_delta", a); // the same function twice is one subscription
    e.on("text_delta", (ev) => seen.push(`b ${ev.data}`));
    e.emit("text_delta", delta("1"));
    offA();
    offA();
    e.emit("text_delta", delta("2"));
    e.emit("tool_activity", { type: "tool_activity", data: "Read" }); // nobody listens: nothing happens
    expect(seen).toEqual(["a 1", "b 1", "b 2"]);
  });

  it("copy-on-write: changes made during an emit apply from the next event", () => {
    const e = new StreamEmitter();
    const seen: string[] = [];
    const late = (ev: { data: string }) => seen.push(`late ${ev.data}`);
    let offB = () => {};
    e.on("text_delta", (ev) => {
      seen.push(`a ${ev.data}`);
      offB();
      e.on("text_delta", late);
    });
    offB = e.on("text_delta", (ev) => seen.push(`b ${ev.data}`));
    e.emit("text_delta", delta("1"));
    e.emit("text_delta", delta("2"));
    expect(seen).toEqual(["a 1", "b 1", "a 2", "late 2"]);
  });

  it("a throwing listener becomes an `error` event (ListenerError with the cause); the others still run", () => {
    const e = new StreamEmitter();
    const errors: DashboardError[] = [];
    e.on("error", (err) => errors.push(err));
    const boom = new TypeError("bug");
    e.on("text_delta", () => {
      throw boom;
    });
    const after: string[] = [];
    e.on("text_delta", (ev) => after.push(ev.data));
    e.emit("text_delta", delta("x"));
    expect(after).toEqual(["x"]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ListenerError);
    expect((errors[0] as ListenerError).eventType).toBe("text_delta");
    expect(errors[0]!.cause).toBe(boom);
  });

  it("a throwing `error` listener, or a throw nobody listens for, is printed once, never looped", () => {
    const printed = vi.spyOn(console, "error").mockImplementation(() => {});
    const e = new StreamEmitter();
    let calls = 0;
    e.on("error", () => {
      calls++;
      throw new Error("error listener bug");
    });
    e.emit("error", new DashboardError("one"));
    e.emit("error", new DashboardError("two"));
    expect(calls).toBe(2);
    expect(printed).toHaveBeenCalledTimes(1);
    expect(printed.mock.calls[0]![0]).toBeInstanceOf(ListenerError);

    const quiet = new StreamEmitter();
    quiet.on("open", () => {
      throw new Error("no error listener");
    });
    quiet.emit("open", { at: 0, connection: 1, relay: null, resumed: false });
    expect(printed).toHaveBeenCalledTimes(2); // its own once-per-stream budget
  });

  it("clear() forgets every listener", () => {
    const e = new StreamEmitter();
    const seen: unknown[] = [];
    e.on("close", (c) => seen.push(c));
    e.clear();
    e.emit("close", { code: 1000, reason: "client closed" });
    expect(seen).toEqual([]);
  });
});
