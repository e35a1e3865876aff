// secret_in_logs: the import found secret material in a log line (an authorization or x-api-key header,
// API Gateway's apiKey, a bearer token) and dropped it before storage. The gateway is logging secrets:
// high. The summary names the fields, never the values (the engine never passes them). Once per subject
// and set of fields per window.

import { describeDuration, FiringGate, type StoreOptions } from "./leaky-bucket";
import { subjectKey, subjectLabel } from "./subject-label";
import { NO_FINDINGS, sampleOf, type DetectionEvent, type Finding, type Rule, type RuleContext, type RuleModule } from "./types";

const defaults = { windowMs: 86_400_000 } as const;

export function createSecretInLogs(opts: StoreOptions = {}): Rule & { trackedSubjects(): number } {
  let gate: FiringGate | null = null;
  return {
    id: "secret_in_logs",
    observe(e: DetectionEvent, ctx: RuleContext): Finding[] {
      if (!e.secretsStripped || e.secretsStripped.length === 0) return NO_FINDINGS;
      const fields = [...new Set(e.secretsStripped)].sort();
      const windowMs = ctx.settings.windowMs ?? defaults.windowMs;
      gate ??= new FiringGate(windowMs, opts);
      if (!gate.allow(`${subjectKey(e)}|${fields.join(",")}`, "high", e.ts)) return NO_FINDINGS;
      const named = fields.map((f) => `"${f}"`).join(", ");
      return [
        {
          rule: "secret_in_logs",
          severity: "high",
          credentialId: e.credentialId,
          srcIp: e.srcIp,
          keyRef: e.keyRef,
          ts: e.ts,
          summary: `The gateway logged secret material in ${fields.length === 1 ? "the field" : "the fields"} ${named} (${subjectLabel(e)}: ${e.method} ${e.path}); it was dropped before storage (threshold: 1 line; repeats within ${describeDuration(windowMs)} update this flag).`,
          sample: [sampleOf(e)],
          windowMs,
        },
      ];
    },
    trackedSubjects: () => gate?.size() ?? 0,
  };
}

export const rule: RuleModule = {
  id: "secret_in_logs",
  stateBy: "credential",
  description: "Secret material (authorization or API key headers, bearer tokens) found in an imported log line and dropped before storage.",
  defaults,
  create: (spaces) => createSecretInLogs({ spaces }),
};
