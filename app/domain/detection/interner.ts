// One canonical copy of each recently seen string (pure). Rules that keep evidence (a sample's path,
// address, user agent) across an import store the canonical copy, not the event's: a repeated value is one
// string however many events carry it, and no event's strings outlive it long enough for the garbage
// collector to promote them.

/** Bounded: cleared when full. */
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
