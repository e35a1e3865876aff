// error_burst: one credential getting many distinct paths answered 400/403/404/405 in a short time
// (CrowdSec's http-probing, per credential). A leaky bucket per credential: each distinct path pours one
// unit, one unit leaks every `leakMs`, more than `capacity` in the bucket is a finding (medium; high past
// `highMultiplier` × capacity). Events without a credential are left to ip_probe.

import { DistinctLeakyBucket, FiringGate, describeLeak, describeSpan, type StoreOptions } from "./leaky-bucket";
import { pathOnly } from "./path-shape";
import { NO_FINDINGS, sampleOf, type DetectionEvent, type Finding, type Rule, type RuleContext, type RuleModule, type Severity } from "./types";

/** The answers a prober gets: bad request, forbidden, not found, method not allowed. */
export const PROBE_STATUSES: ReadonlySet<number> = new Set([400, 403, 404, 405]);
export const SAMPLE_SIZE = 10;

const defaults = {
  capacity: 5, // overflow when more than 5 distinct error paths are in the bucket
  leakMs: 10_000, // one leaks every 10 s
  highMultiplier: 3, // high when more than 3 × capacity
  repeatWindowMs: 600_000, // a repeat finding for the same credential at most every 10 min (unless escalating)
} as const;

export type ErrorBurstRule = Rule & { trackedSubjects(): number };

export function createErrorBurst(opts: StoreOptions = {}): ErrorBurstRule {
  let state: { bucket: DistinctLeakyBucket<DetectionEvent>; gate: FiringGate } | null = null;
  return {
    id: "error_burst",
    trackedSubjects: () => state?.bucket.size() ?? 0,
    observe(event: DetectionEvent, ctx: RuleContext): Finding[] {
      if (event.credentialId === null || !PROBE_STATUSES.has(event.status)) return NO_FINDINGS;
      const s = ctx.settings;
      state ??= {
        bucket: new DistinctLeakyBucket<DetectionEvent>({ capacity: s.capacity, leakMs: s.leakMs }, opts),
        gate: new FiringGate(s.repeatWindowMs, opts),
      };
      const r = state.bucket.pour(event.credentialId, pathOnly(event.path), event.ts, event);
      if (!r.added || !r.overflow) return NO_FINDINGS;
      const severity: Severity = r.level > s.capacity * s.highMultiplier ? "high" : "medium";
      if (!state.gate.allow(event.credentialId, severity, event.ts)) return NO_FINDINGS;
      const threshold = severity === "high" ? `more than ${s.capacity * s.highMultiplier} for high` : `more than ${s.capacity}`;
      return [
        {
          rule: "error_burst",
          severity,
          credentialId: event.credentialId,
          srcIp: event.srcIp,
          keyRef: event.keyRef,
          ts: event.ts,
          summary: `${r.distinct} distinct paths answered 400/403/404/405 within ${describeSpan(event.ts - r.startedAt)} for this credential (threshold: ${threshold}, ${describeLeak(s.leakMs)})`,
          sample: state.bucket.payloadsOf(event.credentialId).slice(-SAMPLE_SIZE).map(sampleOf),
          windowMs: s.repeatWindowMs,
        },
      ];
    },
  };
}

export const rule: RuleModule = {
  id: "error_burst",
  stateBy: "credential",
  description: "Distinct paths answered 400/403/404/405 for one credential, in a leaky bucket (more than 5, leaking 1 per 10 s).",
  defaults,
  create: (spaces) => createErrorBurst({ spaces }),
};
