// credential_sharing: one credential used from several places at once. Within 30 min: 3 or more source
// IPs in distinct /16s (IPv6: /32s) → high; 2 or more IPs and 2 or more user agents → low. User agents
// count only when the log carries them (null = the format logs none; "" = a client sent none, counted).

import { SAMPLE_SIZE } from "./error-burst";
import { FiringGate, describeDuration, type StoreOptions } from "./leaky-bucket";
import { spacesOf, type Subjects } from "./subject-space";
import { prefix16 } from "./ip-prefix";
import { dropThrough, LastSeenList, type TimedEntry } from "./last-seen-list";
import { NO_FINDINGS, sampleOf, type DetectionEvent, type Finding, type Rule, type RuleContext, type RuleModule, type Severity } from "./types";

const defaults = {
  windowMs: 1_800_000, // 30 min
  highNetworks: 3, // IPs in at least this many distinct /16s → high
  lowIps: 2, // at least this many IPs …
  lowUserAgents: 2, // … and this many user agents → low
} as const;

const MAX_VALUES = 256;

/** A user agent in the window: when last seen, and its place in last-seen order. */
type SeenUa = TimedEntry;
/** An address in the window, with its /16 (IPv6: /32; null when it has none). */
type SeenIp = { key: string; ts: number; net: string | null; prev: SeenIp | null; next: SeenIp | null };

type Subject = {
  /** Addresses and user agents in last-seen order (the front is the least recently seen). */
  ips: LastSeenList<SeenIp>;
  nets: Map<string, number>; // /16 → IPs in the window within it
  uas: LastSeenList<SeenUa>;
  recent: DetectionEvent[];
  /** No address or user agent was last seen before this (a lower bound): nothing to forget until the cutoff passes it. */
  oldest: number;
};

export type CredentialSharingRule = Rule & { trackedSubjects(): number };

function forgetIp(subj: Subject, n: SeenIp) {
  subj.ips.remove(n);
  forgetNet(subj, n);
}

/** One address fewer in its /16. */
function forgetNet(subj: Subject, n: SeenIp) {
  if (n.net !== null) {
    const c = (subj.nets.get(n.net) ?? 1) - 1;
    if (c <= 0) subj.nets.delete(n.net);
    else subj.nets.set(n.net, c);
  }
}

const newSubject = (): Subject => ({ ips: new LastSeenList(), nets: new Map(), uas: new LastSeenList(), recent: [], oldest: Infinity });

export function createCredentialSharing(opts: StoreOptions = {}): CredentialSharingRule {
  const spaces = spacesOf(opts);
  let state: { subjects: Subjects<Subject>; gate: FiringGate } | null = null;
  return {
    id: "credential_sharing",
    trackedSubjects: () => state?.subjects.size() ?? 0,
    observe(event: DetectionEvent, ctx: RuleContext): Finding[] {
      if (event.credentialId === null || event.srcIp === null || event.srcIp === "") return NO_FINDINGS;
      const s = ctx.settings;
      state ??= { subjects: spaces.credentials.view<Subject>(s.windowMs), gate: new FiringGate(s.windowMs, opts) };
      const subj = state.subjects.touch(event.credentialId, event.ts, newSubject);
      const cutoff = event.ts - s.windowMs;
      const { ips, uas } = subj;
      if (subj.oldest <= cutoff) {
        dropThrough(ips, cutoff, (n) => forgetNet(subj, n));
        dropThrough(uas, cutoff);
        // The fronts are the oldest (last-seen order).
        subj.oldest = ips.head !== null ? ips.head.ts : Infinity;
        if (uas.head !== null && uas.head.ts < subj.oldest) subj.oldest = uas.head.ts;
      }
      if (event.ts < subj.oldest) subj.oldest = event.ts;
      const ip = event.srcIp;
      const ua = event.userAgent;
      // The usual event: the same address and user agent as the credential's previous one, both still in
      // the window and at the back of their order. Nothing moves and nothing is new: two timestamps.
      const lastIp = ips.tail;
      const lastUa = uas.tail;
      if (lastIp !== null && lastIp.key === ip && (ua === null || (lastUa !== null && lastUa.key === ua))) {
        lastIp.ts = event.ts;
        if (ua !== null) (lastUa as SeenUa).ts = event.ts;
        return NO_FINDINGS;
      }
      const known = ips.get(ip);
      const isNewIp = known === undefined;
      if (known !== undefined) {
        // Same address again: to the back (last-seen order); its /16 count is unchanged.
        known.ts = event.ts;
        ips.moveToBack(known);
      } else {
        const net = prefix16(ip);
        ips.add({ key: ip, ts: event.ts, net, prev: null, next: null });
        if (net !== null) subj.nets.set(net, (subj.nets.get(net) ?? 0) + 1);
        if (ips.size > MAX_VALUES) forgetIp(subj, ips.head as SeenIp);
      }
      let isNewUa = false;
      if (ua !== null) {
        const seen = uas.get(ua);
        if (seen === undefined) {
          isNewUa = true;
          uas.add({ key: ua, ts: event.ts, prev: null, next: null });
          if (uas.size > MAX_VALUES) uas.remove(uas.head as SeenUa);
        } else {
          seen.ts = event.ts;
          uas.moveToBack(seen);
        }
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
  stateBy: "credential",
  description: "One credential from many sources within 30 min: 3 or more IPs in distinct /16s (high), or 2 or more IPs and 2 or more user agents (low).",
  defaults,
  create: (spaces) => createCredentialSharing({ spaces }),
};
