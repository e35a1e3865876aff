// Bounded string caches for the detection rules (pure).
// - Interner: one canonical copy of each recently seen string. Rules that keep evidence (a sample's path,
//   address, user agent) across an import store the canonical copy, not the event's: a repeated value is
//   one string however many events carry it, and no event's strings outlive it long enough for the
//   garbage collector to promote them.
// - PrefixedKeys: subject keys such as "key:<ref>", built once per distinct value.

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

/** `prefix + value`, built once per distinct value rather than once per event (bounded: cleared when full). */
export class PrefixedKeys {
  private readonly map = new Map<string, string>();
  constructor(
    private readonly prefix: string,
    private readonly max = 4096,
  ) {}

  of(value: string): string {
    let k = this.map.get(value);
    if (k === undefined) {
      if (this.map.size >= this.max) this.map.clear();
      k = this.prefix + value;
      this.map.set(value, k);
    }
    return k;
  }
}
