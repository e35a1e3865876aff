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

/** The last `capacity` samples, oldest first; entries are overwritten in place once the ring is full. */
export class SampleRing {
  private readonly items: Sample[] = [];
  private start = 0;
  private len = 0;
  constructor(private readonly capacity: number) {}

  /** Appends the event's sample; `path` may be passed already interned by the caller. */
  push(e: DetectionEvent, strings: Interner, path: string = strings.intern(e.path)): void {
    let s: Sample;
    const n = this.items.length;
    // A group's requests mostly repeat the previous one's address and user agent: reuse its strings.
    const prev = this.len > 0 ? this.items[(this.start + this.len - 1) % n] : null;
    const method = prev !== null && prev.method === e.method ? prev.method : strings.intern(e.method);
    const srcIp = prev !== null && prev.srcIp === e.srcIp ? prev.srcIp : strings.intern(e.srcIp);
    const userAgent = prev !== null && prev.userAgent === e.userAgent ? prev.userAgent : strings.intern(e.userAgent);
    if (this.len < n) {
      s = this.items[(this.start + this.len) % n];
      this.len++;
    } else if (n < this.capacity) {
      // Growing (the first `capacity` pushes, or after drops): the new entry goes after the newest.
      s = { ts: 0, method: "", path: "", status: 0, srcIp: null, userAgent: null };
      if (this.start === 0) this.items.push(s);
      else this.items.splice(this.start++, 0, s);
      this.len++;
    } else {
      s = this.items[this.start];
      this.start = (this.start + 1) % n;
    }
    s.ts = e.ts;
    s.method = method;
    s.path = path;
    s.status = e.status;
    s.srcIp = srcIp;
    s.userAgent = userAgent;
  }

  /** Drops samples at or before `cutoff` from the front. */
  dropUntil(cutoff: number): void {
    while (this.len > 0 && this.items[this.start].ts <= cutoff) {
      this.start = (this.start + 1) % this.items.length;
      this.len--;
    }
  }

  /** Timestamp of the oldest sample, or null. */
  oldest(): number | null {
    return this.len > 0 ? this.items[this.start].ts : null;
  }

  size(): number {
    return this.len;
  }

  /** Copies, oldest first (for a finding). */
  toArray(): Sample[] {
    const out: Sample[] = [];
    for (let i = 0; i < this.len; i++) {
      const s = this.items[(this.start + i) % this.items.length];
      out.push({ ts: s.ts, method: s.method, path: s.path, status: s.status, srcIp: s.srcIp, userAgent: s.userAgent });
    }
    return out;
  }
}
