// revoked_credential_use: any use of a credential that is revoked, suspended or expired, or of a key
// rotated away whose grace period has ended: critical. A rotated-away key still within its grace period is
// expected (clients moving over): info, so the owner can see who has not moved yet.

import { describeDuration, FiringGate, type StoreOptions } from "./leaky-bucket";
import { subjectLabel } from "./subject-label";
import { NO_FINDINGS, sampleOf, type CredentialFacts, type DetectionEvent, type Finding, type Rule, type RuleContext, type RuleModule, type Severity } from "./types";

const defaults = { windowMs: 3_600_000 } as const;

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

/** Why a use at `ts` should not have happened (critical), or is tolerated (info), or null when fine. */
export function credentialUseVerdict(c: CredentialFacts, ts: number): { severity: Severity; reason: string } | null {
  // A use from before the status changed (an old log imported late) was legitimate at the time.
  if (c.status !== "active" && (c.statusChangedAt == null || ts >= c.statusChangedAt)) return { severity: "critical", reason: `the credential is ${c.status}` };
  if (c.expiresAt !== null && c.expiresAt <= ts) return { severity: "critical", reason: `the credential expired at ${iso(c.expiresAt)}` };
  const grace = c.rotatedKeyGraceEndsAt;
  if (grace !== undefined && grace !== null) {
    if (ts >= grace) return { severity: "critical", reason: `the key was rotated away and its grace period ended at ${iso(grace)}` };
    return { severity: "info", reason: `the key was rotated away; its grace period runs until ${iso(grace)}` };
  }
  return null;
}

export function createRevokedCredentialUse(opts: StoreOptions = {}): Rule & { trackedSubjects(): number } {
  let gate: FiringGate | null = null;
  return {
    id: "revoked_credential_use",
    observe(e: DetectionEvent, ctx: RuleContext): Finding[] {
      if (!e.credentialId) return NO_FINDINGS;
      const c = ctx.credential(e.credentialId);
      if (!c) return NO_FINDINGS;
      const verdict = credentialUseVerdict(c, e.ts);
      if (!verdict) return NO_FINDINGS;
      const windowMs = ctx.settings.windowMs ?? defaults.windowMs;
      gate ??= new FiringGate(windowMs, opts);
      if (!gate.allow(`${e.credentialId}|${e.keyRef ?? ""}`, verdict.severity, e.ts)) return NO_FINDINGS;
      return [
        {
          rule: "revoked_credential_use",
          severity: verdict.severity,
          credentialId: e.credentialId,
          srcIp: e.srcIp,
          keyRef: e.keyRef,
          ts: e.ts,
          summary: `${subjectLabel(e)} was used (${e.method} ${e.path}, answered ${e.status}) although ${verdict.reason} (threshold: 1 request; repeats within ${describeDuration(windowMs)} update this flag).`,
          sample: [sampleOf(e)],
          windowMs,
        },
      ];
    },
    trackedSubjects: () => gate?.size() ?? 0,
  };
}

export const rule: RuleModule = {
  id: "revoked_credential_use",
  stateBy: "credential",
  description: "Use of a revoked, suspended or expired credential, or of a rotated key after its grace period (critical); within the grace period: info.",
  defaults,
  create: (spaces) => createRevokedCredentialUse({ spaces }),
};
