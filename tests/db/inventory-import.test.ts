import fs from "node:fs";
import path from "node:path";
import { count, eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { getDb } from "../../db/client";
import { auditLog, catalogModels, credentials, credentialShares, orgEntitlements, organizations, outbox, users, webhooks } from "../../db/schema";
import { verifyAuditChain } from "../../app/models/audit.server";
import { listCredentialReport } from "../../app/models/credential-report.server";
import { getEntitlements } from "../../app/models/entitlement.server";
import { importInventory, readInventoryFile } from "../../app/models/inventory-import.server";

// One database for the whole file; the tests run in order on what the first import wrote.
const FIXTURES = path.resolve(__dirname, "../fixtures");
const NOW = new Date("2026-11-24T12:00:00.000Z");
const ctx = { actor: null, ip: null, now: NOW };

function read(name: string, text = fs.readFileSync(path.join(FIXTURES, name), "utf8")) {
  const file = readInventoryFile(name, text);
  if (!file.ok) throw new Error(file.error);
  return file;
}
const importFile = (name: string, text?: string) => {
  const file = read(name, text);
  return importInventory(ctx, file.doc, { source: { fileName: name, format: file.format, sha256: file.sha256 } });
};

function tableCounts() {
  const db = getDb();
  return {
    orgs: db.$count(organizations),
    users: db.$count(users),
    models: db.$count(catalogModels),
    credentials: db.$count(credentials),
    shares: db.$count(credentialShares),
    entitlements: db.$count(orgEntitlements),
    audit: db.$count(auditLog),
    outbox: db.$count(outbox),
  };
}
const credential = (keyId: string) => getDb().select().from(credentials).where(eq(credentials.keyId, keyId)).get()!;
const orgId = (slug: string) => getDb().select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, slug)).get()!.id;

