// Bounded window state for the detection rules (pure; time is the events' ts, never the wall clock).
//
// - SubjectStore: per-subject state (a credential, a source IP, …) kept in least-recently-touched order,
//   so idle subjects are dropped from the front in amortised O(1) and a hard cap evicts the oldest first.
// - DistinctLeakyBucket: CrowdSec's leaky bucket with a `distinct` filter, per subject.
// - SlidingWindowCounter: requests and distinct keys per subject within a sliding window.
// - DistinctWindow: distinct keys within a sliding window for one subject (a LastSeenList).
// - FiringGate: "fire when first crossed, then at most once per window per subject, or on escalation".

import { dropThrough, LastSeenList, seenAgain, type TimedEntry } from "./last-seen-list";
import { Interner } from "./interner";
import { MAX_SUBJECTS, advanceClock, type RuleSpaces, type SubjectSpace, type Subjects, type SweepLimit } from "./subject-space";
import { SEVERITY_ORDER, type Severity } from "./types";

export { MAX_SUBJECTS };

export type SubjectStoreOptions = {
  /** A subject untouched for longer than this (in event time) is forgotten. */
  idleMs: number;
  /** Hard cap on tracked subjects; the least recently touched goes first. */
  maxSubjects?: number;
  /** How far the clock of the idle sweep may run (the engine's, while it runs a batch grouped by credential). */
  limit?: SweepLimit;
};

/** What the window helpers take from a rule's options: its cap, and the engine's spaces (their sweep limit). */
export type StoreOptions = { maxSubjects?: number; spaces?: RuleSpaces };

/** A subject's entry: its state, when last touched (event time, never lowered), and its place in touch order. */
type Slot<S> = { key: string; state: S; touchedAt: number; prev: Slot<S> | null; next: Slot<S> | null };

/**
 * Per-subject state in least-recently-touched order (a LastSeenList: the front is the least recently
 * touched): a touch moves the subject to the back in O(1), with no allocation once the subject exists.
 * `touch()` drops idle subjects from the front (at most 4 per touch, so no single event pays for a long
 * quiet spell) and enforces the cap.
 */
export class SubjectStore<S> implements Subjects<S> {
  private readonly slots = new LastSeenList<Slot<S>>();
  private readonly idleMs: number;
  private readonly max: number;
  private readonly limit: SweepLimit | undefined;
  private clock = -Infinity;

  constructor(opts: SubjectStoreOptions) {
    this.idleMs = opts.idleMs;
    this.max = Math.max(1, opts.maxSubjects ?? MAX_SUBJECTS);
    this.limit = opts.limit;
  }

  /** The subject's state, created by `init` when absent or forgotten; marks it touched at `now`. */
  touch(subject: string, now: number, init: () => S): S {
    this.clock = advanceClock(this.clock, now, this.limit);
    const slots = this.slots;
    let slot = seenAgain(slots, subject, now);
    if (slot === undefined) {
      slot = { key: subject, state: init(), touchedAt: now, prev: null, next: null };
      slots.add(slot);
    }
    if ((slots.head as Slot<S>).touchedAt < this.clock - this.idleMs) this.sweep(4);
    while (slots.size > this.max) slots.remove(slots.head as Slot<S>);
    return slot.state;
  }

  get(subject: string): S | undefined {
    return this.slots.get(subject)?.state;
  }

  delete(subject: string): void {
    const slot = this.slots.get(subject);
    if (slot !== undefined) this.slots.remove(slot);
  }

  /** Number of tracked subjects (test hook for the memory bound). */
  size(): number {
    return this.slots.size;
  }

  /** Drops up to `budget` idle subjects from the front (all of them with Infinity). */
  sweep(budget = Infinity): void {
    const cutoff = this.clock - this.idleMs;
    let n = 0;
    while (n < budget) {
      const slot = this.slots.head;
      if (slot === null || slot.touchedAt >= cutoff) break;
      this.slots.remove(slot);
      n++;
    }
  }
}

