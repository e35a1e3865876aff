import { getDb } from "../../db/client";
import { flags } from "../../db/schema";

/** A flag as detection would have raised it (tests only). */
export function createFlag(overrides: Partial<typeof flags.$inferInsert> = {}) {
  const now = Date.now();
  const credentialId = overrides.credentialId ?? null;
  return getDb()
    .insert(flags)
    .values({
      rule: "error_burst",
      severity: "high",
      subjectKey: credentialId ? `cred:${credentialId}` : `ip:${overrides.srcIp ?? "203.0.113.9"}`,
      status: "open",
      firstSeen: now - 60_000,
      lastSeen: now,
      count: 3,
      summary: "More than 5 distinct paths answered 4xx within the bucket.",
      evidence: [{ ts: now - 30_000, method: "GET", path: "/v1/models/x/messages", status: 404, srcIp: "203.0.113.9", userAgent: "curl/8" }],
      windowMs: 600_000,
      ...overrides,
    })
    .returning()
    .get();
}
