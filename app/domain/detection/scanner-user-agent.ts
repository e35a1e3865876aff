// scanner_user_agent: a request whose user agent names a scanning or fuzzing tool (Sigma's and CrowdSec's
// bad-user-agent lists, trimmed to tools that announce themselves), high; or a request with no user agent
// at all, medium. Generic HTTP clients and SDKs (curl, python-requests, Go-http-client, node-fetch, axios,
// okhttp…) are never flagged by themselves: partners' code uses them every day. A format that does not log
// the user agent (null) never fires. At most once per window per subject (source IP, else credential),
// again when the severity rises.

import { describeDuration, FiringGate, type StoreOptions } from "./leaky-bucket";
import { subjectLabel } from "./subject-label";
import { NO_FINDINGS, sampleOf, type DetectionEvent, type Finding, type Rule, type RuleContext, type RuleModule, type Severity } from "./types";

const defaults = { windowMs: 3_600_000 } as const;

/** Lower-case tool names, matched as whole tokens (not inside a longer word). */
export const SCANNER_TOKENS: readonly string[] = [
  "gobuster",
  "ffuf",
  "fuzz faster u fool",
  "dirb",
  "dirbuster",
  "dirsearch",
  "feroxbuster",
  "nikto",
  "sqlmap",
  "nuclei",
  "wfuzz",
  "nmap",
  "masscan",
  "zgrab",
  "wpscan",
  "acunetix",
  "nessus",
  "openvas",
  "burp",
  "burpsuite",
  "arachni",
  "w3af",
  "hydra",
  "skipfish",
  "whatweb",
  "netsparker",
  "havij",
  "sqlninja",
  "zmeu",
  "jaeles",
];

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122);
}

/** The scanning tool a user agent names, or null. Case-insensitive; a token must stand alone ("dirb" is not in "dirbuster"). */
export function scannerIn(userAgent: string): string | null {
  const ua = userAgent.toLowerCase();
  for (const token of SCANNER_TOKENS) {
    let from = 0;
    for (;;) {
      const i = ua.indexOf(token, from);
      if (i < 0) break;
      const end = i + token.length;
      if ((i === 0 || !isWordChar(ua.charCodeAt(i - 1))) && (end === ua.length || !isWordChar(ua.charCodeAt(end)))) return token;
      from = i + 1;
    }
  }
  return null;
}

const MAX_CACHED_AGENTS = 4096;

export function createScannerUserAgent(opts: StoreOptions = {}): Rule & { trackedSubjects(): number } {
  let gate: FiringGate | null = null;
  // User agent → "" (empty: none sent), the tool it names, or null: a log repeats a few user agents over and over.
  const verdicts = new Map<string, string | null>();
  return {
    id: "scanner_user_agent",
    observe(e: DetectionEvent, ctx: RuleContext): Finding[] {
      if (e.userAgent === null) return NO_FINDINGS;
      let verdict = verdicts.get(e.userAgent);
      if (verdict === undefined) {
        const trimmed = e.userAgent.trim();
        verdict = trimmed === "" || trimmed === "-" ? "" : scannerIn(e.userAgent);
        if (verdicts.size >= MAX_CACHED_AGENTS) verdicts.clear();
        verdicts.set(e.userAgent, verdict);
      }
      if (verdict === null) return NO_FINDINGS;
      const empty = verdict === "";
      const tool = empty ? null : verdict;
      const severity: Severity = tool ? "high" : "medium";
      const windowMs = ctx.settings.windowMs ?? defaults.windowMs;
      gate ??= new FiringGate(windowMs, opts);
      const subject = e.srcIp ? `ip:${e.srcIp}` : e.credentialId ? `c:${e.credentialId}` : e.keyRef ? `k:${e.keyRef}` : "-";
      if (!gate.allow(subject, severity, e.ts)) return NO_FINDINGS;
      const what = tool
        ? `sent the user agent "${e.userAgent.slice(0, 200)}", which names the scanning tool ${tool}`
        : "sent no user agent";
      return [
        {
          rule: "scanner_user_agent",
          severity,
          credentialId: e.credentialId,
          srcIp: e.srcIp,
          keyRef: e.keyRef,
          ts: e.ts,
          summary: `${subjectLabel(e)} ${what} (${e.method} ${e.path}, answered ${e.status}; threshold: 1 request; repeats within ${describeDuration(windowMs)} update this flag).`,
          sample: [sampleOf(e)],
          windowMs,
        },
      ];
    },
    trackedSubjects: () => gate?.size() ?? 0,
  };
}

export const rule: RuleModule = {
  id: "scanner_user_agent",
  stateBy: "address",
  description: "A scanning tool's user agent (gobuster, ffuf, nikto, sqlmap, nuclei, …): high; no user agent at all: medium. Never generic clients or SDKs by themselves.",
  defaults,
  create: (spaces) => createScannerUserAgent({ spaces }),
};
