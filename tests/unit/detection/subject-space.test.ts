import { describe, expect, it } from "vitest";
import { SubjectStore } from "~/domain/detection/leaky-bucket";
import { SubjectSpace, advanceClock, createRuleSpaces } from "~/domain/detection/subject-space";

const S = 1000;

describe("SubjectSpace", () => {
  it("keeps one slot per subject for all its views, each view's state apart", () => {
    const space = new SubjectSpace();
    const a = space.view<{ n: number }>(60 * S);
    const b = space.view<string[]>(60 * S);
    a.touch("cred-1", 0, () => ({ n: 1 })).n++;
    b.touch("cred-1", 0, () => []).push("x");
    a.touch("cred-2", 1, () => ({ n: 7 }));
    expect(space.size()).toBe(2);
    expect(a.get("cred-1")).toEqual({ n: 2 });
    expect(b.get("cred-1")).toEqual(["x"]);
    expect(b.get("cred-2")).toBeUndefined();
    expect(a.touch("cred-1", 2, () => ({ n: 0 })).n).toBe(2);
  });

  it("forgets a view's state when that view has not touched the subject for its idleMs, by the subject's own time", () => {
    const space = new SubjectSpace();
    const short = space.view<{ n: number }>(60 * S);
    const long = space.view<{ n: number }>(3600 * S);
    short.touch("c", 0, () => ({ n: 1 })).n = 5;
    long.touch("c", 0, () => ({ n: 1 })).n = 5;
    expect(short.touch("c", 60 * S, () => ({ n: 1 })).n).toBe(5); // idle for exactly 60 s: kept
    expect(short.touch("c", 121 * S, () => ({ n: 1 })).n).toBe(1); // 61 s: afresh
    expect(long.touch("c", 121 * S, () => ({ n: 1 })).n).toBe(5);
  });

  it("holds at most maxSubjects slots, dropping the least recently touched with every view's state", () => {
    const space = new SubjectSpace({ maxSubjects: 2 });
    const v = space.view<number>(1e12);
    v.touch("a", 0, () => 1);
    v.touch("b", 1, () => 2);
    v.touch("a", 2, () => 9); // a is the most recent now
    v.touch("c", 3, () => 3);
    expect(space.size()).toBe(2);
    expect(v.get("b")).toBeUndefined();
    expect(v.get("a")).toBe(1);
    // The slot found last is not kept once it is dropped.
    v.touch("d", 4, () => 4);
    v.touch("e", 5, () => 5);
    expect(v.get("c")).toBeUndefined();
    expect(v.touch("c", 6, () => 30)).toBe(30);
  });

  it("drops slots idle for longer than its longest view's idleMs as event time moves on", () => {
    const space = new SubjectSpace();
    space.view<number>(10 * S);
    const v = space.view<number>(60 * S);
    for (let i = 0; i < 100; i++) v.touch(`s${i}`, i * S, () => i);
    expect(space.size()).toBeLessThanOrEqual(62);
    expect(v.get("s99")).toBe(99);
    expect(v.get("s0")).toBeUndefined();
  });

  it("stops its clock at the sweep limit, so no slot a later, earlier event needs is dropped", () => {
    const spaces = createRuleSpaces();
    const v = spaces.credentials.view<number>(60 * S);
    v.touch("a", 0, () => 1);
    spaces.limit.ts = 10 * S; // a batch from 10 s on, run grouped: events up to 200 s come first
    for (let i = 0; i < 20; i++) v.touch(`b${i}`, 100 * S + i * 5 * S, () => i);
    expect(v.get("a")).toBe(1);
    expect(v.touch("a", 50 * S, () => 2)).toBe(1); // a's own event, 50 s after its last
    spaces.limit.ts = Number.POSITIVE_INFINITY;
    v.touch("z", 400 * S, () => 0);
    for (let i = 0; i < 30; i++) v.touch(`y${i}`, 401 * S, () => 0);
    expect(v.get("a")).toBeUndefined();
  });
});

describe("SubjectStore with a sweep limit", () => {
  it("sweeps only up to the limit, and never moves its clock back", () => {
    const limit = { ts: Number.POSITIVE_INFINITY };
    const store = new SubjectStore<number>({ idleMs: 60 * S, limit });
    store.touch("a", 0, () => 1);
    limit.ts = 30 * S;
    store.touch("b", 500 * S, () => 2); // 500 s is beyond the limit: a stays
    expect(store.get("a")).toBe(1);
    limit.ts = Number.POSITIVE_INFINITY;
    store.touch("c", 500 * S, () => 3);
    expect(store.get("a")).toBeUndefined();
    expect(advanceClock(100, 50, undefined)).toBe(100);
    expect(advanceClock(100, 500, { ts: 300 })).toBe(300);
    expect(advanceClock(400, 500, { ts: 300 })).toBe(400);
  });
});
