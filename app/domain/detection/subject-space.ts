// Per-subject state shared by the rules of one engine (pure; time is the events' ts). Most rules keep
// state per credential, and some per source address: each rule's own store would look the event's
// subject up again, and move it in its own least-recently-touched order. A SubjectSpace keeps one slot
// per subject, found once per event (the rules of an event ask for the same key, and the last slot is
// kept), in one touch order; each rule's view keeps its state at its own index in the slot.
//
// - A view forgets its state of a subject that view has not touched for longer than its idleMs (by the
//   subject's own event times): the next touch starts afresh, as a SubjectStore would after its sweep.
// - The space drops slots idle longer than the longest idleMs of its views, from the front of its touch
//   order (at most 4 per lookup), and holds at most maxSubjects slots (the least recently touched go).

import { LastSeenList, seenAgain } from "./last-seen-list";

/** Hard cap on tracked subjects per store or space (oldest first eviction). */
export const MAX_SUBJECTS = 100_000;

/**
 * The latest event time the stores' idle sweeps may go by (their clocks stop there). Unlimited while
 * events come in time order. While the engine runs a batch grouped by credential, an event of a later
 * credential may be earlier than those of the credentials before it; the engine then holds the clocks at
 * the batch's earliest event, so no sweep forgets what such an event still needs (a sweep only frees
 * memory: a rule's windows are kept by each subject's own event times).
 */
export type SweepLimit = { ts: number };

/** A store's clock moved on to `now`, as far as the limit allows (never back). */
export function advanceClock(clock: number, now: number, limit: SweepLimit | undefined): number {
  const to = limit !== undefined && limit.ts < now ? limit.ts : now;
  return to > clock ? to : clock;
}

/** Per-subject state as a rule uses it: a SubjectStore of its own, or its view of a shared SubjectSpace. */
export interface Subjects<S> {
  /** The subject's state, created by `init` when absent or forgotten; marks it touched at `now`. */
  touch(subject: string, now: number, init: () => S): S;
  /** The subject's state, if kept (a state idle past idleMs may be kept until its next touch or sweep). */
  get(subject: string): S | undefined;
  /** Number of tracked subjects (test hook for the memory bound). */
  size(): number;
}

type SpaceSlot = {
  key: string;
  touchedAt: number;
  prev: SpaceSlot | null;
  next: SpaceSlot | null;
  /** Each view's state (at the view's index), and when that view last touched it. */
  states: unknown[];
  touched: number[];
};

export class SubjectSpace {
  private readonly slots = new LastSeenList<SpaceSlot>();
  private readonly max: number;
  /** The longest idleMs of the views: a slot idle for longer holds no live state. */
  private idleMs = 0;
  private views = 0;
  /** The latest event time seen (held at the sweep limit). */
  private clock = -Infinity;
  /** The slot found last, and its key: the next rules of the same event ask for the same subject. */
  private lastKey: string | null = null;
  private last: SpaceSlot | null = null;

  private readonly limit: SweepLimit | undefined;

  constructor(opts: { maxSubjects?: number; limit?: SweepLimit } = {}) {
    this.max = Math.max(1, opts.maxSubjects ?? MAX_SUBJECTS);
    this.limit = opts.limit;
  }

  /** A rule's state per subject in this space, forgotten when that rule has not touched the subject for idleMs. */
  view<S>(idleMs: number): Subjects<S> {
    if (idleMs > this.idleMs) this.idleMs = idleMs;
    return new SubjectView<S>(this, this.views++, idleMs);
  }

  /** The subject's slot, created when absent; marks it touched at `now`. */
  slot(key: string, now: number): SpaceSlot {
    this.clock = advanceClock(this.clock, now, this.limit);
    const last = this.last;
    // Nothing else was touched since: the slot is still at the back of the order.
    if (last !== null && key === this.lastKey) {
      if (now > last.touchedAt) last.touchedAt = now;
      return last;
    }
    const slots = this.slots;
    let slot = seenAgain(slots, key, now);
    if (slot === undefined) {
      slot = { key, touchedAt: now, prev: null, next: null, states: [], touched: [] };
      slots.add(slot);
    }
    this.lastKey = key;
    this.last = slot;
    if ((slots.head as SpaceSlot).touchedAt < this.clock - this.idleMs) this.sweep(4);
    while (slots.size > this.max) this.remove(slots.head as SpaceSlot);
    return slot;
  }

  /** The subject's slot when it has one (not touched). */
  peek(key: string): SpaceSlot | undefined {
    if (this.last !== null && key === this.lastKey) return this.last;
    return this.slots.get(key);
  }

  size(): number {
    return this.slots.size;
  }

  private sweep(budget: number) {
    const cutoff = this.clock - this.idleMs;
    for (let n = 0; n < budget; n++) {
      const slot = this.slots.head;
      if (slot === null || slot.touchedAt >= cutoff) break;
      this.remove(slot);
    }
  }

  private remove(slot: SpaceSlot) {
    this.slots.remove(slot);
    if (slot === this.last) {
      this.last = null;
      this.lastKey = null;
    }
  }
}

/** One rule's state per subject of a SubjectSpace (the SubjectStore interface). */
class SubjectView<S> implements Subjects<S> {
  constructor(
    private readonly space: SubjectSpace,
    private readonly index: number,
    private readonly idleMs: number,
  ) {}

  touch(subject: string, now: number, init: () => S): S {
    const space = this.space;
    const slot = space.slot(subject, now);
    const i = this.index;
    let state = slot.states[i] as S | undefined;
    if (state === undefined || slot.touched[i] < now - this.idleMs) {
      state = init();
      setAt(slot.states, i, state, undefined);
      setAt(slot.touched, i, now, Number.NEGATIVE_INFINITY);
    } else if (now > slot.touched[i]) slot.touched[i] = now;
    return state;
  }

  get(subject: string): S | undefined {
    const slot = this.space.peek(subject);
    if (slot === undefined) return undefined;
    return slot.states[this.index] as S | undefined;
  }

  /** Subjects of the space (an upper bound of those this view holds state for). */
  size(): number {
    return this.space.size();
  }
}

/** Writes index i of a slot's array, filling any gap before it (the arrays stay packed). */
function setAt<T>(a: T[], i: number, v: T, gap: T) {
  while (a.length < i) a.push(gap);
  a[i] = v;
}

/** What the rules of one engine share: a space per credential (its id) and per source address, and the stores' sweep limit. */
export type RuleSpaces = { credentials: SubjectSpace; addresses: SubjectSpace; limit: SweepLimit };

export function createRuleSpaces(opts: { maxSubjects?: number } = {}): RuleSpaces {
  const limit = { ts: Number.POSITIVE_INFINITY };
  return { credentials: new SubjectSpace({ ...opts, limit }), addresses: new SubjectSpace({ ...opts, limit }), limit };
}

/** The engine's spaces, or a rule's own (a rule created alone, as in its unit tests). */
export function spacesOf(opts: { maxSubjects?: number; spaces?: RuleSpaces }): RuleSpaces {
  return opts.spaces ?? createRuleSpaces(opts);
}
