import { and, asc, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { credentialRefs, eventRefOf, insertLogEvents, type LogEventValues } from "../../db/event-store";
import { credentials, flags, logImports, type FlagEvidence } from "../../db/schema";
import { flagActivity, flagAssignments } from "../../db/schema-triage";
import type { DemoIds, DemoTx } from "./demo-seed-areas.server";

// The triage area's demo (issue 7): a handful of flags as detection raises them, with the requests
// behind the headline one (a contractor's valid key guessing the model's URL, low and slow), a flag
// acknowledged and assigned, one resolved, and one with the partner's response.

const MIN = 60_000;
const UA = "model-sdk-python/1.4.2";

export function seedDemoFlags(tx: DemoTx, ids: DemoIds) {
  const now = ids.now.getTime();
  const firstActive = (slug: string) => {
    const orgId = ids.orgIds.get(slug);
    if (!orgId) return null;
    return tx.select({ id: credentials.id, keyId: credentials.keyId, orgId: credentials.orgId }).from(credentials).where(and(eq(credentials.orgId, orgId), eq(credentials.status, "active"))).orderBy(asc(credentials.keyId)).limit(1).get() ?? null;
  };
  const security = ids.internalIds.get("security") ?? null;
  const importId = crypto.randomUUID();
  tx.insert(logImports).values({ id: importId, source: "gateway-eu", format: "jsonl", via: "cli", status: "completed", fileName: "gateway-eu-demo.jsonl", finishedAt: ids.now, createdById: security }).run();

  const importRef = eventRefOf(getDb().$client, "import", importId); // the same connection: inside the seed's transaction
  const credentialRef = credentialRefs(getDb().$client); // each credential's, made by a trigger when it was inserted
  let seq = 0;
  const events: LogEventValues[] = []; // stored together at the end
  const event = (c: { id: string; keyId: string }, ts: number, path: string, status: number, ip: string, ua = UA, model: string | null = null) => {
    seq++;
    events.push({ eventKey: 7_000_000 + seq, importRef, ts, requestId: `demo-${seq}`, keyRef: c.keyId, credentialRef: credentialRef.get(c.id) ?? null, srcIp: ip, userAgent: ua, method: "POST", path, endpoint: status < 400 ? "messages" : null, model, status, bytes: 400 + seq, latencyMs: 300 + seq });
    return { ts, method: "POST", path, status, srcIp: ip, userAgent: ua } satisfies FlagEvidence;
  };
  const flag = (v: Omit<typeof flags.$inferInsert, "subjectKey" | "windowMs" | "importId"> & { windowMs?: number }) =>
    tx
      .insert(flags)
      .values({ windowMs: 3_600_000, importId, subjectKey: v.credentialId ? `cred:${v.credentialId}` : `ip:${v.srcIp}`, ...v })
      .returning({ id: flags.id })
      .get().id;
  const note = (flagId: string, kind: (typeof flagActivity.$inferInsert)["kind"], actorName: string, body: string, partnerVisible: boolean, at: number) => tx.insert(flagActivity).values({ flagId, kind, actorName, body, partnerVisible, at: new Date(at) }).run();

  // 1. The 2026 pattern: a contractor's valid key, its usual address, five guesses of the model URL in 40 min.
  const contractor = firstActive("bluefin-data");
  if (contractor) {
    const ip = "34.120.18.44";
    const start = now - 3 * 3_600_000;
    for (let i = 0; i < 30; i++) event(contractor, start - 40 * MIN + i * 2 * MIN, "/v1/models/atlas-2/messages", 200, ip, UA, "atlas-2");
    const guesses = ["mythos-2", "mythos-3", "mythos-preview-2", "mythos-4", "mythos-5"].map((g, i) => event(contractor, start + i * 10 * MIN, `/v1/models/${g}/messages`, 404, ip, UA, g));
    for (let i = 0; i < 10; i++) event(contractor, start + 45 * MIN + i * 3 * MIN, "/v1/models/atlas-2/messages", 200, ip, UA, "atlas-2");
    const id = flag({ rule: "pattern_guessing", severity: "high", credentialId: contractor.id, orgId: contractor.orgId, srcIp: ip, keyRef: contractor.keyId, status: "open", firstSeen: start + 20 * MIN, lastSeen: start + 40 * MIN, count: 3, summary: `5 variants of the path shape /v1/models/{name}/messages requested with this key within 40 min, 5 answered non-2xx (threshold: at least 3 variants with at least 2 non-2xx in 1 h)`, evidence: guesses });
    flag({ rule: "unknown_model", severity: "high", credentialId: contractor.id, orgId: contractor.orgId, srcIp: ip, keyRef: contractor.keyId, status: "open", firstSeen: start, lastSeen: start + 40 * MIN, count: 5, windowMs: 86_400_000, summary: `Key ${contractor.keyId} asked for model "mythos-5", which is not in the catalog and contains the restricted model mythos-preview's family name "mythos" (5 distinct unknown names in 40 min; threshold: 3 in 24 h → high)`, evidence: guesses });
    void id;
  }

  // 2. A partner's CI from a new region: low, acknowledged, with the partner's answer.
  const partnerCred = firstActive("northwind");
  if (partnerCred) {
    const ip = "18.197.44.12";
    const ev = [0, 1, 2].map((i) => event(partnerCred, now - 26 * 3_600_000 + i * MIN, "/v1/models/atlas-2-mini/messages", 200, ip, UA, "atlas-2-mini"));
    const id = flag({ rule: "new_source", severity: "low", credentialId: partnerCred.id, orgId: partnerCred.orgId, srcIp: ip, keyRef: partnerCred.keyId, status: "acknowledged", firstSeen: ev[0].ts, lastSeen: ev[2].ts, count: 1, windowMs: 86_400_000, summary: `First use of key ${partnerCred.keyId} from ${ip} (18.197.44.0/24), not among the 4 addresses and 2 networks seen in its 10-day history`, evidence: ev });
    if (security) tx.insert(flagAssignments).values({ flagId: id, assigneeId: security, assignedById: security, at: new Date(now - 25 * 3_600_000) }).run();
    note(id, "acknowledged", "Sam Okafor", "Asked Northwind whether their CI moved.", false, now - 25 * 3_600_000);
    note(id, "response", "Priya Raman", "Our CI moved region (eu-central-1) on Monday; the new runners use this address range.", true, now - 23 * 3_600_000);
  }

  // 3. A scanner against the API without a key (no organisation: internal only).
  flag({ rule: "scanner_user_agent", severity: "high", srcIp: "193.142.146.35", status: "open", firstSeen: now - 5 * 3_600_000, lastSeen: now - 5 * 3_600_000 + 14_000, count: 3, summary: `User agent "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)" is the scanning tool nuclei (193.142.146.35: GET /v1/models)`, evidence: [{ ts: now - 5 * 3_600_000, method: "GET", path: "/v1/models", status: 401, srcIp: "193.142.146.35", userAgent: "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)" }] });

  // 4. A burst that turned out to be a planned load test: resolved.
  const helix = firstActive("helix-bio");
  if (helix) {
    const ip = "52.29.101.7";
    const id = flag({ rule: "rate_burst", severity: "medium", credentialId: helix.id, orgId: helix.orgId, srcIp: ip, keyRef: helix.keyId, status: "resolved", firstSeen: now - 3 * 86_400_000, lastSeen: now - 3 * 86_400_000 + 4 * MIN, count: 2, windowMs: 600_000, summary: `410 requests in one minute from key ${helix.keyId} (threshold: more than 5 × its baseline p99 of 22 per minute and more than 120 per minute)`, evidence: [{ ts: now - 3 * 86_400_000, method: "POST", path: "/v1/models/atlas-2/messages", status: 200, srcIp: ip, userAgent: UA }] });
    note(id, "resolved", "Sam Okafor", "Helix Bio's planned load test (ticket SEC-412).", true, now - 3 * 86_400_000 + 3_600_000);
  }
  insertLogEvents(getDb().$client, events);
}
