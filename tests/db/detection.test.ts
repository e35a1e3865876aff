import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { credentialBaselines, flags, logEventRows, logImports } from "../../db/schema";
import { createImportDetector, flagSubjectKey, listFlagsForCli, mergeEvidence, p99 } from "../../app/models/detection.server";
import { importLogs } from "../../app/models/log-import.server";
import { createOrg } from "../support/factories";
import { createCredential, createRotation, DAY, seedCatalog } from "../support/credential-factory";

const T0 = Date.parse("2026-11-20T10:00:00Z");
let K = "kw_live_det";
let n = 0;

function jsonl(events: Record<string, unknown>[]) {
  return events.map((e) => JSON.stringify(e)).join("\n") + "\n";
}
function ev(ms: number, over: Record<string, unknown> = {}) {
  return { ts: new Date(T0 + ms).toISOString(), requestId: `d${n}-${ms}-${Math.random().toString(36).slice(2, 8)}`, keyId: K, srcIp: "198.51.100.7", userAgent: "model-sdk-python/1.4.2", method: "POST", path: "/v1/messages", model: "opus-4", status: 200, ...over };
}
async function* pieces(data: string) {
  yield Buffer.from(data);
}
const run = (data: string) => {
  const d = createImportDetector();
  return importLogs({ source: "test", format: "jsonl", via: "cli", input: pieces(data), ctx: { actor: null, ip: null }, ...d });
};
const allFlags = () => getDb().select().from(flags).all();

beforeEach(() => {
  const db = getDb();
  db.delete(logEventRows).run();
  db.delete(logImports).run();
  db.delete(flags).run();
  db.delete(credentialBaselines).run();
  seedCatalog();
  n++;
  K = `kw_live_det${n}`;
});

const ofRule = (rule: string) => getDb().select().from(flags).where(eq(flags.rule, rule)).all();

