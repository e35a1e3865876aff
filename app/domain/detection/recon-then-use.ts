// recon_then_use: reconnaissance followed by use (Elastic's "model listing then invocation"). Per
// credential: a reconnaissance event (an error answer, a path the catalog does not know, or a request
// outside the credential's grant), then within 15 min a successful (2xx) call to a model the credential
// never used before (not in baseline.modelsUsed, and not called successfully earlier in this import) → high.
//
// Error answers that say nothing about probing (408 timeout, 413 too large, 429 rate limited) are not
// reconnaissance. The recon event must come before the successful call (one event is not both). A
// credential without a baseline has only this import's history: its first successful call to each model
// counts as "never used before".

import { coversModel } from "~/domain/grant";
import { FiringGate, describeDuration, describeSpan, type StoreOptions } from "./leaky-bucket";
import { spacesOf, type Subjects } from "./subject-space";
import { endpointOutsideGrant } from "./out-of-grant";
import { NO_FINDINGS, sampleOf, type CatalogModel, type CredentialFacts, type DetectionEvent, type Finding, type Rule, type RuleContext, type RuleModule } from "./types";

const defaults = {
  windowMs: 900_000, // 15 min between the reconnaissance and the use
} as const;

const NOT_RECON = new Set([408, 413, 429]);
const MAX_MODELS = 1024;

type Subject = { recon: DetectionEvent | null; reconWhy: string; used: Set<string> };

export type ReconThenUseRule = Rule & { trackedSubjects(): number };

/**
 * Is the event's model or endpoint outside the credential's grant, a model the catalog does not know
 * counting as outside? ("@ga" reaches the catalog's GA models; "*" every endpoint.) Not out_of_grant's
 * anyOutsideGrant: that one leaves unknown model names to unknown_model (inside), while to this rule
 * asking for a model no grant can name is reconnaissance. It compares the event's resolved model name
 * as it is (the catalog matcher has already turned aliases and case into the catalog's name).
 */
function outsideGrantOrUnknownModel(event: DetectionEvent, cred: CredentialFacts, catalog: readonly CatalogModel[]): boolean {
  return (event.model !== null && !coversModel(cred.grantModels, event.model, catalog)) || endpointOutsideGrant(event.endpoint, cred);
}

function reconReason(event: DetectionEvent, ctx: RuleContext, credentialId: string): string | null {
  if (event.status >= 400 && event.status <= 499 && !NOT_RECON.has(event.status)) return `answered ${event.status}`;
  if (event.endpoint === null) return "to a path the catalog does not know";
  const cred = ctx.credential(credentialId);
  if (cred && outsideGrantOrUnknownModel(event, cred, ctx.catalog)) return "outside the credential's grant";
  return null;
}

const newSubject = (): Subject => ({ recon: null, reconWhy: "", used: new Set() });

export function createReconThenUse(opts: StoreOptions = {}): ReconThenUseRule {
  const spaces = spacesOf(opts);
  let state: { subjects: Subjects<Subject>; gate: FiringGate } | null = null;
  return {
    id: "recon_then_use",
    trackedSubjects: () => state?.subjects.size() ?? 0,
    observe(event: DetectionEvent, ctx: RuleContext): Finding[] {
      const id = event.credentialId;
      if (id === null) return NO_FINDINGS;
      const s = ctx.settings;
      // The models used in this import must survive idleness, so subjects expire only after a day idle.
      state ??= { subjects: spaces.credentials.view<Subject>(Math.max(s.windowMs, 86_400_000)), gate: new FiringGate(s.windowMs, opts) };
      const subj = state.subjects.touch(id, event.ts, newSubject);
      let out = NO_FINDINGS;

      if (event.status >= 200 && event.status <= 299 && event.model !== null) {
        const model = event.model;
        // Adding a model already in the set changes nothing (not even its order): only new ones are added.
        let isNew = false;
        if (!subj.used.has(model)) {
          isNew = !(ctx.baseline(id)?.modelsUsed.includes(model) ?? false);
          subj.used.add(model);
          if (subj.used.size > MAX_MODELS) subj.used.delete(subj.used.values().next().value as string);
        }
        const r = subj.recon;
        if (isNew && r !== null && event.ts >= r.ts && event.ts - r.ts <= s.windowMs && state.gate.allow(id, "high", event.ts)) {
          out = [{
            rule: "recon_then_use",
            severity: "high",
            credentialId: id,
            srcIp: event.srcIp,
            keyRef: event.keyRef,
            ts: event.ts,
            summary: `A request ${subj.reconWhy} (${r.method} ${r.path}) was followed ${describeSpan(event.ts - r.ts)} later by the first successful call of this credential to model ${model} (threshold: within ${describeDuration(s.windowMs)})`,
            sample: [sampleOf(r), sampleOf(event)],
            windowMs: s.windowMs,
          }];
        }
      }

      const why = reconReason(event, ctx, id);
      if (why !== null) {
        subj.recon = event;
        subj.reconWhy = why;
      }
      return out;
    },
  };
}

export const rule: RuleModule = {
  id: "recon_then_use",
  stateBy: "credential",
  description: "An error, unknown-path or out-of-grant request, then within 15 min a successful call to a model the credential never used before.",
  defaults,
  create: (spaces) => createReconThenUse({ spaces }),
};
