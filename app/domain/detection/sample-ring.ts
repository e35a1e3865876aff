// The last few events of a window as a flag's evidence, kept without holding on to the events themselves
// (pure). A rule that keeps "the last 10 requests of this group" for every subject would otherwise keep
// most of an import's event objects alive long enough for the garbage collector to promote them, which
// costs more than the rule's own work. A ring reuses its entries in place, and its strings go through an
// Interner, so a repeated path, address or user agent is one string however many events carry it.

import type { DetectionEvent } from "./types";

export type Sample = { ts: number; method: string; path: string; status: number; srcIp: string | null; userAgent: string | null };

/** One canonical copy of each recently seen string (bounded: cleared when full). */
export class Interner {
  private readonly map = new Map<string, string>();
  constructor(private readonly max = 4096) {}

  intern(s: string): string;
  intern(s: string | null): string | null;
  intern(s: string | null): string | null {
    if (s === null) return null;
    const hit = this.map.get(s);
    if (hit !== undefined) return hit;
    if (this.map.size >= this.max) this.map.clear();
    this.map.set(s, s);
    return s;
  }
}

/**
 * The last `capacity` samples, oldest first; entries are overwritten in place once the ring is full. Flat:
 * timestamps and statuses in one Float64Array, the four strings of each sample side by side in one array
 * (no object per sample), both allocated on the first push.
 */
export class SampleRing {
  /** [ts, status] per slot. */
  private nums: Float64Array | null = null;
  /** [method, path, srcIp, userAgent] per slot. */
  private refs: (string | null)[] = [];
  private start = 0;
  private len = 0;
  constructor(private readonly capacity: number) {}

  /** Appends the event's sample; `path` may be passed already interned by the caller. */
  push(e: DetectionEvent, strings: Interner, path: string = strings.intern(e.path)): void {
    const cap = this.capacity;
    if (cap <= 0) return;
    let nums = this.nums;
    if (nums === null) {
      nums = this.nums = new Float64Array(2 * cap);
      this.refs = new Array<string | null>(4 * cap).fill(null);
    }
    const refs = this.refs;
    let method: string;
    let srcIp: string | null;
    let userAgent: string | null;
    if (this.len > 0) {
      // A group's requests mostly repeat the previous one's method, address and user agent: reuse its strings.
      let p = this.start + this.len - 1;
      if (p >= cap) p -= cap;
      const pm = refs[4 * p] as string;
      const pi = refs[4 * p + 2];
      const pu = refs[4 * p + 3];
      method = pm === e.method ? pm : strings.intern(e.method);
      srcIp = pi === e.srcIp ? pi : strings.intern(e.srcIp);
      userAgent = pu === e.userAgent ? pu : strings.intern(e.userAgent);
    } else {
      method = strings.intern(e.method);
      srcIp = strings.intern(e.srcIp);
      userAgent = strings.intern(e.userAgent);
    }
    let at: number;
    if (this.len < cap) {
      at = this.start + this.len;
      if (at >= cap) at -= cap;
      this.len++;
    } else {
      at = this.start;
      if (++this.start === cap) this.start = 0;
    }
    nums[2 * at] = e.ts;
    nums[2 * at + 1] = e.status;
    refs[4 * at] = method;
    refs[4 * at + 1] = path;
    refs[4 * at + 2] = srcIp;
    refs[4 * at + 3] = userAgent;
  }

  /** Drops samples at or before `cutoff` from the front. */
  dropUntil(cutoff: number): void {
    const nums = this.nums;
    if (nums === null) return;
    while (this.len > 0 && nums[2 * this.start] <= cutoff) {
      if (++this.start === this.capacity) this.start = 0;
      this.len--;
    }
  }

  /** Timestamp of the oldest sample, or null. */
  oldest(): number | null {
    return this.len > 0 ? (this.nums as Float64Array)[2 * this.start] : null;
  }

  size(): number {
    return this.len;
  }

  /** Copies, oldest first (for a finding). */
  toArray(): Sample[] {
    const out: Sample[] = [];
    const nums = this.nums;
    if (nums === null) return out;
    const refs = this.refs;
    for (let i = 0; i < this.len; i++) {
      let k = this.start + i;
      if (k >= this.capacity) k -= this.capacity;
      out.push({ ts: nums[2 * k], method: refs[4 * k] as string, path: refs[4 * k + 1] as string, status: nums[2 * k + 1], srcIp: refs[4 * k + 2], userAgent: refs[4 * k + 3] });
    }
    return out;
  }
}
