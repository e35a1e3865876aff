// unreleased_model: a request naming a model whose catalog status is "unreleased", or carrying one of its
// names or codenames anywhere in the path (the April 2026 guess). One event is enough: critical.

import { describeDuration, FiringGate, type StoreOptions } from "./leaky-bucket";
import { containedTerm, lookupModel, modelIndex } from "./model-index";
import { subjectKey, subjectLabel } from "./subject-label";
import { NO_FINDINGS, sampleOf, type DetectionEvent, type Finding, type Rule, type RuleContext, type RuleModule } from "./types";

const defaults = { windowMs: 3_600_000 } as const;

type Hit = { model: string; how: string };
const MAX_CACHED = 4096;

function remember(cache: Map<string, Hit | null>, key: string, hit: Hit | null) {
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, hit);
}

export function createUnreleasedModel(opts: StoreOptions = {}): Rule & { trackedSubjects(): number } {
  let gate: FiringGate | null = null;
  let cachedFor: ReturnType<typeof modelIndex> | null = null;
  const byModel = new Map<string, Hit | null>();
  const byPath = new Map<string, Hit | null>();
  // The last verdicts: a credential's events, which the engine runs together, often repeat them.
  let lastModel: string | null = null;
  let lastModelHit: Hit | null = null;
  let lastPath: string | null = null;
  let lastPathHit: Hit | null = null;
  return {
    id: "unreleased_model",
    observe(e: DetectionEvent, ctx: RuleContext): Finding[] {
      const windowMs = ctx.settings.windowMs ?? defaults.windowMs;
      const index = modelIndex(ctx.catalog);
      if (index.unreleased.length === 0) return NO_FINDINGS;
      if (index !== cachedFor) {
        cachedFor = index;
        byModel.clear();
        byPath.clear();
        lastModel = lastPath = null;
      }
      // Both verdicts depend only on the string (and the catalog): cached per distinct model name and path.
      let hit: Hit | null = null;
      if (e.model && e.model === lastModel) hit = lastModelHit;
      else if (e.model) {
        let h = byModel.get(e.model);
        if (h === undefined) {
          h = null;
          const m = lookupModel(index, e.model);
          if (m?.status === "unreleased") h = { model: m.name, how: `named unreleased model ${m.name}` };
          else {
            const t = containedTerm(e.model.toLowerCase(), index.unreleased);
            if (t) h = { model: t.model.name, how: `asked for model "${e.model}", which contains "${t.term}" (${t.kind === "name" ? "the name" : "a codename"} of unreleased model ${t.model.name})` };
          }
          remember(byModel, e.model, h);
        }
        hit = h;
        lastModel = e.model;
        lastModelHit = h;
      }
      if (!hit && e.path === lastPath) hit = lastPathHit;
      else if (!hit) {
        let h = byPath.get(e.path);
        if (h === undefined) {
          h = null;
          const t = containedTerm(lowerPath(e.path), index.unreleased);
          if (t) h = { model: t.model.name, how: `requested a path containing "${t.term}" (${t.kind === "name" ? "the name" : "a codename"} of unreleased model ${t.model.name})` };
          remember(byPath, e.path, h);
        }
        hit = h;
        lastPath = e.path;
        lastPathHit = h;
      }
      if (!hit) return NO_FINDINGS;
      gate ??= new FiringGate(windowMs, opts);
      if (!gate.allow(`${subjectKey(e)}|${hit.model}`, "critical", e.ts)) return NO_FINDINGS;
      return [
        {
          rule: "unreleased_model",
          severity: "critical",
          credentialId: e.credentialId,
          srcIp: e.srcIp,
          keyRef: e.keyRef,
          ts: e.ts,
          summary: `${subjectLabel(e)} ${hit.how} (threshold: 1 request; answered ${e.status}; repeats within ${describeDuration(windowMs)} update this flag).`,
          sample: [sampleOf(e)],
          windowMs,
        },
      ];
    },
    trackedSubjects: () => gate?.size() ?? 0,
  };
}

/** The path (query included: a codename there is a guess too), lower-case and percent-decoded. */
function lowerPath(path: string): string {
  const p = path.toLowerCase();
  if (!p.includes("%")) return p;
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

export const rule: RuleModule = {
  id: "unreleased_model",
  stateBy: "credential",
  description: "A request naming an unreleased model, or one of its codenames, in the model field or the path.",
  defaults,
  create: (spaces) => createUnreleasedModel({ spaces }),
};
