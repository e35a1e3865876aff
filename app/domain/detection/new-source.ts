// new_source: a credential used from an address it has not been seen from: neither the IP nor its /24
// (IPv6: /48) is in the credential's 10-day history (baseline.knownIps / knownPrefixes) → low. Suppressed
// while the history is shorter than 10 days (no baseline, or the first event ever is less than 10 days
// before this one): everything is "new" for a new credential. At most once per IP per credential per
// import; within one import, an IP or a /24 seen earlier for the credential is not new again.

import { describeDuration, type StoreOptions } from "./leaky-bucket";
import { spacesOf, type Subjects } from "./subject-space";
import { prefix24 } from "./ip-prefix";
import { NO_FINDINGS, sampleOf, type DetectionEvent, type Finding, type Rule, type RuleContext, type RuleModule } from "./types";

const DAY = 86_400_000;

const defaults = {
  historyMs: 10 * DAY, // the history window, and the minimum history before the rule speaks
} as const;

/** Addresses (and prefixes) remembered per credential within one import, oldest forgotten first. */
const MAX_SOURCES = 4096;

type Subject = { ips: Set<string>; prefixes: Set<string> };

export type NewSourceRule = Rule & { trackedSubjects(): number };

function remember(set: Set<string>, value: string) {
  set.add(value);
  if (set.size > MAX_SOURCES) set.delete(set.values().next().value as string);
}

const newSubject = (): Subject => ({ ips: new Set(), prefixes: new Set() });

export function createNewSource(opts: StoreOptions = {}): NewSourceRule {
  const spaces = spacesOf(opts);
  let subjects: Subjects<Subject> | null = null;
  return {
    id: "new_source",
    trackedSubjects: () => subjects?.size() ?? 0,
    observe(event: DetectionEvent, ctx: RuleContext): Finding[] {
      if (event.credentialId === null || event.srcIp === null || event.srcIp === "") return NO_FINDINGS;
      const s = ctx.settings;
      // Kept for the whole import (idle for longer than the history window is the only expiry).
      subjects ??= spaces.credentials.view<Subject>(s.historyMs);
      const subj = subjects.touch(event.credentialId, event.ts, newSubject);
      const ip = event.srcIp;
      if (subj.ips.has(ip)) return NO_FINDINGS;
      const prefix = prefix24(ip);
      const seenPrefixInImport = prefix !== null && subj.prefixes.has(prefix);
      remember(subj.ips, ip);
      if (prefix !== null) remember(subj.prefixes, prefix);
      if (seenPrefixInImport) return NO_FINDINGS;

      const b = ctx.baseline(event.credentialId);
      if (!b || b.firstSeenAt === null || event.ts - b.firstSeenAt < s.historyMs) return NO_FINDINGS;
      if (b.knownIps.includes(ip) || (prefix !== null && b.knownPrefixes.includes(prefix))) return NO_FINDINGS;
      return [
        {
          rule: "new_source",
          severity: "low",
          credentialId: event.credentialId,
          srcIp: ip,
          keyRef: event.keyRef,
          ts: event.ts,
          summary: `First use of this credential from ${ip}${prefix ? ` (${prefix})` : ""}: neither the address nor its network appears in the credential's last ${describeDuration(s.historyMs)} of history (${b.knownIps.length} known addresses)`,
          sample: [sampleOf(event)],
          windowMs: s.historyMs,
        },
      ];
    },
  };
}

export const rule: RuleModule = {
  id: "new_source",
  stateBy: "credential",
  description: "First use of a credential from an IP and /24 not seen in its 10-day history (low; suppressed while the history is shorter than 10 days).",
  defaults,
  create: (spaces) => createNewSource({ spaces }),
};
