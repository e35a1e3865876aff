// How the detection rules name an event's subject: a stable key for per-subject state, and the words a
// finding's summary starts with.

import type { DetectionEvent } from "./types";

/** The credential when known, else the key reference, else the source IP. */
export function subjectKey(e: Pick<DetectionEvent, "credentialId" | "keyRef" | "srcIp">): string {
  if (e.credentialId) return `c:${e.credentialId}`;
  if (e.keyRef) return `k:${e.keyRef}`;
  return `ip:${e.srcIp ?? "-"}`;
}

/** "Key kw_live_01 from 203.0.113.9", "A request from 203.0.113.9". */
export function subjectLabel(e: Pick<DetectionEvent, "credentialId" | "keyRef" | "srcIp">): string {
  const from = e.srcIp ? ` from ${e.srcIp}` : "";
  if (e.keyRef) return `Key ${e.keyRef}${from}`;
  if (e.credentialId) return `Credential ${e.credentialId}${from}`;
  return e.srcIp ? `A request from ${e.srcIp}` : "A request with no key or source address";
}
