import { describe, expect, it } from "vitest";
import { MinuteCounts } from "~/domain/detection/minute-counts";

/** The same counts kept in a Map, as the detector kept them before: the reference, as a sorted multiset. */
function reference(adds: [number, number][], max: number): number[] {
  const m = new Map<number, number>();
  for (const [minute, n] of adds) {
    const c = m.get(minute);
    if (c !== undefined) m.set(minute, c + n);
    else if (m.size < max) m.set(minute, n);
  }
  return [...m.values()].sort((a, b) => a - b);
}
const sorted = (c: MinuteCounts) => [...c.values()].sort((a, b) => a - b);

describe("MinuteCounts", () => {
  it("appends minutes in order and merges a repeated minute", () => {
    const c = new MinuteCounts(10);
    c.add(5, 2);
    c.add(6, 1);
    c.add(6, 3);
    c.add(9, 1);
    expect([...c.values()]).toEqual([2, 4, 1]);
    expect(c.size).toBe(3);
  });

  it("adds a late minute to the one held, and keeps a late unseen one apart", () => {
    const c = new MinuteCounts(10);
    for (const m of [10, 12, 15]) c.add(m, 1);
    c.add(12, 5); // late, held
    c.add(11, 7); // late, unseen
    c.add(3, 2); // before every other
    c.add(11, 1); // late again
    expect(sorted(c)).toEqual([1, 1, 2, 6, 8]);
    expect(c.size).toBe(5);
  });

  it("counts a log written newest first", () => {
    const c = new MinuteCounts(100_000);
    for (let m = 50_000; m > 0; m--) c.add(m, 1 + (m % 3));
    c.add(25_000, 10);
    expect(c.size).toBe(50_000);
    expect(c.values().reduce((a, b) => a + b, 0)).toBe(10 + Array.from({ length: 50_000 }, (_, i) => 1 + ((i + 1) % 3)).reduce((a, b) => a + b, 0));
  });

  it("counts no minute beyond its bound, but still adds to the ones it holds", () => {
    const c = new MinuteCounts(2);
    c.add(1, 1);
    c.add(2, 1);
    c.add(3, 1); // a third minute: dropped
    c.add(0, 1); // a late third minute: dropped
    c.add(2, 4);
    expect([...c.values()]).toEqual([1, 5]);
    const late = new MinuteCounts(2);
    late.add(5, 1);
    late.add(3, 1); // late, held apart
    late.add(4, 1); // a third minute, late: dropped
    late.add(6, 1); // a third minute, in order: dropped
    late.add(3, 2);
    expect(sorted(late)).toEqual([1, 3]);
  });

  it("agrees with a Map of minutes on a shuffled stream", () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const max of [3, 50, 1000]) {
      const adds: [number, number][] = [];
      let minute = 0;
      for (let i = 0; i < 2000; i++) {
        minute += Math.floor(rand() * 3); // gaps, so late minutes are often unseen ones
        adds.push([rand() < 0.05 ? Math.floor(rand() * minute) : minute, 1 + Math.floor(rand() * 3)]);
      }
      const c = new MinuteCounts(max);
      for (const [m, n] of adds) c.add(m, n);
      // The percentile reads the counts as a multiset.
      expect(sorted(c)).toEqual(reference(adds, max));
    }
  });
});
