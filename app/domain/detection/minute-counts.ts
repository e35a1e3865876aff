// Requests per minute of one credential over an import (pure), for its rate percentile (the baseline that
// rate_burst compares against). Minutes are kept in ascending order beside their counts: events come in
// time order, so a new minute is appended to two arrays of numbers, and a minute that comes late (an
// out-of-order line) is found by binary search and merged in place. Cheaper than a Map entry per minute,
// with the same counts.

export class MinuteCounts {
  private readonly minutes: number[] = [];
  private readonly counts: number[] = [];
  /** At most `max` distinct minutes: a minute beyond them is not counted. */
  constructor(private readonly max: number) {}

  add(minute: number, n: number): void {
    const ms = this.minutes;
    const last = ms.length - 1;
    if (last < 0 || minute > ms[last]) {
      if (ms.length < this.max) {
        ms.push(minute);
        this.counts.push(n);
      }
      return;
    }
    let lo = 0;
    let hi = last;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ms[mid] < minute) lo = mid + 1;
      else if (ms[mid] > minute) hi = mid - 1;
      else {
        this.counts[mid] += n;
        return;
      }
    }
    if (ms.length < this.max) {
      ms.splice(lo, 0, minute);
      this.counts.splice(lo, 0, n);
    }
  }

  /** The count of each minute, in minute order. */
  values(): readonly number[] {
    return this.counts;
  }

  get size(): number {
    return this.minutes.length;
  }
}