/**
 * Distinct keys within a sliding window, ordered by last seen (oldest first), with a size cap (a
 * LastSeenList: seeing a key again moves it to the back in O(1), and expiry drops keys from the front).
 */
export class DistinctWindow {
  private readonly seen = new LastSeenList<TimedEntry>();
  constructor(
    private readonly windowMs: number,
    private readonly maxKeys: number,
  ) {}

  /** Records `key` at `now`; returns true when it was not in the window before. */
  add(key: string, now: number): boolean {
    this.evict(now);
    const seen = this.seen;
    // Seen last already (a credential calling one endpoint over and over): no lookup, and nothing moves.
    const back = seen.tail;
    const node = back !== null && back.key === key ? back : seen.get(key);
    if (node !== undefined) {
      if (now > node.ts) node.ts = now;
      seen.moveToBack(node);
      return false;
    }
    seen.add({ key, ts: now, prev: null, next: null });
    while (seen.size > this.maxKeys) seen.remove(seen.head as TimedEntry);
    return true;
  }

  has(key: string): boolean {
    return this.seen.has(key);
  }

  evict(now: number): void {
    dropThrough(this.seen, now - this.windowMs);
  }

  size(): number {
    return this.seen.size;
  }

  keys(): string[] {
    const out: string[] = [];
    for (let n = this.seen.head; n !== null; n = n.next) out.push(n.key);
    return out;
  }

  /** Timestamp of the oldest key still in the window. */
  oldest(): number | null {
    return this.seen.head !== null ? this.seen.head.ts : null;
  }
}

// ---- Leaky bucket with distinct keys (CrowdSec `type: leaky` + `distinct`) ----

export type LeakyBucketParams = {
  /** Overflow when the level exceeds this. */
  capacity: number;
  /** One unit leaks every `leakMs` (continuously: the level drops by elapsed / leakMs). */
  leakMs: number;
  /** Distinct keys remembered per bucket at most (oldest forgotten first; they may count again). */
  maxKeys?: number;
};

export type BucketState<T> = {
  level: number;
  updatedAt: number;
  /** When the current burst started (the bucket was last empty). */
  startedAt: number;
  /** Distinct keys poured since the bucket was last empty: when, and what the caller attached. */
  keys: Map<string, { ts: number; payload: T }>;
};

export type PourResult = {
  /** False when the key was already in the bucket (the distinct filter dropped it). */
  added: boolean;
  level: number;
  overflow: boolean;
  /** Distinct keys poured in the current burst, and when it started. */
  distinct: number;
  startedAt: number;
};

/**
 * One CrowdSec-style leaky bucket per subject: each distinct key pours one unit, the bucket leaks one unit
 * every `leakMs`, and it overflows when its level exceeds `capacity`. A key already in the bucket adds
 * nothing. When the bucket has drained empty it is reset (its distinct keys forgotten), as CrowdSec
 * discards an empty bucket; a key is also forgotten once its own unit must have leaked
 * ((capacity + 1) × leakMs after it was poured), so a slow trickle of new keys cannot grow memory.
 */
export class DistinctLeakyBucket<T = undefined> {
  private readonly store: SubjectStore<BucketState<T>>;
  private readonly maxKeys: number;
  private readonly keyTtl: number;

  constructor(
    private readonly params: LeakyBucketParams,
    opts: StoreOptions = {},
  ) {
    this.maxKeys = params.maxKeys ?? Math.max(64, params.capacity * 8);
    this.keyTtl = (params.capacity + 1) * params.leakMs;
    // A bucket is idle (and empty) once everything it can hold has leaked.
    this.store = new SubjectStore<BucketState<T>>({ idleMs: this.keyTtl * 4, maxSubjects: opts.maxSubjects, limit: opts.spaces?.limit });
  }