describe("detection during import", () => {
  it("raises pattern_guessing, unknown_model and scanner_user_agent flags for a guessing attack with a registered key", async () => {
    const org = createOrg();
    const cred = createCredential(org.id, { keyId: K });
    const lines = [
      ev(0),
      ev(60_000, { path: "/v1/models/opus-5/messages", model: "opus-5", status: 404 }),
      ev(120_000, { path: "/v1/models/opus-6/messages", model: "opus-6", status: 404 }),
      ev(180_000, { path: "/v1/models/opus-7/messages", model: "opus-7", status: 404 }),
      ev(240_000, { userAgent: "Fuzz Faster U Fool v2.1.0", path: "/v1/admin", status: 404, model: null }),
    ];
    const s = await run(jsonl(lines));
    expect(s.flagsRaised).toBe(3);
    const all = allFlags();
    expect(all.map((f) => f.rule).sort()).toEqual(["pattern_guessing", "scanner_user_agent", "unknown_model"]);
    for (const f of all) expect(f).toMatchObject({ status: "open", importId: s.importId });

    const guess = ofRule("pattern_guessing")[0];
    expect(guess).toMatchObject({ severity: "high", credentialId: cred.id, orgId: org.id, keyRef: K, subjectKey: `cred:${cred.id}`, count: 1, lastSeen: T0 + 180_000, windowMs: 3_600_000 });
    expect(guess.summary).toContain("3 variants of the path shape");
    expect(guess.evidence.map((e) => [e.path, e.status])).toEqual([
      ["/v1/models/opus-5/messages", 404],
      ["/v1/models/opus-6/messages", 404],
      ["/v1/models/opus-7/messages", 404],
    ]);

    // Three typos (info each) then the escalation (3 distinct unknown names in 24 h → high): one flag.
    const unknown = ofRule("unknown_model")[0];
    expect(unknown).toMatchObject({ severity: "high", credentialId: cred.id, count: 3, firstSeen: T0 + 60_000, lastSeen: T0 + 180_000 });
    expect(unknown.summary).toContain("3 distinct model names");

    const scanner = ofRule("scanner_user_agent")[0];
    expect(scanner).toMatchObject({ severity: "high", srcIp: "198.51.100.7", subjectKey: "ip:198.51.100.7", credentialId: cred.id, orgId: org.id });
    expect(scanner.evidence).toEqual([{ ts: T0 + 240_000, method: "POST", path: "/v1/admin", status: 404, srcIp: "198.51.100.7", userAgent: "Fuzz Faster U Fool v2.1.0" }]);

    const listed = listFlagsForCli();
    expect(listed[0]).toEqual({ id: scanner.id, rule: "scanner_user_agent", severity: "high", keyId: K, org: org.slug, srcIp: "198.51.100.7", status: "open", count: 1, firstSeen: new Date(T0 + 240_000).toISOString(), lastSeen: new Date(T0 + 240_000).toISOString(), summary: scanner.summary });
    expect(listFlagsForCli({ rule: "unknown_model" }).map((f) => f.id)).toEqual([unknown.id]);
    expect(listFlagsForCli({ status: "resolved" })).toEqual([]);
  });

  it("flags a burst split over two imports once: the second import updates the same flag", async () => {
    const org = createOrg();
    const cred = createCredential(org.id, { keyId: K });
    const words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima"];
    const burst = (from: number, ws: string[]) => ws.map((w, i) => ev(from + i * 1000, { method: "GET", path: `/v1/${w}`, model: null, status: 404 }));
    const first = await run(jsonl(burst(0, words.slice(0, 6))));
    expect(first.flagsRaised).toBeGreaterThanOrEqual(1);
    const [flag] = ofRule("error_burst");
    expect(flag).toMatchObject({ credentialId: cred.id, count: 1, firstSeen: T0 + 5000, lastSeen: T0 + 5000, importId: first.importId });

    const second = await run(jsonl(burst(120_000, words.slice(6))));
    expect(second.importId).not.toBe(first.importId);
    const after = ofRule("error_burst");
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: flag.id, count: 2, firstSeen: T0 + 5000, lastSeen: T0 + 125_000, importId: first.importId });
    expect(after[0].evidence.length).toBeGreaterThan(flag.evidence.length);
    expect(after[0].evidence.length).toBeLessThanOrEqual(20);
    expect(after[0].evidence.some((e) => e.path === "/v1/lima")).toBe(true);

    // A resolved flag is closed: the next firing opens a new one.
    getDb().update(flags).set({ status: "resolved" }).where(eq(flags.id, flag.id)).run();
    K = `${K}`; // same key
    const third = await run(jsonl(burst(240_000, words.slice(0, 6).map((w) => `${w}-again`))));
    expect(third.flagsRaised).toBeGreaterThanOrEqual(1);
    expect(ofRule("error_burst")).toHaveLength(2);
  });

  it("raises nothing new when the same file is imported again (stored duplicates are not observed twice)", async () => {
    const org = createOrg();
    createCredential(org.id, { keyId: K });
    const data = jsonl([ev(0, { userAgent: "sqlmap/1.7.2" }), ev(1000, { userAgent: "" })]);
    const first = await run(data);
    expect(first.flagsRaised).toBe(1); // one address: the empty user agent updates the sqlmap flag
    const before = allFlags();
    expect(before).toHaveLength(1);
    const again = await run(data);
    expect(again).toMatchObject({ duplicates: 2, flagsRaised: 0 });
    expect(allFlags()).toEqual(before);
  });

  it("writes baselines at the end of an import, and the next import judges new sources against them", async () => {
    const org = createOrg();
    const cred = createCredential(org.id, { keyId: K, issuedAt: new Date(T0 - 60 * DAY) });
    const old = T0 - 11 * DAY;
    const history = [ev(-11 * DAY), ev(-11 * DAY + 1000, { srcIp: "198.51.100.8" }), ev(-11 * DAY + 2000, { model: "sonnet-4", status: 403 }), ev(-11 * DAY + 3000, { srcIp: "192.0.2.10" })];
    await run(jsonl(history));
    const b = getDb().select().from(credentialBaselines).where(eq(credentialBaselines.credentialId, cred.id)).get()!;
    expect(b).toMatchObject({ firstSeenAt: old, lastUsedAt: old + 3000, modelsUsed: ["opus-4"], ratePerMinuteP99: 4 });
    expect(b.knownIps).toEqual(["192.0.2.10", "198.51.100.7", "198.51.100.8"]);
    expect(b.knownPrefixes).toEqual(["192.0.2.0/24", "198.51.100.0/24"]);
    expect(ofRule("new_source")).toEqual([]); // history shorter than 10 days: suppressed

    // 11 days later: a known address and a neighbour in a known /24 are not new; 203.0.113.9 is.
    const s = await run(jsonl([ev(0), ev(1000, { srcIp: "198.51.100.99" }), ev(2000, { srcIp: "203.0.113.9" })]));
    const fresh = ofRule("new_source");
    expect(fresh).toHaveLength(1);
    expect(fresh[0]).toMatchObject({ severity: "low", srcIp: "203.0.113.9", subjectKey: `cred:${cred.id}|ip:203.0.113.9`, importId: s.importId });
    const b2 = getDb().select().from(credentialBaselines).where(eq(credentialBaselines.credentialId, cred.id)).get()!;
    expect(b2).toMatchObject({ firstSeenAt: old, lastUsedAt: T0 + 2000 });
    expect(b2.knownIps.slice(0, 3)).toEqual(["203.0.113.9", "198.51.100.99", "198.51.100.7"]);
    expect(b2.knownIps).toContain("192.0.2.10");
    expect(b2.knownPrefixes).toContain("203.0.113.0/24");
  });

  it("knows rotated-away keys (grace period) and when a credential was revoked", async () => {
    const org = createOrg();
    const oldKey = `${K}_old`;
    const cred = createCredential(org.id, { keyId: K });
    createRotation(cred.id, { oldKeyId: oldKey, newKeyId: K, rotatedAt: new Date(T0 - 2 * DAY), graceEndsAt: new Date(T0 + 3_600_000) });
    const revokedKey = `${K}_rev`;
    const revoked = createCredential(org.id, { keyId: revokedKey, status: "revoked", revokedAt: new Date(T0 + 60_000) });
    await run(jsonl([ev(3_000_000, { keyId: oldKey }), ev(3_650_000, { keyId: oldKey }), ev(1000, { keyId: revokedKey }), ev(120_000, { keyId: revokedKey })]));
    const uses = ofRule("revoked_credential_use");
    const forRotated = uses.filter((f) => f.credentialId === cred.id);
    expect(forRotated).toHaveLength(1);
    // Within grace: info; after it: critical, on the same flag (severity is the maximum).
    expect(forRotated[0]).toMatchObject({ severity: "critical", count: 2, keyRef: oldKey });
    const forRevoked = uses.filter((f) => f.credentialId === revoked.id);
    expect(forRevoked).toHaveLength(1);
    expect(forRevoked[0]).toMatchObject({ severity: "critical", count: 1, firstSeen: T0 + 120_000 }); // the use before revocation was legitimate
    expect(ofRule("unregistered_credential")).toEqual([]);
  });

  it("takes the inventory's last use as the baseline of a credential detection has not seen yet", async () => {
    const org = createOrg();
    const usedRecently = createCredential(org.id, { keyId: K, issuedAt: new Date(T0 - 60 * DAY), lastUsedAt: new Date(T0 - 5 * DAY), lastUsedIp: "198.51.100.7" });
    const neverUsed = createCredential(org.id, { keyId: `${K}_never`, issuedAt: new Date(T0 - 60 * DAY) });
    const longIdle = createCredential(org.id, { keyId: `${K}_idle`, issuedAt: new Date(T0 - 400 * DAY), lastUsedAt: new Date(T0 - 120 * DAY) });
    await run(jsonl([ev(0), ev(1000, { keyId: `${K}_never` }), ev(2000, { keyId: `${K}_idle` })]));
    const dormant = ofRule("dormant_reactivated");
    expect(dormant.map((f) => f.credentialId).sort()).toEqual([neverUsed.id, longIdle.id].sort());
    expect(dormant.find((f) => f.credentialId === longIdle.id)!.summary).toContain("120 days idle");
    expect(dormant.some((f) => f.credentialId === usedRecently.id)).toBe(false);
  });

  it("flags a key never registered that succeeds", async () => {
    const s = await run(jsonl([ev(0, { keyId: "kw_live_nobody" })]));
    expect(s.flagsRaised).toBeGreaterThanOrEqual(1);
    expect(ofRule("unregistered_credential")[0]).toMatchObject({ keyRef: "kw_live_nobody", credentialId: null, orgId: null, subjectKey: "key:kw_live_nobody" });
  });
});

