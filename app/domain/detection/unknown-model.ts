// unknown_model: a model name that is not in the catalog (names and aliases). A near miss of a GA model is
// a typo (info); a name containing a restricted or unreleased model's name, alias or family token is a
// guess (high); anything else is low. Several distinct unknown names from one key within a day is a
// guessing campaign (high), however innocent each name looks.

import { editDistance } from "./edit-distance";
import { describeDuration, DistinctWindow, FiringGate, SubjectStore, type StoreOptions } from "./leaky-bucket";
import { containedTerm, lookupModel, modelIndex, type ModelIndex } from "./model-index";
import { subjectKey, subjectLabel } from "./subject-label";
import { NO_FINDINGS, sampleOf, type DetectionEvent, type Finding, type Rule, type RuleContext, type RuleModule, type Severity } from "./types";

const defaults = {
  /** A GA model name within this many edits makes the unknown name a typo (info). */
  typoMaxDistance: 2,
  /** This many distinct unknown names per key within `escalationWindowMs` → high. */
  escalationDistinct: 3,
  escalationWindowMs: 86_400_000,
  /** A repeat of the same unknown name by the same subject within this window updates the same flag. */
  windowMs: 86_400_000,
} as const;

/** Distinct names remembered per key (more than any sensible escalation threshold). */
const MAX_NAMES_PER_KEY = 256;

export type UnknownModelClass = { severity: Severity; reason: string };

/** How suspicious one unknown model name is on its own. `name` must not be in the catalog. */
export function classifyUnknownModel(name: string, index: ModelIndex, typoMaxDistance: number): UnknownModelClass {
  const lower = name.toLowerCase();
  const t = containedTerm(lower, index.sensitive);
  if (t) {
    const what = t.kind === "family" ? "the family token" : t.kind === "alias" ? "an alias" : "the name";
    return { severity: "high", reason: `contains "${t.term}", ${what} of ${t.model.status} model ${t.model.name}` };
  }
  let best: { term: string; d: number } | null = null;
  for (const g of index.gaTerms) {
    const d = editDistance(lower, g, best ? best.d - 1 : typoMaxDistance);
    if (d <= typoMaxDistance && (!best || d < best.d)) best = { term: g, d };
    if (best?.d === 1) break;
  }
  if (best) return { severity: "info", reason: `is ${best.d} edit${best.d === 1 ? "" : "s"} from GA model ${best.term} (a likely typo; threshold: at most ${typoMaxDistance})` };
  return { severity: "low", reason: "matches no model, alias or codename in the catalog" };
}

export function createUnknownModel(opts: StoreOptions = {}): Rule & { trackedSubjects(): number } {
  let names: SubjectStore<DistinctWindow> | null = null;
  let perName: FiringGate | null = null;
  let escalation: FiringGate | null = null;
  return {
    id: "unknown_model",
    observe(e: DetectionEvent, ctx: RuleContext): Finding[] {
      if (!e.model) return NO_FINDINGS;
      const index = modelIndex(ctx.catalog);
      if (lookupModel(index, e.model)) return NO_FINDINGS;
      const s = (k: keyof typeof defaults) => ctx.settings[k] ?? defaults[k];
      const windowMs = s("windowMs");
      const escWindow = s("escalationWindowMs");
      const escDistinct = s("escalationDistinct");
      names ??= new SubjectStore({ idleMs: escWindow, maxSubjects: opts.maxSubjects, limit: opts.spaces?.limit });
      perName ??= new FiringGate(windowMs, opts);
      escalation ??= new FiringGate(escWindow, opts);

      const cls = classifyUnknownModel(e.model, index, s("typoMaxDistance"));
      const lower = e.model.toLowerCase();
      const base = {
        rule: "unknown_model" as const,
        credentialId: e.credentialId,
        srcIp: e.srcIp,
        keyRef: e.keyRef,
        ts: e.ts,
        sample: [sampleOf(e)],
      };
      const nameKey = `${subjectKey(e)}|${lower}`;

      // Escalation: distinct unknown names per key (credential or key reference) in a sliding window.
      const key = e.credentialId ? `c:${e.credentialId}` : e.keyRef ? `k:${e.keyRef}` : null;
      if (key) {
        const w = names.touch(key, e.ts, () => new DistinctWindow(escWindow, MAX_NAMES_PER_KEY));
        w.add(lower, e.ts);
        if (w.size() >= escDistinct && escalation.allow(key, "high", e.ts)) {
          perName.allow(nameKey, "high", e.ts);
          const list = w.keys().slice(-10).join(", ");
          return [
            {
              ...base,
              severity: "high",
              summary: `${subjectLabel(e)} asked for ${w.size()} distinct model names that are not in the catalog within ${describeDuration(escWindow)} (threshold: ${escDistinct}): ${list}; the latest, "${e.model}", ${cls.reason}.`,
              windowMs: escWindow,
            },
          ];
        }
      }
      // The name itself, once per subject and name per window (again if it would now rank higher).
      if (!perName.allow(nameKey, cls.severity, e.ts)) return NO_FINDINGS;
      return [
        {
          ...base,
          severity: cls.severity,
          summary: `${subjectLabel(e)} asked for model "${e.model}", which is not in the catalog: it ${cls.reason} (answered ${e.status}).`,
          windowMs,
        },
      ];
    },
    trackedSubjects: () => Math.max(names?.size() ?? 0, perName?.size() ?? 0, escalation?.size() ?? 0),
  };
}

export const rule: RuleModule = {
  id: "unknown_model",
  stateBy: "credential",
  description: "A model name that is not in the catalog: a typo (info), a guess at a restricted or unreleased model (high), or something else (low); several distinct unknown names from one key in a day (high).",
  defaults,
  create: (spaces) => createUnknownModel({ spaces }),
};
