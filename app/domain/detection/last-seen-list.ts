// Entries in last-seen order with O(1) moves (pure): a Map from key to entry, the entries forming a
// doubly linked list whose front is the least recently seen. Seeing an entry again moves it to the back
// without allocating; expiry and caps drop from the front. The detection rules' subject stores and
// distinct-key windows keep their per-import state this way.

export type Linked<N> = { key: string; prev: N | null; next: N | null };
/** An entry that records when it was last seen (the windows' entries). */
export type TimedEntry = { key: string; ts: number; prev: TimedEntry | null; next: TimedEntry | null };

export class LastSeenList<N extends Linked<N>> {
  private readonly map = new Map<string, N>();
  head: N | null = null;
  tail: N | null = null;

  get(key: string): N | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  get size(): number {
    return this.map.size;
  }

  /** Adds a new entry at the back. */
  add(n: N): void {
    n.prev = this.tail;
    n.next = null;
    if (this.tail !== null) this.tail.next = n;
    else this.head = n;
    this.tail = n;
    this.map.set(n.key, n);
  }

  /** Moves an entry of this list to the back (seen again). */
  moveToBack(n: N): void {
    if (n === this.tail) return;
    // Not the back, so it has a successor.
    const next = n.next as N;
    next.prev = n.prev;
    if (n.prev !== null) n.prev.next = next;
    else this.head = next;
    n.prev = this.tail;
    n.next = null;
    (this.tail as N).next = n;
    this.tail = n;
  }

  remove(n: N): void {
    this.map.delete(n.key);
    if (n.prev !== null) n.prev.next = n.next;
    else this.head = n.next;
    if (n.next !== null) n.next.prev = n.prev;
    else this.tail = n.prev;
    n.prev = null;
    n.next = null;
  }
}

/** Drops entries from the front while they were last seen at or before `cutoff` (a window's expiry), telling `onDrop` of each. */
export function dropThrough<N extends Linked<N> & { ts: number }>(list: LastSeenList<N>, cutoff: number, onDrop?: (n: N) => void): void {
  let n = list.head;
  while (n !== null && n.ts <= cutoff) {
    list.remove(n);
    onDrop?.(n);
    n = list.head;
  }
}

/** The entry of `key` seen again at `now`: its touch time moved on (never back), and the entry to the back; undefined when absent. */
export function seenAgain<N extends Linked<N> & { touchedAt: number }>(list: LastSeenList<N>, key: string, now: number): N | undefined {
  const n = list.get(key);
  if (n !== undefined) {
    if (now > n.touchedAt) n.touchedAt = now;
    list.moveToBack(n);
  }
  return n;
}
