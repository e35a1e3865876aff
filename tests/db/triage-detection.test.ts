import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { credentialBaselines, credentials, flags, logEventRows, logImports, outbox } from "../../db/schema";
import { detectionPolicy, detectionRuleSettings, detectionSuppressions, flagActivity } from "../../db/schema-triage";
import { createImportDetector } from "../../app/models/detection.server";
import { saveRuleSettings, setAutoSuspendCritical } from "../../app/models/detection-settings.server";
import { importLogs } from "../../app/models/log-import.server";
import { createOrg } from "../support/factories";
import { createCredential, createWebhook, seedCatalog } from "../support/credential-factory";

// Detection's side of triage: suppressions, notifications of new high/critical flags, the auto-suspend
// policy, thresholds from the settings page, and secret_in_logs during a real import.

const T0 = Date.parse("2026-11-21T09:00:00Z");
let K = "kw_tri";
let n = 0;
const ev = (ms: number, over: Record<string, unknown> = {}) => ({ ts: new Date(T0 + ms).toISOString(), requestId: `t${n}-${ms}-${Math.random().toString(36).slice(2, 8)}`, keyId: K, srcIp: "198.51.100.7", userAgent: "model-sdk-python/1.4.2", method: "POST", path: "/v1/messages", model: "opus-4", status: 200, ...over });
async function* pieces(data: string) {
  yield Buffer.from(data);
}
const run = (lines: Record<string, unknown>[]) => importLogs({ source: "test", format: "jsonl", via: "cli", input: pieces(lines.map((l) => JSON.stringify(l)).join("\n") + "\n"), ctx: { actor: null, ip: null }, ...createImportDetector() });
/** Eight distinct 404 paths within 40 s: error_burst (more than 5 distinct, leaking 1 per 10 s). */
const burst = (from: number) => Array.from({ length: 8 }, (_, i) => ev(from + i * 1_000, { path: `/v1/nothing-${i}`, model: null, status: 404 }));

beforeEach(() => {
  const db = getDb();
  for (const t of [logEventRows, logImports, flags, credentialBaselines, detectionSuppressions, detectionRuleSettings, detectionPolicy, outbox, flagActivity]) db.delete(t).run();
  seedCatalog();
  n++;
  K = `kw_tri${n}`;
});

describe("detection and triage", () => {
  it("raises no flag for a finding under a live suppression (rule + credential), and still raises other rules", async () => {
    const org = createOrg();
    const cred = createCredential(org.id, { keyId: K });
    getDb().insert(detectionSuppressions).values({ rule: "error_burst", credentialId: cred.id, reason: "load test", expiresAt: new Date(Date.now() + 86_400_000) }).run();
    await run([...burst(0), ev(60_000, { model: "zephyr-unreleased-x", path: "/v1/models/zephyr-unreleased-x/messages", status: 404 })]);
    const rules = getDb().select().from(flags).all().map((f) => f.rule);
    expect(rules).not.toContain("error_burst");
    expect(rules.length).toBeGreaterThan(0);
  });

  it("ignores an expired suppression", async () => {
    const org = createOrg();
    const cred = createCredential(org.id, { keyId: K });
    getDb().insert(detectionSuppressions).values({ rule: "error_burst", credentialId: cred.id, reason: "old", expiresAt: new Date(Date.now() - 1000) }).run();
    await run(burst(0));
    expect(getDb().select().from(flags).all().map((f) => f.rule)).toContain("error_burst");
  });

  it("sends a new high or critical flag through the outbox with Slack-compatible text and the JSON data, once per flag", async () => {
    const org = createOrg();
    createCredential(org.id, { keyId: K });
    const hook = createWebhook(["flag.raised"]);
    await run([ev(0, { userAgent: "sqlmap/1.7" }), ev(1000, { userAgent: "sqlmap/1.7" })]);
    const rows = getDb().select().from(outbox).where(eq(outbox.webhookId, hook.id)).all();
    expect(rows).toHaveLength(1);
    const body = JSON.parse(rows[0].payload);
    expect(body).toMatchObject({ event: "flag.raised", data: { rule: "scanner_user_agent", severity: "high", keyId: K } });
    expect(body.text).toMatch(/^\[HIGH\] scanner_user_agent on credential kw_tri\d+: .+ http.+\/flags\//);
  });

  it("suspends the credential of a critical flag when the policy is on (gateway told), and not when it is off", async () => {
    const org = createOrg();
    const cred = createCredential(org.id, { keyId: K });
    const gateway = createWebhook(["credential.suspended"]);
    await run([ev(0, { model: "mythos-preview" })]);
    const crit = getDb().select().from(flags).where(eq(flags.severity, "critical")).all();
    expect(crit.length).toBeGreaterThan(0);
    expect(getDb().select().from(credentials).where(eq(credentials.id, cred.id)).get()!.status).toBe("active");

    setAutoSuspendCritical({ actor: null, ip: null }, true);
    getDb().delete(flags).run();
    await run([ev(7_200_000, { model: "mythos-preview" })]);
    expect(getDb().select().from(credentials).where(eq(credentials.id, cred.id)).get()!.status).toBe("suspended");
    expect(getDb().select().from(outbox).where(eq(outbox.webhookId, gateway.id)).all()).toHaveLength(1);
    expect(getDb().select().from(flagActivity).all().map((a) => a.kind)).toContain("suspended");
  });

  it("uses the thresholds saved on the settings page", async () => {
    const org = createOrg();
    createCredential(org.id, { keyId: K });
    saveRuleSettings({ actor: null, ip: null }, "error_burst", { capacity: 20, leakMs: 10_000, highMultiplier: 3, repeatWindowMs: 600_000 });
    await run(burst(0));
    expect(getDb().select().from(flags).all().map((f) => f.rule)).not.toContain("error_burst");
  });

  it("raises secret_in_logs during an import when a line carried an authorization header", async () => {
    const org = createOrg();
    createCredential(org.id, { keyId: K });
    const s = await run([ev(0, { headers: { authorization: "Bearer sk-live-abcdef0123456789" } }), ev(1000)]);
    expect(s.secretsStripped).toBe(1);
    const f = getDb().select().from(flags).where(eq(flags.rule, "secret_in_logs")).all();
    expect(f).toHaveLength(1);
    expect(f[0].summary).not.toContain("sk-live");
  });
});

describe("a flag that rises to high", () => {
  it("is notified when an existing flag's severity rises to high within its window", async () => {
    const org = createOrg();
    createCredential(org.id, { keyId: K });
    const hook = createWebhook(["flag.raised"]);
    // error_burst: more than 5 distinct 4xx paths → medium; more than 15 (3 × capacity) → high, same flag.
    const paths = Array.from({ length: 20 }, (_, i) => ev(i * 500, { path: `/v1/probe-${i}`, model: null, status: 404 }));
    await run(paths);
    const burst = getDb().select().from(flags).where(eq(flags.rule, "error_burst")).all();
    expect(burst).toHaveLength(1);
    expect(burst[0].severity).toBe("high");
    const sent = getDb().select().from(outbox).where(eq(outbox.webhookId, hook.id)).all().map((r) => JSON.parse(r.payload).data);
    expect(sent.filter((d) => d.rule === "error_burst")).toHaveLength(1);
  });
});
