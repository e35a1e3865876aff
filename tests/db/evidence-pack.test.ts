import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { auditLog } from "../../db/schema";
import { generateKeyPair, exportJWK } from "jose";
import { writeAudit } from "~/models/audit.server";
import { buildEvidencePack, EVIDENCE_SECTIONS } from "~/models/evidence-pack.server";
import { verifyEvidencePack } from "~/models/evidence-pack-verify.server";
import { getJwks } from "~/jwt.server";
import { createCredential, createRotation, daysAgo } from "../support/credential-factory";
import { createFlag } from "../support/dashboard-factory";
import { acceptedAttestation } from "../support/attestation-factory";
import { runShell } from "../support/run-process";
import { actorFor, createUser, tenancyWorld } from "../support/factories";
import { createCampaign } from "~/models/campaign.server";

const today = new Date().toISOString().slice(0, 10);
const monthAgo = daysAgo(30).toISOString().slice(0, 10);

async function world() {
  const w = await tenancyWorld();
  const mine = createCredential(w.partner.id, { label: "Partner prod key", issuedAt: daysAgo(100) });
  const theirs = createCredential(w.other.id, { label: "Other tenant key", issuedAt: daysAgo(50) });
  createRotation(mine.id, { oldKeyId: `${mine.keyId}_old`, newKeyId: mine.keyId, rotatedAt: daysAgo(5), graceEndsAt: daysAgo(4) });
  createRotation(theirs.id, { oldKeyId: `${theirs.keyId}_old`, newKeyId: theirs.keyId, rotatedAt: daysAgo(6), graceEndsAt: daysAgo(5) });
  const myFlag = createFlag({ rule: "out_of_grant", severity: "high", credentialId: mine.id, orgId: w.partner.id, status: "resolved", at: daysAgo(3) });
  const theirFlag = createFlag({ rule: "unreleased_model", severity: "critical", credentialId: theirs.id, orgId: w.other.id, at: daysAgo(2) });
  const vm = actorFor(w.vm.id);
  getDb().transaction((tx) => {
    writeAudit(tx, { actor: vm, ip: null }, { action: "org.updated", targetType: "org", targetId: w.partner.slug, orgId: w.partner.id, details: { note: "partner-audit-marker" } });
    writeAudit(tx, { actor: vm, ip: null }, { action: "org.updated", targetType: "org", targetId: w.other.slug, orgId: w.other.id, details: { note: "other-audit-marker" } });
  });
  return { w, mine, theirs, myFlag, theirFlag, vm };
}

const files = (zip: Uint8Array) => unzipSync(zip);
const allText = (zip: Uint8Array) => Object.values(files(zip)).map((b) => strFromU8(b)).join("\n");

