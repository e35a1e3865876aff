// rate_burst: requests per credential per calendar minute (buckets of event.ts) far above the credential's
// own habit: more than 5 × baseline.ratePerMinuteP99 AND more than 120 → medium. Without a baseline (a new
// credential, or no p99 yet) only the absolute threshold counts: more than 600 in a minute. Events a little
// out of order count in their own minute as long as it is the current or the previous one.

import { FiringGate, describeDuration, type StoreOptions } from "./leaky-bucket";
import { spacesOf, type Subjects } from "./subject-space";
import { NO_FINDINGS, sampleOf, type DetectionEvent, type Finding, type Rule, type RuleContext, type RuleModule } from "./types";

const MINUTE = 60_000;

const defaults = {
  multiplier: 5, // more than 5 × the baseline p99 …
  minPerMinute: 120, // … and more than 120 per minute
  noBaselinePerMinute: 600, // without a baseline: more than 600 per minute
  repeatWindowMs: 600_000, // a repeat finding for the same credential at most every 10 min
} as const;

type Subject = { minute: number; count: number; prevMinute: number; prevCount: number; first: DetectionEvent | null };

export type RateBurstRule = Rule & { trackedSubjects(): number };

/** A subject's minutes are set by its first event. */
const newSubject = (): Subject => ({ minute: Number.NaN, count: 0, prevMinute: Number.NaN, prevCount: 0, first: null });

export function createRateBurst(opts: StoreOptions = {}): RateBurstRule {
  const spaces = spacesOf(opts);
  let state: { subjects: Subjects<Subject>; gate: FiringGate } | null = null;
  return {
    id: "rate_burst",
    trackedSubjects: () => state?.subjects.size() ?? 0,
    observe(event: DetectionEvent, ctx: RuleContext): Finding[] {
      const id = event.credentialId;
      if (id === null) return NO_FINDINGS;
      const s = ctx.settings;
      state ??= { subjects: spaces.credentials.view<Subject>(2 * MINUTE), gate: new FiringGate(s.repeatWindowMs, opts) };
      const minute = Math.floor(event.ts / MINUTE);
      const subj = state.subjects.touch(id, event.ts, newSubject);
      if (Number.isNaN(subj.minute)) {
        subj.minute = minute;
        subj.prevMinute = minute - 1;
      }
      let count: number;
      if (minute === subj.minute) count = ++subj.count;
      else if (minute > subj.minute) {
        subj.prevMinute = subj.minute;
        subj.prevCount = subj.count;
        subj.minute = minute;
        subj.count = 1;
        subj.first = event;
        count = 1;
      } else if (minute === subj.prevMinute) count = ++subj.prevCount;
      else return NO_FINDINGS;
      if (count === 1 && subj.first === null) subj.first = event;

      // Every threshold is at least min(minPerMinute, noBaselinePerMinute): below it, no baseline lookup.
      if (count <= Math.floor(Math.min(s.minPerMinute, s.noBaselinePerMinute))) return NO_FINDINGS;
      const p99 = ctx.baseline(id)?.ratePerMinuteP99 ?? null;
      const threshold = p99 === null ? s.noBaselinePerMinute : Math.max(s.multiplier * p99, s.minPerMinute);
      // Fire when the minute first crosses its threshold (not on every later event of the burst).
      if (count !== Math.floor(threshold) + 1) return NO_FINDINGS;
      if (!state.gate.allow(id, "medium", event.ts)) return NO_FINDINGS;
      const why =
        p99 === null
          ? `no baseline yet, threshold: more than ${s.noBaselinePerMinute} per minute`
          : `threshold: more than ${s.multiplier} × its usual peak of ${p99} per minute (99th percentile) and more than ${s.minPerMinute}`;
      const minuteStart = new Date(minute * MINUTE).toISOString().slice(0, 16).replace("T", " ");
      return [
        {
          rule: "rate_burst",
          severity: "medium",
          credentialId: id,
          srcIp: event.srcIp,
          keyRef: event.keyRef,
          ts: event.ts,
          summary: `${count} requests with this credential in the minute starting ${minuteStart} UTC (${why}; repeat findings at most every ${describeDuration(s.repeatWindowMs)})`,
          sample: [...(subj.first && subj.first !== event && minute === subj.minute ? [sampleOf(subj.first)] : []), sampleOf(event)],
          windowMs: s.repeatWindowMs,
        },
      ];
    },
  };
}

export const rule: RuleModule = {
  id: "rate_burst",
  stateBy: "credential",
  description: "Requests per credential per minute: more than 5 × its baseline p99 and more than 120; without a baseline, more than 600.",
  defaults,
  create: (spaces) => createRateBurst({ spaces }),
};
