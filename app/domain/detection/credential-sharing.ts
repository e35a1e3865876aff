// credential_sharing: one credential used from several places at once. Within 30 min: 3 or more source
// IPs in distinct /16s (IPv6: /32s) → high; 2 or more IPs and 2 or more user agents → low. User agents
// count only when the log carries them (null = the format logs none; "" = a client sent none, counted).

import { SAMPLE_SIZE } from "./error-burst";
import { FiringGate, SubjectStore, describeDuration } from "./leaky-bucket";
import { prefix16 } from "./ip-prefix";
import { NO_FINDINGS, sampleOf, type DetectionEvent, type Finding, type Rule, type RuleContext, type RuleModule, type Severity } from "./types";

const defaults = {
  windowMs: 1_800_000, // 30 min
  highNetworks: 3, // IPs in at least this many distinct /16s → high
  lowIps: 2, // at least this many IPs …
  lowUserAgents: 2, // … and this many user agents → low
} as const;

const MAX_VALUES = 256;

type Subject = {
  ips: Map<string, { ts: number; net: string | null }>;
  nets: Map<string, number>; // /16 → IPs in the window within it
  uas: Map<string, { ts: number }>;
  recent: DetectionEvent[];
  /** The address / user agent inserted last into `ips` / `uas` (the back of their order). */
  lastIp: string | null;
  lastUa: string | null;
  /** Their entries while still in `ips` / `uas` (null once forgotten): the usual event repeats both and updates them in place. */
  lastIpEntry: { ts: number; net: string | null } | null;
  lastUaEntry: { ts: number } | null;
  /** No address or user agent was last seen before this (a lower bound): nothing to forget until the cutoff passes it. */
  oldest: number;
};

export type CredentialSharingRule = Rule & { trackedSubjects(): number };

function forgetIp(subj: Subject, ip: string) {
  const v = subj.ips.get(ip);
  if (!v) return;
  subj.ips.delete(ip);
  if (v === subj.lastIpEntry) subj.lastIpEntry = null;
  if (v.net !== null) {
    const n = (subj.nets.get(v.net) ?? 1) - 1;
    if (n <= 0) subj.nets.delete(v.net);
    else subj.nets.set(v.net, n);
  }
}

const newSubject = (): Subject => ({ ips: new Map(), nets: new Map(), uas: new Map(), recent: [], lastIp: null, lastUa: null, lastIpEntry: null, lastUaEntry: null, oldest: Infinity });

function forgetUa(subj: Subject, ua: string) {
  const v = subj.uas.get(ua);
  subj.uas.delete(ua);
  if (v !== undefined && v === subj.lastUaEntry) subj.lastUaEntry = null;
}

/** An entry seen again at `ts`: moved to the back of its last-seen-ordered map, unless it is the last one seen already. */
function seenAgain<E extends { ts: number }>(map: Map<string, E>, key: string, entry: E, ts: number, last: string | null): void {
  entry.ts = ts;
  if (key !== last) {
    map.delete(key);
    map.set(key, entry);
  }
}

