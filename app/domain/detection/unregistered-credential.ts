// unregistered_credential: a key reference that was never registered in Keyward (no current or rotated key
// id, no fingerprint) and that the gateway accepted (2xx). Someone holds a working credential nobody has
// declared: high. A rejected attempt with an unknown key is noise for the volume rules, not this one.
// Once per key reference per window.

import { describeDuration, FiringGate, type StoreOptions } from "./leaky-bucket";
import { NO_FINDINGS, sampleOf, type DetectionEvent, type Finding, type Rule, type RuleContext, type RuleModule } from "./types";

const defaults = { windowMs: 86_400_000 } as const;

export function createUnregisteredCredential(opts: StoreOptions = {}): Rule & { trackedSubjects(): number } {
  let gate: FiringGate | null = null;
  return {
    id: "unregistered_credential",
    observe(e: DetectionEvent, ctx: RuleContext): Finding[] {
      if (!e.keyRef || e.status < 200 || e.status >= 300) return NO_FINDINGS;
      if (ctx.isRegisteredKey(e.keyRef)) return NO_FINDINGS;
      const windowMs = ctx.settings.windowMs ?? defaults.windowMs;
      gate ??= new FiringGate(windowMs, opts);
      if (!gate.allow(e.keyRef, "high", e.ts)) return NO_FINDINGS;
      return [
        {
          rule: "unregistered_credential",
          severity: "high",
          credentialId: e.credentialId,
          srcIp: e.srcIp,
          keyRef: e.keyRef,
          ts: e.ts,
          summary: `Key ${e.keyRef}${e.srcIp ? ` from ${e.srcIp}` : ""} is not registered in Keyward, yet the gateway answered ${e.status} to ${e.method} ${e.path} (threshold: 1 successful request; repeats within ${describeDuration(windowMs)} update this flag).`,
          sample: [sampleOf(e)],
          windowMs,
        },
      ];
    },
    trackedSubjects: () => gate?.size() ?? 0,
  };
}

export const rule: RuleModule = {
  id: "unregistered_credential",
  stateBy: "credential",
  description: "A key reference never registered in Keyward that the gateway answered successfully (2xx).",
  defaults,
  create: (spaces) => createUnregisteredCredential({ spaces }),
};
