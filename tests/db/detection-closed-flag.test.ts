import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { flags } from "../../db/schema";
import { detectionSuppressions } from "../../db/schema-triage";
import { createImportDetector } from "../../app/models/detection.server";
import { applyFlagAction } from "../../app/models/flag.server";
import type { StoredEvent } from "../../app/models/log-import.server";
import { actorFor, createOrg, createUser } from "../support/factories";
import { createCredential, seedCatalog } from "../support/credential-factory";

// Security closes a flag while the import that raised it is still running (between two of its batches):
// the import must not go on updating the closed flag. A later firing opens a new flag, unless the flag
// was marked a false positive with a suppression, which the running import then respects.

const T0 = Date.parse("2026-11-20T10:00:00Z");
const WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo"];
let n = 0;

/** An event as importLogs hands it to the detector: a 404 on a distinct path, one per second. */
function probe(keyRef: string, credentialId: string, ms: number, path: string): StoredEvent {
  n++;
  return { importId: "import-closed-flag", ts: T0 + ms, keyRef, credentialId, srcIp: "198.51.100.7", userAgent: "model-sdk-python/1.4.2", method: "GET", path, endpoint: null, model: null, status: 404 };
}
const burst = (keyRef: string, credentialId: string, from: number, words: string[]) => words.map((w, i) => probe(keyRef, credentialId, from + i * 1000, `/v1/${w}`));
const errorBursts = (credentialId: string) => getDb().select().from(flags).where(eq(flags.credentialId, credentialId)).all().filter((f) => f.rule === "error_burst");

/** A credential, its import's detector, and the first batch of a burst (6 distinct 404s in 6 s): raised, and the error_burst flag. */
function firstBurst(keyPrefix: string) {
  const cred = createCredential(createOrg().id, { keyId: `${keyPrefix}_${n}` });
  const detector = createImportDetector();
  const raised = detector.onBatch(burst(cred.keyId, cred.id, 0, WORDS.slice(0, 6)));
  const [flag] = errorBursts(cred.id);
  return { cred, detector, raised, flag };
}

async function securityActor() {
  const u = await createUser({ role: "security" });
  return actorFor(u.id);
}

beforeEach(() => {
  seedCatalog();
});

describe("a flag closed while its import runs", () => {
  it("is not modified by the rest of the import; the next firing opens a new flag", async () => {
    // Batch 1: 6 distinct 404s in 6 s (more than 5 in the bucket): a medium error_burst flag.
    const { cred, detector, raised, flag } = firstBurst("kw_closed");
    expect(raised).toBe(1);
    expect(flag).toMatchObject({ severity: "medium", count: 1, status: "open" });

    const actor = await securityActor();
    expect(applyFlagAction({ actor, ip: null }, flag.id, { intent: "resolve", reason: "Our own test suite" })).toMatchObject({ ok: true });

    // Batch 2, same import: the burst goes on past 15 distinct paths (high): the rule fires again.
    detector.onBatch(burst(cred.keyId, cred.id, 6000, WORDS.slice(6)));
    detector.onComplete();
    const after = errorBursts(cred.id);
    const closed = after.find((f) => f.id === flag.id)!;
    expect(closed).toMatchObject({ status: "resolved", severity: "medium", count: 1, lastSeen: flag.lastSeen, summary: flag.summary });
    expect(closed.evidence).toEqual(flag.evidence);
    const reopened = after.filter((f) => f.id !== flag.id);
    expect(reopened).toHaveLength(1);
    expect(reopened[0]).toMatchObject({ status: "open", severity: "high", count: 1, credentialId: cred.id });
  });

  it("respects a suppression added by marking it a false positive meanwhile", async () => {
    const { cred, detector, raised, flag } = firstBurst("kw_closed_fp");
    expect(raised).toBe(1);

    const actor = await securityActor();
    expect(applyFlagAction({ actor, ip: null }, flag.id, { intent: "false_positive", reason: "Load test", suppress: "credential", days: 7 })).toMatchObject({ ok: true });
    expect(getDb().select().from(detectionSuppressions).where(eq(detectionSuppressions.flagId, flag.id)).all()).toHaveLength(1);

    expect(detector.onBatch(burst(cred.keyId, cred.id, 6000, WORDS.slice(6)))).toBe(0);
    const after = errorBursts(cred.id);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: flag.id, status: "false_positive", severity: "medium", count: 1, lastSeen: flag.lastSeen });
  });

  it("keeps updating a flag security only acknowledged (still live)", async () => {
    const { cred, detector, flag } = firstBurst("kw_ack");
    const actor = await securityActor();
    expect(applyFlagAction({ actor, ip: null }, flag.id, { intent: "acknowledge" })).toMatchObject({ ok: true });
    detector.onBatch(burst(cred.keyId, cred.id, 6000, WORDS.slice(6)));
    const after = errorBursts(cred.id);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: flag.id, status: "acknowledged", severity: "high", count: 2 });
  });
});