export function createCredentialSharing(opts: { maxSubjects?: number } = {}): CredentialSharingRule {
  let state: { subjects: SubjectStore<Subject>; gate: FiringGate } | null = null;
  return {
    id: "credential_sharing",
    trackedSubjects: () => state?.subjects.size() ?? 0,
    observe(event: DetectionEvent, ctx: RuleContext): Finding[] {
      if (event.credentialId === null || event.srcIp === null || event.srcIp === "") return NO_FINDINGS;
      const s = ctx.settings;
      state ??= { subjects: new SubjectStore<Subject>({ idleMs: s.windowMs, maxSubjects: opts.maxSubjects }), gate: new FiringGate(s.windowMs, opts) };
      const subj = state.subjects.touch(event.credentialId, event.ts, newSubject);
      const cutoff = event.ts - s.windowMs;
      if (subj.oldest <= cutoff) {
        for (const [ip, v] of subj.ips) {
          if (v.ts > cutoff) break;
          forgetIp(subj, ip);
        }
        for (const [ua, v] of subj.uas) {
          if (v.ts > cutoff) break;
          forgetUa(subj, ua);
        }
        // The fronts are the oldest (last-seen order).
        subj.oldest = Infinity;
        for (const v of subj.ips.values()) {
          subj.oldest = v.ts;
          break;
        }
        for (const v of subj.uas.values()) {
          if (v.ts < subj.oldest) subj.oldest = v.ts;
          break;
        }
      }
      if (event.ts < subj.oldest) subj.oldest = event.ts;
      const ip = event.srcIp;
      const ua = event.userAgent;
      // The usual event: the same address and user agent as the credential's previous one, both still in
      // the window and at the back of their order. Nothing moves and nothing is new: two timestamps.
      const ipEntry = subj.lastIpEntry;
      const uaEntry = subj.lastUaEntry;
      if (ipEntry !== null && ip === subj.lastIp && (ua === null || (uaEntry !== null && ua === subj.lastUa))) {
        ipEntry.ts = event.ts;
        if (ua !== null) (uaEntry as { ts: number }).ts = event.ts;
        return NO_FINDINGS;
      }
      const known = subj.ips.get(ip);
      const isNewIp = known === undefined;
      if (known) {
        // Same address again: to the back (last seen order); its /16 count is unchanged.
        seenAgain(subj.ips, ip, known, event.ts, subj.lastIp);
        subj.lastIp = ip;
        subj.lastIpEntry = known;
      } else {
        subj.lastIp = ip;
        const net = prefix16(ip);
        const entry = { ts: event.ts, net };
        subj.ips.set(ip, entry);
        subj.lastIpEntry = entry;
        if (net !== null) subj.nets.set(net, (subj.nets.get(net) ?? 0) + 1);
        if (subj.ips.size > MAX_VALUES) forgetIp(subj, subj.ips.keys().next().value as string);
      }
      let isNewUa = false;
      if (ua !== null) {
        let entry = subj.uas.get(ua);
        isNewUa = entry === undefined;
        if (entry === undefined) {
          entry = { ts: event.ts };
          subj.uas.set(ua, entry);
          subj.lastUa = ua;
        } else {
          seenAgain(subj.uas, ua, entry, event.ts, subj.lastUa);
          subj.lastUa = ua;
        }
        subj.lastUaEntry = entry;
        if (subj.uas.size > MAX_VALUES) forgetUa(subj, subj.uas.keys().next().value as string);
      }
      if (isNewIp || isNewUa) {
        subj.recent.push(event);
        if (subj.recent.length > SAMPLE_SIZE) subj.recent.shift();
      }
      if (!isNewIp && !isNewUa) return NO_FINDINGS;

      let severity: Severity | null = null;
      let summary = "";
      const span = describeDuration(s.windowMs);
      if (subj.nets.size >= s.highNetworks) {
        severity = "high";
        summary = `This credential was used from ${subj.ips.size} addresses in ${subj.nets.size} distinct /16 networks within ${span} (threshold: ${s.highNetworks} or more distinct /16s)`;
      } else if (subj.ips.size >= s.lowIps && subj.uas.size >= s.lowUserAgents) {
        severity = "low";
        summary = `This credential was used from ${subj.ips.size} addresses with ${subj.uas.size} different user agents within ${span} (threshold: ${s.lowIps} or more addresses and ${s.lowUserAgents} or more user agents)`;
      }
      if (severity === null || !state.gate.allow(event.credentialId, severity, event.ts)) return NO_FINDINGS;
      return [
        {
          rule: "credential_sharing",
          severity,
          credentialId: event.credentialId,
          srcIp: event.srcIp,
          keyRef: event.keyRef,
          ts: event.ts,
          summary,
          sample: subj.recent.filter((e) => e.ts > cutoff).map(sampleOf),
          windowMs: s.windowMs,
        },
      ];
    },
  };
}

export const rule: RuleModule = {
  id: "credential_sharing",
  description: "One credential from many sources within 30 min: 3 or more IPs in distinct /16s (high), or 2 or more IPs and 2 or more user agents (low).",
  defaults,
  create: () => createCredentialSharing(),
};
