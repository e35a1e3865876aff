// path_enumeration: one credential touching many distinct endpoints, or paths the catalog does not know,
// within an hour (a crawl of the API surface). The key is the catalog endpoint name when the path matched
// one (calling /v1/models/a/messages and /v1/models/b/messages is one endpoint), else the path itself
// (query string dropped). More than 20 distinct within 1 h → medium.

import { SAMPLE_SIZE } from "./error-burst";
import { DistinctWindow, FiringGate, describeDuration, describeSpan, type StoreOptions } from "./leaky-bucket";
import { spacesOf, type Subjects } from "./subject-space";
import { PrefixedKeys } from "./interner";
import { pathOnly } from "./path-shape";
import { NO_FINDINGS, sampleOf, type DetectionEvent, type Finding, type Rule, type RuleContext, type RuleModule } from "./types";

const defaults = {
  distinct: 20, // more than this many distinct endpoints / unknown paths …
  windowMs: 3_600_000, // … within 1 h
} as const;

type Subject = { keys: DistinctWindow; recent: DetectionEvent[] };

export type PathEnumerationRule = Rule & { trackedSubjects(): number };

export function createPathEnumeration(opts: StoreOptions = {}): PathEnumerationRule {
  const spaces = spacesOf(opts);
  let state: { subjects: Subjects<Subject>; gate: FiringGate; init: () => Subject } | null = null;
  const endpointKeys = new PrefixedKeys("endpoint:");
  const pathKeys = new PrefixedKeys("path:");
  return {
    id: "path_enumeration",
    trackedSubjects: () => state?.subjects.size() ?? 0,
    observe(event: DetectionEvent, ctx: RuleContext): Finding[] {
      if (event.credentialId === null) return NO_FINDINGS;
      const s = ctx.settings;
      state ??= {
        subjects: spaces.credentials.view<Subject>(s.windowMs),
        gate: new FiringGate(s.windowMs, opts),
        init: () => ({ keys: new DistinctWindow(s.windowMs, s.distinct * 4 + 16), recent: [] }),
      };
      const key = event.endpoint !== null ? endpointKeys.of(event.endpoint) : pathKeys.of(pathOnly(event.path));
      const subj = state.subjects.touch(event.credentialId, event.ts, state.init);
      if (!subj.keys.add(key, event.ts)) return NO_FINDINGS;
      subj.recent.push(event);
      if (subj.recent.length > SAMPLE_SIZE) subj.recent.shift();
      const n = subj.keys.size();
      if (n <= s.distinct || !state.gate.allow(event.credentialId, "medium", event.ts)) return NO_FINDINGS;
      const since = subj.keys.oldest() ?? event.ts;
      return [
        {
          rule: "path_enumeration",
          severity: "medium",
          credentialId: event.credentialId,
          srcIp: event.srcIp,
          keyRef: event.keyRef,
          ts: event.ts,
          summary: `${n} distinct endpoints or unknown paths called within ${describeSpan(event.ts - since)} with this credential (threshold: more than ${s.distinct} in ${describeDuration(s.windowMs)})`,
          sample: subj.recent.map(sampleOf),
          windowMs: s.windowMs,
        },
      ];
    },
  };
}

export const rule: RuleModule = {
  id: "path_enumeration",
  stateBy: "credential",
  description: "Distinct endpoint templates or unknown paths per credential (more than 20 in 1 h).",
  defaults,
  create: (spaces) => createPathEnumeration({ spaces }),
};
