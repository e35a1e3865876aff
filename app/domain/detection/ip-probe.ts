// ip_probe: one source address probing, whatever credential it presents (or none). Two signals:
// - a leaky bucket per source IP of distinct paths answered 400/403/404/405 (CrowdSec http-probing: more
//   than 10, leaking 1 per 10 s) → medium, high past `highMultiplier` × capacity;
// - a fuzzing sweep (Elastic): more than 500 requests AND more than 250 distinct paths from one address
//   within 10 min, whatever the answers → high.
// Memory: both states are per IP, dropped when idle and capped (oldest first) at `maxSubjects`.

import { PROBE_STATUSES, SAMPLE_SIZE } from "./error-burst";
import { DistinctLeakyBucket, FiringGate, SlidingWindowCounter, describeDuration, describeLeak, describeSpan, type StoreOptions } from "./leaky-bucket";
import { pathOnly } from "./path-shape";
import { spacesOf } from "./subject-space";
import { NO_FINDINGS, sampleOf, type DetectionEvent, type Finding, type Rule, type RuleContext, type RuleModule, type Severity } from "./types";

const defaults = {
  capacity: 10,
  leakMs: 10_000,
  highMultiplier: 3,
  sweepWindowMs: 600_000,
  sweepRequests: 500, // more than this many requests …
  sweepDistinctPaths: 250, // … and more than this many distinct paths within sweepWindowMs
  repeatWindowMs: 600_000,
} as const;

export type IpProbeRule = Rule & { trackedSubjects(): number };

type State = {
  bucket: DistinctLeakyBucket<DetectionEvent>;
  sweep: SlidingWindowCounter;
  gate: FiringGate;
  sweepGate: FiringGate;
};

/** The fields every ip_probe finding shares (built only when one fires). */
function baseOf(event: DetectionEvent, ip: string, windowMs: number) {
  return { rule: "ip_probe" as const, credentialId: event.credentialId, srcIp: ip, keyRef: event.keyRef, ts: event.ts, windowMs };
}

export function createIpProbe(opts: StoreOptions = {}): IpProbeRule {
  const spaces = spacesOf(opts);
  let state: State | null = null;
  return {
    id: "ip_probe",
    /** The most subjects any one of the rule's per-IP states tracks (test hook for the memory bound). */
    trackedSubjects: () => (state ? Math.max(state.bucket.size(), state.sweep.size(), state.gate.size(), state.sweepGate.size()) : 0),
    observe(event: DetectionEvent, ctx: RuleContext): Finding[] {
      if (event.srcIp === null || event.srcIp === "") return NO_FINDINGS;
      const s = ctx.settings;
      state ??= {
        bucket: new DistinctLeakyBucket<DetectionEvent>({ capacity: s.capacity, leakMs: s.leakMs }, opts),
        sweep: new SlidingWindowCounter(s.sweepWindowMs, { maxEvents: s.sweepRequests + 1, maxKeys: s.sweepDistinctPaths + 1, distinctAbove: s.sweepRequests, subjects: spaces.addresses, keyOf: pathOnly }),
        gate: new FiringGate(s.repeatWindowMs, opts),
        sweepGate: new FiringGate(s.repeatWindowMs, opts),
      };
      const ip = event.srcIp;
      let out: Finding[] = NO_FINDINGS;

      // The sweep counts the logged path; its distinct paths (without the query) only once it is busy.
      const w = state.sweep.add(ip, event.path, event.ts);
      if (w.count > s.sweepRequests && w.distinct > s.sweepDistinctPaths && state.sweepGate.allow(ip, "high", event.ts)) {
        if (out === NO_FINDINGS) out = [];
        out.push({
          ...baseOf(event, ip, s.repeatWindowMs),
          severity: "high",
          summary: `Sweep from ${ip}: ${w.count} requests to ${w.distinct} distinct paths within ${describeSpan(event.ts - w.since)} (threshold: more than ${s.sweepRequests} requests and more than ${s.sweepDistinctPaths} distinct paths in ${describeDuration(s.sweepWindowMs)})`,
          sample: [sampleOf(event)],
        });
      }

      if (PROBE_STATUSES.has(event.status)) {
        const r = state.bucket.pour(ip, pathOnly(event.path), event.ts, event);
        if (r.added && r.overflow) {
          const severity: Severity = r.level > s.capacity * s.highMultiplier ? "high" : "medium";
          if (state.gate.allow(ip, severity, event.ts)) {
            const threshold = severity === "high" ? `more than ${s.capacity * s.highMultiplier} for high` : `more than ${s.capacity}`;
            if (out === NO_FINDINGS) out = [];
            out.push({
              ...baseOf(event, ip, s.repeatWindowMs),
              severity,
              summary: `${r.distinct} distinct paths answered 400/403/404/405 within ${describeSpan(event.ts - r.startedAt)} from ${ip} (threshold: ${threshold}, ${describeLeak(s.leakMs)})`,
              sample: state.bucket.payloadsOf(ip).slice(-SAMPLE_SIZE).map(sampleOf),
            });
          }
        }
      }
      return out;
    },
  };
}

export const rule: RuleModule = {
  id: "ip_probe",
  stateBy: "address",
  description:
    "Distinct error paths per source IP in a leaky bucket (more than 10, leaking 1 per 10 s), or a sweep of more than 500 requests and 250 distinct paths in 10 min.",
  defaults,
  create: (spaces) => createIpProbe({ spaces }),
};
