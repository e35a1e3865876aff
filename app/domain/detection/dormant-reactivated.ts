// dormant_reactivated: a credential used again after a long silence (≥ 90 days since its last use before
// this import), or used for the first time long after it was issued (> 30 days): whoever holds it now may
// not be who it was issued to. Medium. Only a credential's first event in an import can qualify (later
// ones follow a use in this very import), so it fires at most once per credential per import.

import { describeDuration, type StoreOptions } from "./leaky-bucket";
import { spacesOf } from "./subject-space";
import { subjectLabel } from "./subject-label";
import { NO_FINDINGS, sampleOf, type DetectionEvent, type Finding, type Rule, type RuleContext, type RuleModule } from "./types";

const DAY = 86_400_000;
const defaults = {
  /** Idle for at least this long since the last use → medium. */
  idleMs: 90 * DAY,
  /** A first use more than this long after issue → medium. */
  firstUseAfterIssueMs: 30 * DAY,
  windowMs: DAY,
} as const;

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const yes = (): true => true;

export function createDormantReactivated(opts: StoreOptions = {}): Rule & { trackedSubjects(): number } {
  // Credentials already seen in this import. Never idle within an import; bounded by the hard cap.
  const seen = spacesOf(opts).credentials.view<true>(Number.POSITIVE_INFINITY);
  return {
    id: "dormant_reactivated",
    observe(e: DetectionEvent, ctx: RuleContext): Finding[] {
      if (!e.credentialId) return NO_FINDINGS;
      if (seen.get(e.credentialId)) return NO_FINDINGS;
      seen.touch(e.credentialId, e.ts, yes);
      const s = (k: keyof typeof defaults) => ctx.settings[k] ?? defaults[k];
      const b = ctx.baseline(e.credentialId);
      const lastUsedAt = b?.lastUsedAt ?? null;
      let why: string | null = null;
      if (lastUsedAt !== null) {
        const idle = e.ts - lastUsedAt;
        if (idle >= s("idleMs")) why = `was used again after ${Math.floor(idle / DAY)} days idle (last use ${iso(lastUsedAt)}; threshold: ${describeDuration(s("idleMs"))})`;
      } else if ((b?.firstSeenAt ?? null) === null) {
        const c = ctx.credential(e.credentialId);
        if (c && e.ts - c.issuedAt > s("firstUseAfterIssueMs")) {
          why = `was used for the first time ${Math.floor((e.ts - c.issuedAt) / DAY)} days after it was issued (${iso(c.issuedAt)}; threshold: more than ${describeDuration(s("firstUseAfterIssueMs"))})`;
        }
      }
      if (!why) return NO_FINDINGS;
      return [
        {
          rule: "dormant_reactivated",
          severity: "medium",
          credentialId: e.credentialId,
          srcIp: e.srcIp,
          keyRef: e.keyRef,
          ts: e.ts,
          summary: `${subjectLabel(e)} ${why}.`,
          sample: [sampleOf(e)],
          windowMs: s("windowMs"),
        },
      ];
    },
    trackedSubjects: () => seen.size(),
  };
}

export const rule: RuleModule = {
  id: "dormant_reactivated",
  stateBy: "credential",
  description: "A credential used after 90 or more days idle, or used for the first time more than 30 days after it was issued.",
  defaults,
  create: (spaces) => createDormantReactivated({ spaces }),
};