describe("import-inventory", () => {
  test("a good JSON document imports everything, with audit entries and outbox events in the same transaction", () => {
    // A gateway receiver that hears about new credentials: the import must queue one event per credential.
    getDb().insert(webhooks).values({ name: "gateway", url: "https://gateway.example.test/hooks", events: ["credential.registered"], secret: "s".repeat(32) }).run();
    const result = importFile("inventory.json");
    expect(result).toMatchObject({
      ok: true,
      rejected: [],
      counts: {
        models: { created: 3, updated: 0 },
        endpoints: { created: 2, updated: 0 },
        organizations: { created: 3, updated: 0 },
        users: { created: 3, updated: 0 },
        credentials: { created: 5, updated: 0 },
      },
    });

    const db = getDb();
    const kite = db.select().from(organizations).where(eq(organizations.slug, "kite-labeling")).get()!;
    expect(kite).toMatchObject({ kind: "contractor", parentId: orgId("vega-bio"), tier: "restricted", status: "active" });
    expect(getEntitlements(orgId("vega-bio"))).toEqual({ models: ["@ga", "mythos-preview"], endpoints: ["*"] });
    expect(getEntitlements(kite.id)).toEqual({ models: ["atlas-2", "mythos-preview"], endpoints: ["messages"] });

    const invited = db.select().from(users).where(eq(users.email, "max@kite.example")).get()!;
    expect(invited).toMatchObject({ status: "invited", passwordHash: null, role: "partner_member", orgId: kite.id, name: "max" });

    const vega = credential("vega-research-01");
    expect(vega).toMatchObject({ status: "active", storage: "shared_drive", grantModels: ["atlas-2", "mythos-preview"], grantEndpoints: ["messages"], lastUsedIp: "203.0.113.40" });
    expect(vega.fingerprint).toBe("9f86d081884c7d659a2feae0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    expect(vega.holderUserId).toBe(db.select({ id: users.id }).from(users).where(eq(users.email, "rin@vega-bio.example")).get()!.id);
    expect(vega.issuedAt.toISOString()).toBe("2026-05-01T00:00:00.000Z");
    expect(db.select().from(credentialShares).where(eq(credentialShares.credentialId, vega.id)).all()).toEqual([{ credentialId: vega.id, orgId: kite.id }]);
    expect(credential("vega-old-batch")).toMatchObject({ status: "revoked", revokedReason: "Batch project ended", label: "vega-old-batch", storage: "other" });
    expect(credential("acme-prod-0001")).toMatchObject({ holderService: "summariser-service", holderUserId: null });

    const actions = db.select({ action: auditLog.action, targetId: auditLog.targetId }).from(auditLog).all();
    expect(actions.filter((a) => a.action === "credential.registered").map((a) => a.targetId).sort()).toEqual(db.select({ id: credentials.id }).from(credentials).all().map((c) => c.id).sort());
    expect(actions.filter((a) => a.action === "org.created")).toHaveLength(3);
    expect(actions.filter((a) => a.action === "user.created")).toHaveLength(3);
    expect(actions.at(-1)!.action).toBe("inventory.imported");
    const summary = db.select({ details: auditLog.details }).from(auditLog).where(eq(auditLog.action, "inventory.imported")).get()!;
    expect(JSON.parse(summary.details)).toMatchObject({ file: "inventory.json", format: "json", credentials: { created: 5 } });
    expect(db.select({ event: outbox.event }).from(outbox).all()).toEqual(Array(5).fill({ event: "credential.registered" }));
    expect(verifyAuditChain().ok).toBe(true);
  });

  test("importing the same file again creates nothing and writes nothing", () => {
    const before = tableCounts();
    const updatedAt = credential("vega-research-01").updatedAt;
    const result = importFile("inventory.json");
    expect(result.ok).toBe(true);
    for (const section of Object.values(result.counts)) expect(section.created + section.updated).toBe(0);
    expect(result.counts.credentials.unchanged).toBe(5);
    expect(tableCounts()).toEqual(before);
    expect(credential("vega-research-01").updatedAt).toEqual(updatedAt);
  });

  test("a changed file updates only what changed, audited with the changes", () => {
    const doc = JSON.parse(fs.readFileSync(path.join(FIXTURES, "inventory.json"), "utf8"));
    doc.credentials[0].storage = "local_file";
    doc.organizations[0].name = "Acme AI Ltd";
    const result = importFile("inventory-v2.json", JSON.stringify(doc));
    expect(result.counts).toMatchObject({ organizations: { created: 0, updated: 1, unchanged: 2 }, credentials: { created: 0, updated: 1, unchanged: 4 }, users: { updated: 0 } });
    expect(credential("acme-prod-0001").storage).toBe("local_file");
    const entry = getDb().select().from(auditLog).where(eq(auditLog.action, "credential.updated")).get()!;
    expect(JSON.parse(entry.details)).toMatchObject({ keyId: "acme-prod-0001", changes: { storage: { from: "secrets_manager", to: "local_file" } } });
    expect(entry.targetId).toBe(credential("acme-prod-0001").id);
  });

  test("a file with one bad row writes nothing and reports that row's number and reason", () => {
    const before = tableCounts();
    const doc = {
      organizations: [{ slug: "nova-labs", name: "Nova Labs", entitlements: ["@ga"] }],
      credentials: [
        { keyId: "nova-live-0001", org: "nova-labs", grant: ["atlas-2"] },
        { keyId: "nova-live-0002", org: "nova-labs", grant: ["atlas-2"] },
        { keyId: "nova-live-0003", org: "nova-labs", grant: ["mythos-preview"] },
      ],
    };
    const result = importFile("bad.json", JSON.stringify(doc));
    expect(result.ok).toBe(false);
    expect(result.rejected).toEqual([{ section: "credentials", row: 3, key: "nova-live-0003", reason: "grant outside nova-labs's entitlements: mythos-preview" }]);
    expect(tableCounts()).toEqual(before);
    expect(getDb().select().from(organizations).where(eq(organizations.slug, "nova-labs")).get()).toBeUndefined();
  });

  test("all or nothing: a failure while writing rolls back what was written before it", () => {
    const sqlite = getDb().$client;
    sqlite.exec("CREATE TRIGGER explode BEFORE INSERT ON credentials WHEN NEW.key_id = 'nova-boom-0002' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
    try {
      const before = tableCounts();
      const doc = { organizations: [{ slug: "nova-labs", name: "Nova Labs", entitlements: ["@ga"] }], credentials: [{ keyId: "nova-live-0001", org: "nova-labs", grant: ["atlas-2"] }, { keyId: "nova-boom-0002", org: "nova-labs", grant: ["atlas-2"] }] };
      expect(() => importFile("boom.json", JSON.stringify(doc))).toThrow(/disk on fire/);
      expect(tableCounts()).toEqual(before);
    } finally {
      sqlite.exec("DROP TRIGGER explode");
    }
  });

  test("a credentials CSV imports; its bad rows are numbered as spreadsheet rows (header = row 1)", () => {
    const result = importFile("credentials.csv");
    expect(result).toMatchObject({ ok: true, counts: { credentials: { created: 3, updated: 0 } } });
    expect(credential("acme-batch-0003")).toMatchObject({ label: "Nightly batch, EU region", grantModels: ["atlas-2", "atlas-2-mini"], grantEndpoints: ["*"], lastUsedUserAgent: "curl/8.5.0" });
    expect(credential("acme-ci-0004")).toMatchObject({ grantEndpoints: ["messages", "models-list"], storage: "ci_secret", status: "active", expiresAt: new Date("2027-02-10T00:00:00.000Z") });
    const shared = credential("vega-shared-02");
    expect(shared).toMatchObject({ status: "suspended", issuedAt: new Date("2026-10-05T07:30:00.000Z") });
    expect(getDb().select({ orgId: credentialShares.orgId }).from(credentialShares).where(eq(credentialShares.credentialId, shared.id)).all()).toEqual([{ orgId: orgId("kite-labeling") }]);
    expect(read("credentials.csv").ignoredColumns).toEqual(["notes"]);

    const before = tableCounts();
    const bad = importFile("bad.csv", ["keyId,org,grant,issuedAt", "acme-csv-0005,acme-ai,atlas-2,2026-01-05", "acme-csv-0006,acme-ai,atlas-2,05/01/2026", "acme-csv-0005,acme-ai,atlas-2,"].join("\n"));
    expect(bad.rejected.map((r) => [r.row, r.reason])).toEqual([
      [3, expect.stringMatching(/^issuedAt: Use an ISO date/)],
      [4, "duplicate keyId acme-csv-0005: it already appears in row 2"],
    ]);
    expect(tableCounts()).toEqual(before);
  });

  test("a contractor's entitlements must be within its sponsor's, also when only the sponsor's change", () => {
    const wide = importFile("wide.json", JSON.stringify({ organizations: [{ slug: "kite-labeling", entitlements: ["@ga", "mythos-preview", "atlas-2"] }] }));
    expect(wide.ok).toBe(true); // vega-bio has @ga and mythos-preview: within
    const outside = importFile("outside.json", JSON.stringify({ organizations: [{ slug: "acme-sub", name: "Acme Sub", parent: "acme-ai", entitlements: ["mythos-preview"] }] }));
    expect(outside.rejected).toEqual([{ section: "organizations", row: 1, key: "acme-sub", reason: "entitlements must be within its sponsor acme-ai's; outside them: mythos-preview" }]);
    const narrowed = importFile("narrow.json", JSON.stringify({ organizations: [{ slug: "vega-bio", entitlements: ["@ga"] }] }));
    expect(narrowed.ok).toBe(false);
    expect(narrowed.rejected.map((r) => r.reason)).toEqual([
      expect.stringMatching(/would leave its contractor kite-labeling outside them \(mythos-preview\)/),
      expect.stringMatching(/would leave credentials outside them: vega-research-01 \(mythos-preview\), vega-shared-02 \(mythos-preview\)/),
    ]);
    expect(getEntitlements(orgId("vega-bio")).models).toEqual(["@ga", "mythos-preview"]);
  });

  test("the credentials report: hygiene from the tier's policy, last use, unknown organisation", () => {
    const all = listCredentialReport({}, NOW)!;
    expect(all.map((r) => r.keyId)).toEqual([...all].sort((a, b) => a.org.localeCompare(b.org) || a.keyId.localeCompare(b.keyId)).map((r) => r.keyId));
    const vega = all.find((r) => r.keyId === "vega-research-01")!;
    // Restricted tier: 30 days from the last rotation (2026-10-01) → overdue on 2026-11-24.
    expect(vega).toMatchObject({ org: "vega-bio", status: "active", tier: "restricted", maxAgeDays: 30, ageDays: 54, rotationState: "overdue", rotationDueAt: "2026-10-31T00:00:00.000Z", lastUsedIp: "203.0.113.40", lastUsedUserAgent: "model-sdk-python/1.4.2", sharedWith: ["kite-labeling"] });
    expect(all.find((r) => r.keyId === "acme-dev-0002")).toMatchObject({ ageDays: 70, maxAgeDays: 90, rotationState: "ok", usageState: "never_used", lastUsedAt: null, expiresAt: "2027-03-15T00:00:00.000Z" });
    expect(all.find((r) => r.keyId === "vega-old-batch")).toMatchObject({ status: "revoked", rotationState: "not_applicable" });
    expect(listCredentialReport({ orgSlug: "kite-labeling" }, NOW)!.map((r) => r.keyId)).toEqual(["kite-annotate-1"]);
    expect(listCredentialReport({ orgSlug: "no-such-org" }, NOW)).toBeNull();
    expect(getDb().select({ n: count() }).from(credentials).get()!.n).toBe(all.length);
  });
});
