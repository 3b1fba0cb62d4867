import { describe, expect, it } from "vitest";
import { DashboardError } from "../src/errors.js";
import { EventQueue } from "../src/stream/queue.js";

describe("for-await queue", () => {
  it("hands events to a waiting next() first, else buffers them in order", async () => {
    const q = new EventQueue<number>(10);
    const waiting = q.next();
    expect(q.push(1)).toBe(true);
    expect(await waiting).toEqual({ value: 1, done: false });
    q.push(2);
    q.push(3);
    expect(await q.next()).toEqual({ value: 2, done: false });
    expect(await q.next()).toEqual({ value: 3, done: false });
  });

  it("holds at most `limit` unconsumed events; one more ends it with an error after the buffered ones", async () => {
    const q = new EventQueue<number>(3);
    expect([1, 2, 3].map((n) => q.push(n))).toEqual([true, true, true]);
    expect(q.push(4)).toBe(false);
    expect(q.push(5)).toBe(false); // ended: the caller forgets it
    const got = [(await q.next()).value, (await q.next()).value, (await q.next()).value];
    expect(got).toEqual([1, 2, 3]);
    const error = await q.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DashboardError);
    expect((error as Error).message).toMatch(/fell 3 events behind/);
    expect(await q.next()).toEqual({ value: undefined, done: true }); // the error is thrown once
  });

  it("counts unconsumed events only: a consumer that keeps up never hits the bound", async () => {
    const q = new EventQueue<number>(2);
    for (let i = 0; i < 5_000; i++) {
      expect(q.push(i)).toBe(true);
      expect((await q.next()).value).toBe(i);
    }
  });

  it("compacts a long-consumed prefix without losing order", async () => {
    const q = new EventQueue<number>(10_000);
    for (let i = 0; i < 5_000; i++) q.push(i);
    for (let i = 0; i < 3_000; i++) expect((await q.next()).value).toBe(i);
    for (let i = 5_000; i < 6_000; i++) q.push(i);
    for (let i = 3_000; i < 6_000; i++) expect((await q.next()).value).toBe(i);
  });

  it("end(): drains what is buffered, then done; a waiting next() settles at once", async () => {
    const q = new EventQueue<number>(10);
    q.push(1);
    q.end();
    expect(q.push(2)).toBe(false);
    expect(await q.next()).toEqual({ value: 1, done: false });
    expect(await q.next()).toEqual({ value: undefined, done: true });

    const w = new EventQueue<number>(10);
    const waiting = w.next();
    w.end();
    expect(await waiting).toEqual({ value: undefined, done: true });
  });

  it("end(error): a waiting next() rejects with it, or the next one after the buffered events", async () => {
    const boom = new DashboardError("1008");
    const w = new EventQueue<number>(10);
    const waiting = w.next();
    w.end(boom);
    await expect(waiting).rejects.toBe(boom);

    const q = new EventQueue<number>(10);
    q.push(1);
    q.end(boom);
    expect((await q.next()).value).toBe(1);
    await expect(q.next()).rejects.toBe(boom);
  });

  it("starts ended (with the final error) on a stream that is already over, and release() drops the buffer", async () => {
    const boom = new DashboardError("over");
    await expect(new EventQueue<number>(10, true, boom).next()).rejects.toBe(boom);
    const q = new EventQueue<number>(10);
    q.push(1);
    q.release();
    expect(await q.next()).toEqual({ value: undefined, done: true });
  });
});