describe("evidence packs", () => {
  it("holds every section as CSV and JSON with a signed manifest that verifies", async () => {
    const { vm, mine, theirs } = await world();
    const r = await buildEvidencePack({ actor: vm, ip: "192.0.2.1" }, { from: monthAgo, to: today });
    if (!r.ok) throw new Error(r.message);
    const names = Object.keys(files(r.pack.zip)).sort();
    for (const s of ["organisations", "inventory", "rotations", "flags", "audit-log"]) {
      expect(names).toContain(`${s}.csv`);
      expect(names).toContain(`${s}.json`);
    }
    expect(names).toEqual(expect.arrayContaining(["README.txt", "manifest.json", "manifest.jws"]));
    expect(r.pack.manifest.files.map((f) => f.path).sort()).toEqual(names.filter((n) => !n.startsWith("manifest.")).sort());
    const text = allText(r.pack.zip);
    expect(text).toContain(mine.keyId);
    expect(text).toContain(theirs.keyId);
    const inventory = JSON.parse(strFromU8(files(r.pack.zip)["inventory.json"]));
    expect(inventory.find((c: { keyId: string }) => c.keyId === mine.keyId)).toMatchObject({ rotationState: "overdue", ageDays: 100, maxAgeDays: 90 });
    const v = await verifyEvidencePack(r.pack.zip);
    expect(v).toMatchObject({ ok: true, problems: [] });
    // with the published JWKS too (an auditor's copy)
    expect((await verifyEvidencePack(r.pack.zip, { jwks: await getJwks() })).ok).toBe(true);
  });

  it("carries attestations with their receipts (issue 4), scoped to the organisation", async () => {
    const { w, vm } = await world();
    const att = await acceptedAttestation(vm, actorFor(w.partnerAdmin.id), w.partner.slug);
    const theirs = await acceptedAttestation(vm, actorFor(w.otherAdmin.id), w.other.slug);
    const r = await buildEvidencePack({ actor: vm, ip: null }, { from: monthAgo, to: today, org: w.partner.slug });
    if (!r.ok) throw new Error(r.message);
    const zip = files(r.pack.zip);
    expect(Object.keys(zip)).toEqual(expect.arrayContaining(["attestations/attestations.csv", "attestations/attestations.json", "attestations/gaps.csv", `attestations/receipts/${att.id}.jws`]));
    expect(Object.keys(zip)).not.toContain(`attestations/receipts/${theirs.id}.jws`);
    expect(strFromU8(zip["attestations/attestations.csv"])).toContain(att.id);
    expect(strFromU8(zip["attestations/attestations.csv"])).not.toContain(theirs.id);
    expect((await verifyEvidencePack(r.pack.zip)).ok).toBe(true);
  });

  it("narrowed to one organisation, its access review reports name no other organisation of the campaign (security review)", async () => {
    const { w, vm, mine, theirs } = await world();
    const c = createCampaign({ actor: vm, ip: null }, { name: "Shared review", orgs: [w.partner.slug, w.other.slug], tiers: [], models: [], firstPass: false, mode: "full", undecidedRule: "keep", opensOn: today, dueOn: "2099-01-31" });
    if (!c.ok) throw new Error(JSON.stringify(c.errors));
    const r = await buildEvidencePack({ actor: vm, ip: null }, { from: monthAgo, to: today, org: w.partner.slug });
    if (!r.ok) throw new Error(r.message);
    const reports = Object.entries(files(r.pack.zip)).filter(([p]) => p.startsWith("access-reviews/") && p.includes(c.value.id));
    expect(reports.length).toBe(2);
    for (const [p, bytes] of reports) {
      const text = strFromU8(bytes);
      expect(text, p).toContain(mine.keyId);
      expect(text, p).not.toContain(theirs.keyId);
      expect(text, p).not.toContain(w.other.id);
    }
  });

  it("narrowed to one organisation, holds only that organisation's data, and the export is audited", async () => {
    const { w, vm, mine, theirs, myFlag, theirFlag } = await world();
    const r = await buildEvidencePack({ actor: vm, ip: "192.0.2.1" }, { from: monthAgo, to: today, org: w.partner.slug });
    if (!r.ok) throw new Error(r.message);
    const text = allText(r.pack.zip);
    for (const present of [mine.keyId, myFlag.id, "partner-audit-marker", w.partner.slug]) expect(text).toContain(present);
    for (const absent of [theirs.keyId, theirFlag.id, "other-audit-marker", w.other.slug, w.other.name, w.contractor.slug]) expect(text).not.toContain(absent);
    const flagsJson = JSON.parse(strFromU8(files(r.pack.zip)["flags.json"]));
    expect(flagsJson).toEqual([expect.objectContaining({ id: myFlag.id, status: "resolved", resolved: true })]);
    expect(r.pack.manifest.org).toEqual({ slug: w.partner.slug, name: w.partner.name });

    const entry = getDb().select().from(auditLog).where(and(eq(auditLog.action, "evidence.exported"), eq(auditLog.targetId, r.pack.packId))).get();
    expect(entry).toMatchObject({ actorEmail: vm.email, orgId: w.partner.id, ip: "192.0.2.1" });
    expect(JSON.parse(entry!.details)).toMatchObject({ org: w.partner.slug, manifestSha256: r.pack.manifestSha256 });
  });

  it("rejects an unknown organisation as a field error", async () => {
    const auditor = await createUser({ role: "auditor" });
    expect(await buildEvidencePack({ actor: actorFor(auditor.id), ip: null }, { from: monthAgo, to: today, org: "no-such-org" })).toEqual({ ok: false, field: "org", message: 'No organisation "no-such-org"' });
  });

  it("fails verification when any file is changed, removed or added, or the manifest or signature is touched", async () => {
    const { vm } = await world();
    const r = await buildEvidencePack({ actor: vm, ip: null }, { from: monthAgo, to: today });
    if (!r.ok) throw new Error(r.message);
    const original = files(r.pack.zip);
    const repack = (change: (f: Record<string, Uint8Array>) => void) => {
      const copy = { ...original };
      change(copy);
      return zipSync(copy);
    };
    for (const path of r.pack.manifest.files.map((f) => f.path)) {
      const v = await verifyEvidencePack(repack((f) => (f[path] = strToU8(`${strFromU8(f[path])} `))));
      expect(v.ok, path).toBe(false);
      expect(v.problems).toEqual([{ path, problem: expect.stringContaining("does not match") }]);
    }
    expect((await verifyEvidencePack(repack((f) => delete f["flags.csv"]))).problems).toEqual([{ path: "flags.csv", problem: "missing from the pack" }]);
    expect((await verifyEvidencePack(repack((f) => (f["extra.csv"] = strToU8("a,b\r\n"))))).problems).toEqual([{ path: "extra.csv", problem: expect.stringContaining("extra") }]);
    // a manifest edited to match a changed file no longer matches its signature
    const tampered = await verifyEvidencePack(
      repack((f) => {
        const m = JSON.parse(strFromU8(f["manifest.json"]));
        m.files = m.files.filter((x: { path: string }) => x.path !== "flags.csv");
        delete f["flags.csv"];
        f["manifest.json"] = strToU8(JSON.stringify(m));
      }),
    );
    expect(tampered.problems[0]).toMatchObject({ path: "manifest.json" });
    expect((await verifyEvidencePack(repack((f) => (f["manifest.jws"] = strToU8("e30.e30.AAAA"))))).ok).toBe(false);
    // another issuer's keys do not verify it
    const { publicKey } = await generateKeyPair("ES256");
    const foreign = { keys: [{ ...(await exportJWK(publicKey)), kid: (await getJwks()).keys[0].kid, alg: "ES256" }] };
    expect((await verifyEvidencePack(r.pack.zip, { jwks: foreign })).problems[0].problem).toContain("signature");
    expect((await verifyEvidencePack(strToU8("not a zip"))).ok).toBe(false);
  });

  it("builds from the list of section producers, so other areas add theirs with one line", async () => {
    const { vm } = await world();
    const extra = (range: { from: Date; to: Date; orgId?: string }) => [{ path: "attestations.json", content: JSON.stringify({ from: range.from.toISOString(), orgId: range.orgId ?? null }) }];
    const r = await buildEvidencePack({ actor: vm, ip: null }, { from: monthAgo, to: today }, [...EVIDENCE_SECTIONS, extra]);
    if (!r.ok) throw new Error(r.message);
    expect(JSON.parse(strFromU8(files(r.pack.zip)["attestations.json"]))).toEqual({ from: `${monthAgo}T00:00:00.000Z`, orgId: null });
    expect((await verifyEvidencePack(r.pack.zip)).ok).toBe(true);
  });
});

