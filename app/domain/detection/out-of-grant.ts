// out_of_grant: a credential used for an endpoint or a model its grant does not include. Medium per
// event; critical when the gateway answered 2xx (it let the request through); high when it keeps happening
// (more than 3 in an hour). Unknown model names are unknown_model's business: only catalog models count.

import { ALL_ENDPOINTS, ALL_GA } from "~/domain/grant";
import { describeDuration, FiringGate, SlidingWindowCounter, type StoreOptions } from "./leaky-bucket";
import { lookupModel, modelIndex } from "./model-index";
import { subjectLabel } from "./subject-label";
import { NO_FINDINGS, sampleOf, type CatalogModel, type CredentialFacts, type DetectionEvent, type Finding, type Rule, type RuleContext, type RuleModule, type Severity } from "./types";

const defaults = {
  /** More than this many out-of-grant requests per credential within `windowMs` → high. */
  repeatThreshold: 3,
  windowMs: 3_600_000,
} as const;

/** Is the endpoint outside the grant's endpoints ("*" covers every one)? */
export function endpointOutsideGrant(endpoint: string | null, c: CredentialFacts): boolean {
  return Boolean(endpoint) && !c.grantEndpoints.includes(ALL_ENDPOINTS) && !c.grantEndpoints.includes(endpoint as string);
}

/** The catalog model the event names when the grant does not cover it ("@ga" covers GA models); null otherwise, and for names the catalog does not know. */
function catalogModelOutsideGrant(model: string | null, c: CredentialFacts, catalog: readonly CatalogModel[]): CatalogModel | null {
  if (!model) return null;
  const m = lookupModel(modelIndex(catalog), model);
  return m && !c.grantModels.includes(m.name) && !(m.status === "ga" && c.grantModels.includes(ALL_GA)) ? m : null;
}

/** Does anything of the event lie outside the credential's grant (catalog models only)? outsideGrant's test, without building its list. */
export function anyOutsideGrant(e: Pick<DetectionEvent, "endpoint" | "model">, c: CredentialFacts, catalog: readonly CatalogModel[]): boolean {
  return endpointOutsideGrant(e.endpoint, c) || catalogModelOutsideGrant(e.model, c, catalog) !== null;
}

/** What of the event lies outside the credential's grant (empty when nothing does). */
export function outsideGrant(e: Pick<DetectionEvent, "endpoint" | "model">, c: CredentialFacts, catalog: readonly CatalogModel[]): string[] {
  const out: string[] = [];
  if (endpointOutsideGrant(e.endpoint, c)) out.push(`endpoint ${e.endpoint}`);
  const m = catalogModelOutsideGrant(e.model, c, catalog);
  if (m) out.push(`${m.status} model ${m.name}`);
  return out;
}

function describeGrant(c: CredentialFacts): string {
  const models = c.grantModels.length ? c.grantModels.map((m) => (m === ALL_GA ? "every GA model" : m)).join(", ") : "none";
  const endpoints = c.grantEndpoints.length ? c.grantEndpoints.map((x) => (x === ALL_ENDPOINTS ? "every endpoint" : x)).join(", ") : "none";
  return `models: ${models}; endpoints: ${endpoints}`;
}

export function createOutOfGrant(opts: StoreOptions = {}): Rule & { trackedSubjects(): number } {
  let counter: SlidingWindowCounter | null = null;
  let gate: FiringGate | null = null;
  return {
    id: "out_of_grant",
    observe(e: DetectionEvent, ctx: RuleContext): Finding[] {
      if (!e.credentialId) return NO_FINDINGS;
      const c = ctx.credential(e.credentialId);
      if (!c) return NO_FINDINGS;
      // Most events are inside the grant: tested without allocating, the list built only for a finding.
      if (!anyOutsideGrant(e, c, ctx.catalog)) return NO_FINDINGS;
      const windowMs = ctx.settings.windowMs ?? defaults.windowMs;
      const threshold = ctx.settings.repeatThreshold ?? defaults.repeatThreshold;
      counter ??= new SlidingWindowCounter(windowMs, { maxEvents: threshold + 1, maxKeys: 1, maxSubjects: opts.maxSubjects, distinctAbove: Number.POSITIVE_INFINITY, limit: opts.spaces?.limit });
      gate ??= new FiringGate(windowMs, opts);
      const { count } = counter.add(e.credentialId, "", e.ts);
      const passed = e.status >= 200 && e.status < 300;
      const repeated = count > threshold;
      const severity: Severity = passed ? "critical" : repeated ? "high" : "medium";
      if (!gate.allow(e.credentialId, severity, e.ts)) return NO_FINDINGS;
      const outside = outsideGrant(e, c, ctx.catalog);
      const what = `${subjectLabel(e)} called ${e.method} ${e.path} (${outside.join(", ")}), outside its grant (${describeGrant(c)})`;
      const why = passed
        ? `and the gateway answered ${e.status}: it let the request through`
        : `the gateway answered ${e.status}`;
      const repeat = repeated ? `; ${count} such requests within ${describeDuration(windowMs)} (threshold: more than ${threshold})` : "";
      return [
        {
          rule: "out_of_grant",
          severity,
          credentialId: e.credentialId,
          srcIp: e.srcIp,
          keyRef: e.keyRef,
          ts: e.ts,
          summary: `${what}, ${why}${repeat}.`,
          sample: [sampleOf(e)],
          windowMs,
        },
      ];
    },
    trackedSubjects: () => Math.max(counter?.size() ?? 0, gate?.size() ?? 0),
  };
}

export const rule: RuleModule = {
  id: "out_of_grant",
  stateBy: "credential",
  description: "A credential used for an endpoint or catalog model outside its grant: medium; critical when the gateway answered 2xx; high when more than 3 in an hour.",
  defaults,
  create: (spaces) => createOutOfGrant({ spaces }),
};