  pour(subject: string, key: string, now: number, payload?: T): PourResult {
    const b = this.store.touch(subject, now, () => ({ level: 0, updatedAt: now, startedAt: now, keys: new Map() }));
    const elapsed = Math.max(0, now - b.updatedAt);
    // A non-positive leak interval would divide by zero: such a bucket does not leak.
    b.level = this.params.leakMs > 0 ? Math.max(0, b.level - elapsed / this.params.leakMs) : b.level;
    b.updatedAt = Math.max(b.updatedAt, now);
    if (b.level === 0) {
      b.keys.clear();
      b.startedAt = now;
    } else {
      const cutoff = now - this.keyTtl;
      for (const [k, v] of b.keys) {
        if (v.ts > cutoff) break;
        b.keys.delete(k);
      }
    }
    const added = !b.keys.has(key);
    if (added) {
      b.keys.set(key, { ts: now, payload: payload as T });
      while (b.keys.size > this.maxKeys) b.keys.delete(b.keys.keys().next().value as string);
      b.level += 1;
    }
    return { added, level: b.level, overflow: b.level > this.params.capacity, distinct: b.keys.size, startedAt: b.startedAt };
  }

  /** What was attached to the distinct keys currently in a subject's bucket, oldest first (for samples). */
  payloadsOf(subject: string): T[] {
    const b = this.store.get(subject);
    return b ? [...b.keys.values()].map((v) => v.payload) : [];
  }

  size(): number {
    return this.store.size();
  }
}

// ---- Sliding window: requests and distinct keys per subject ----

export type WindowState = {
  /** Event timestamps in the window and the key of each: a ring (`start`, `len`) that grows by doubling. */
  ts: number[];
  keys: string[];
  start: number;
  len: number;
  /** Distinct keys, once the count has passed `distinctAbove` (null before). */
  distinct: DistinctWindow | null;
};

/** Index of the ring's i-th entry (0: the oldest) in arrays of length `cap`. */
const ringAt = (w: WindowState, i: number, cap: number) => (w.start + i < cap ? w.start + i : w.start + i - cap);
/** Drops the ring's oldest entry. */
function dropOldest(w: WindowState, cap: number) {
  if (++w.start === cap) w.start = 0;
  w.len--;
}

/** `distinct` is -1 while the count has not passed the counter's `distinctAbove`. */
export type WindowCount = { count: number; distinct: number; since: number };

/**
 * Requests and distinct keys per subject within a sliding window of `windowMs`. The timestamp queue keeps at
 * most `maxEvents` per subject (the oldest dropped beyond it): counts are exact up to that cap, which must
 * exceed any threshold compared against them.
 *
 * `distinctAbove` (below `maxEvents`): distinct keys are only needed once the count passes it (a sweep is
 * many requests AND many paths), so until then the counter only queues each event's key as given; when the
 * count first passes it, the queue still holds every event of the window and the distinct keys are built
 * from it (`keyOf` applied), then kept up to date. Quiet subjects pay one array push per event instead of a
 * Map update, and no normalising of their keys; the queue holds the keys as given (at most maxEvents per
 * subject), the distinct windows one interned string per distinct key.
 */
export class SlidingWindowCounter {
  private readonly store: Subjects<WindowState>;
  private readonly distinctAbove: number;
  /** One string per distinct key in the distinct windows. */
  private readonly strings = new Interner();

  constructor(
    private readonly windowMs: number,
    private readonly opts: { maxEvents: number; maxKeys: number; maxSubjects?: number; distinctAbove?: number; subjects?: SubjectSpace; limit?: SweepLimit; keyOf?: (raw: string) => string },
  ) {
    // `subjects`: a space shared with other rules (its cap applies); else a store of its own.
    this.store = opts.subjects ? opts.subjects.view<WindowState>(windowMs) : new SubjectStore<WindowState>({ idleMs: windowMs, maxSubjects: opts.maxSubjects, limit: opts.limit });
    this.distinctAbove = Math.min(opts.distinctAbove ?? -1, opts.maxEvents - 1);
  }