describe("keyward evidence-pack and verify-pack", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-pack-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const sh = (script: string) => runShell(script, { env: { ...process.env, KEYWARD_DB: path.join(dir, "k.db"), KEYWARD_DATA: path.join(dir, "data"), NODE_ENV: "test" } });

  it("writes a pack that verifies, and a changed file fails with exit 1", async () => {
    const node = `"${process.execPath}" --import tsx scripts/keyward.ts`;
    const zip = path.join(dir, "pack.zip");
    const run = await sh(`${node} evidence-pack --from ${monthAgo} --to ${today} --out "${zip}" --json && ${node} verify-pack "${zip}" --json`);
    expect(run.code, run.stderr).toBe(0);
    const [made, checked] = run.stdout.split(/\n(?=\{)/).map((s) => JSON.parse(s));
    // 7 sections' CSV and JSON (attestations add gaps.csv and one .jws per receipt; campaigns one pair per review) and README.txt
    expect(made).toMatchObject({ file: zip });
    expect(made.files).toBeGreaterThanOrEqual(14);
    expect(checked).toMatchObject({ ok: true, files: made.files, problems: [] });

    const entries = unzipSync(new Uint8Array(fs.readFileSync(zip)));
    entries["inventory.csv"] = strToU8(`${strFromU8(entries["inventory.csv"])}kw_forged,acme\r\n`);
    fs.writeFileSync(zip, zipSync(entries));
    const bad = await sh(`${node} verify-pack "${zip}"`);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("inventory.csv: SHA-256 does not match the manifest");
  });
});