describe("detection helpers", () => {
  it("names a flag's subject by the rule's subject", () => {
    const f = { credentialId: "c1", keyRef: "k1", srcIp: "203.0.113.9" };
    expect(flagSubjectKey({ rule: "error_burst", ...f })).toBe("cred:c1");
    expect(flagSubjectKey({ rule: "ip_probe", ...f })).toBe("ip:203.0.113.9");
    expect(flagSubjectKey({ rule: "new_source", ...f })).toBe("cred:c1|ip:203.0.113.9");
    expect(flagSubjectKey({ rule: "unregistered_credential", ...f, credentialId: null })).toBe("key:k1");
    expect(flagSubjectKey({ rule: "pattern_guessing", credentialId: null, keyRef: null, srcIp: "203.0.113.9" })).toBe("ip:203.0.113.9");
  });

  it("caps evidence at the 20 latest entries without duplicates", () => {
    const e = (i: number) => ({ ts: i, method: "GET", path: `/p${i}`, status: 404, srcIp: null, userAgent: null });
    const merged = mergeEvidence(Array.from({ length: 15 }, (_, i) => e(i)), [e(14), ...Array.from({ length: 10 }, (_, i) => e(15 + i))]);
    expect(merged).toHaveLength(20);
    expect(merged[0].ts).toBe(5);
    expect(merged.at(-1)!.ts).toBe(24);
  });

  it("takes the nearest-rank 99th percentile", () => {
    expect(p99([])).toBeNull();
    expect(p99([3])).toBe(3);
    expect(p99(Array.from({ length: 100 }, (_, i) => i + 1))).toBe(99);
    expect(p99(Array.from({ length: 200 }, (_, i) => (i === 199 ? 1000 : 1)))).toBe(1);
  });
});