  /** add()'s answer, one object reused (read it before the next add). */
  private readonly result: WindowCount = { count: 0, distinct: 0, since: 0 };
  private readonly init = (): WindowState => ({ ts: [], keys: [], start: 0, len: 0, distinct: null });

  /** The key a queued one counts as among the distinct keys. */
  private keyFor(raw: string): string {
    return this.strings.intern(this.opts.keyOf ? this.opts.keyOf(raw) : raw);
  }

  add(subject: string, rawKey: string, now: number): WindowCount {
    const w = this.store.touch(subject, now, this.init);
    const cutoff = now - this.windowMs;
    let cap = w.ts.length;
    while (w.len > 0 && w.ts[w.start] <= cutoff) dropOldest(w, cap);
    if (w.len === cap) {
      // Full: double the ring, oldest first from index 0 (never beyond what the cap of events needs).
      const next = Math.max(8, Math.min(cap * 2, this.opts.maxEvents + 1));
      const ts = new Array<number>(next);
      const keys = new Array<string>(next);
      for (let i = 0; i < w.len; i++) {
        const j = ringAt(w, i, cap);
        ts[i] = w.ts[j];
        keys[i] = w.keys[j];
      }
      w.ts = ts;
      w.keys = keys;
      w.start = 0;
      cap = next;
    }
    const at = ringAt(w, w.len, cap);
    w.ts[at] = now;
    w.keys[at] = rawKey;
    w.len++;
    if (w.len > this.opts.maxEvents) dropOldest(w, cap);
    const count = w.len;
    if (w.distinct !== null) w.distinct.add(this.keyFor(rawKey), now);
    else if (count > this.distinctAbove) {
      // Every event of the window is still queued (the count has not reached maxEvents): replay them.
      w.distinct = new DistinctWindow(this.windowMs, this.opts.maxKeys);
      for (let i = 0; i < w.len; i++) {
        const j = ringAt(w, i, cap);
        w.distinct.add(this.keyFor(w.keys[j]), w.ts[j]);
      }
    }
    const r = this.result;
    r.count = count;
    r.distinct = w.distinct !== null ? w.distinct.size() : -1;
    r.since = w.ts[w.start];
    return r;
  }

  size(): number {
    return this.store.size();
  }
}

// ---- Repeat firings ----

/**
 * Lets a rule fire for a subject when its threshold is first crossed, then at most once per `windowMs`,
 * or sooner when the severity escalates.
 */
export class FiringGate {
  private readonly store: SubjectStore<{ at: number; severity: Severity }>;

  constructor(
    private readonly windowMs: number,
    opts: StoreOptions = {},
  ) {
    this.store = new SubjectStore({ idleMs: windowMs, maxSubjects: opts.maxSubjects, limit: opts.spaces?.limit });
  }

  /** True (and recorded) when a finding of `severity` for `subject` at `now` should be emitted. */
  allow(subject: string, severity: Severity, now: number): boolean {
    const last = this.store.get(subject);
    if (last && now - last.at < this.windowMs && SEVERITY_ORDER[severity] <= SEVERITY_ORDER[last.severity]) return false;
    const s = this.store.touch(subject, now, () => ({ at: now, severity }));
    s.at = now;
    s.severity = severity;
    return true;
  }

  size(): number {
    return this.store.size();
  }
}

/** "1 per 10 s" for summaries. */
export function describeLeak(leakMs: number): string {
  return `leaking 1 per ${describeDuration(leakMs)}`;
}

/** An observed span, rounded for people ("0 s", "42 s", "3 min", "2 h"). */
export function describeSpan(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}

/** A duration in the largest whole unit that fits ("10 s", "30 min", "1 h", "10 days"). */
export function describeDuration(ms: number): string {
  if (ms % 86_400_000 === 0) return ms === 86_400_000 ? "1 day" : `${ms / 86_400_000} days`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}
