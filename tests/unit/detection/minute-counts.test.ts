import { describe, expect, it } from "vitest";
import { MinuteCounts } from "~/domain/detection/minute-counts";

/** The same counts kept in a Map, as the detector kept them before: the reference. */
function reference(adds: [number, number][], max: number): number[] {
  const m = new Map<number, number>();
  for (const [minute, n] of adds) {
    const c = m.get(minute);
    if (c !== undefined) m.set(minute, c + n);
    else if (m.size < max) m.set(minute, n);
  }
  return [...m].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
}

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

  it("merges a late minute in place and inserts an unseen one in order", () => {
    const c = new MinuteCounts(10);
    for (const m of [10, 12, 15]) c.add(m, 1);
    c.add(12, 5); // late, seen
    c.add(11, 7); // late, unseen
    c.add(3, 2); // before every other
    expect([...c.values()]).toEqual([2, 1, 7, 6, 1]);
  });

  it("counts no minute beyond its bound, but still adds to the ones it holds", () => {
    const c = new MinuteCounts(2);
    c.add(1, 1);
    c.add(2, 1);
    c.add(3, 1); // a third minute: dropped
    c.add(0, 1); // a late third minute: dropped
    c.add(2, 4);
    expect([...c.values()]).toEqual([1, 5]);
  });

  it("agrees with a Map of minutes on a shuffled stream", () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const max of [3, 50, 1000]) {
      const adds: [number, number][] = [];
      let minute = 0;
      for (let i = 0; i < 2000; i++) {
        minute += rand() < 0.7 ? 0 : 1;
        adds.push([rand() < 0.05 ? Math.floor(rand() * minute) : minute, 1 + Math.floor(rand() * 3)]);
      }
      const c = new MinuteCounts(max);
      for (const [m, n] of adds) c.add(m, n);
      // The percentile reads the counts as a multiset: compared in minute order here, which is stricter.
      expect([...c.values()]).toEqual(reference(adds, max));
    }
  });
});
