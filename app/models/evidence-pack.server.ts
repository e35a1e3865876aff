import { createHash, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { strToU8, zipSync, type Zippable } from "fflate";
import { getDb } from "../../db/client";
import { organizations } from "../../db/schema";
import type { ActionContext } from "~/domain/actor";
import { EVIDENCE_AUDIENCE, EVIDENCE_JWS_TYP, MANIFEST_PATH, periodRange, SIGNATURE_PATH, type EvidencePackRequest, type Manifest } from "~/domain/evidence-pack";
import { signDocument } from "~/jwt.server";
import { writeAudit } from "./audit.server";
import { attestationEvidenceFiles } from "./attestation-evidence.server";
import { campaignEvidenceFiles } from "./campaign-evidence.server";
import { auditSection, flagsSection, inventorySection, orgsSection, rotationsSection, type EvidenceFile, type EvidenceSection } from "./evidence-sections.server";

// The evidence pack: every section's CSV and JSON for a period (and optionally one organisation), a
// manifest listing each file's SHA-256, and the manifest signed as a JWS (app/jwt.server.ts
// signDocument). `keyward verify-pack` checks it (evidence-pack-verify.server.ts).

/** The sections, in pack order: each gives its CSV and JSON files for the period (and organisation). */
export const EVIDENCE_SECTIONS: readonly EvidenceSection[] = [orgsSection, inventorySection, rotationsSection, attestationEvidenceFiles, campaignEvidenceFiles, flagsSection, auditSection];

export const sha256Hex = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

export type EvidencePack = { packId: string; fileName: string; zip: Uint8Array; manifest: Manifest; manifestSha256: string };
export type PackResult = { ok: true; pack: EvidencePack } | { ok: false; field: string; message: string };

function readme(m: Omit<Manifest, "files">): string {
  return [
    "Keyward evidence pack",
    "",
    `Period: ${m.period.from} to ${m.period.to} (UTC days, inclusive)`,
    `Scope: ${m.org ? `${m.org.name} (${m.org.slug}) only` : "every organisation"}`,
    `Generated: ${m.generatedAt} by ${m.generatedBy ?? "the system"}`,
    "",
    "Each section is given as CSV and as JSON. manifest.json lists every file with its SHA-256;",
    "manifest.jws is the manifest's SHA-256 signed by the portal (ES256, key id in the header; the",
    "public keys are at /.well-known/jwks.json). To check the pack:",
    "",
    "  keyward verify-pack <this.zip> [--jwks jwks.json]",
    "",
  ].join("\n");
}

/** Builds, signs and audits a pack. `request` is validated (EvidencePackRequestSchema); an unknown org slug is a field error. */
export async function buildEvidencePack(ctx: ActionContext, request: EvidencePackRequest, sections: readonly EvidenceSection[] = EVIDENCE_SECTIONS): Promise<PackResult> {
  const db = getDb();
  const org = request.org ? db.select({ id: organizations.id, slug: organizations.slug, name: organizations.name }).from(organizations).where(eq(organizations.slug, request.org)).get() : null;
  if (request.org && !org) return { ok: false, field: "org", message: `No organisation "${request.org}"` };
  const range = { ...periodRange(request), ...(org ? { orgId: org.id } : {}) };
  const now = ctx.now ?? new Date();
  const packId = randomUUID();
  const head = {
    format: "keyward-evidence-pack" as const,
    version: 1 as const,
    packId,
    generatedAt: now.toISOString(),
    generatedBy: ctx.actor?.email ?? null,
    period: { from: request.from, to: request.to },
    org: org ? { slug: org.slug, name: org.name } : null,
  };
  const files: EvidenceFile[] = [{ path: "README.txt", content: readme(head) }, ...sections.flatMap((s) => s(range))];
  const entries: Zippable = {};
  const listed: Manifest["files"] = [];
  for (const f of files) {
    const bytes = strToU8(f.content);
    if (entries[f.path] || f.path === MANIFEST_PATH || f.path === SIGNATURE_PATH) throw new Error(`evidence pack: duplicate path ${f.path}`);
    entries[f.path] = bytes;
    listed.push({ path: f.path, sha256: sha256Hex(bytes), bytes: bytes.length });
  }
  const manifest: Manifest = { ...head, files: listed };
  const manifestBytes = strToU8(`${JSON.stringify(manifest, null, 2)}\n`);
  const manifestSha256 = sha256Hex(manifestBytes);
  const jws = await signDocument({ packId, manifestSha256, period: head.period, org: head.org?.slug ?? null, files: listed.length }, { audience: EVIDENCE_AUDIENCE, typ: EVIDENCE_JWS_TYP, subject: packId });
  entries[MANIFEST_PATH] = manifestBytes;
  entries[SIGNATURE_PATH] = strToU8(`${jws}\n`);
  const mtime = new Date(Math.max(now.getTime(), Date.UTC(1980, 0, 2)));
  const zip = zipSync(entries, { level: 6, mtime });
  db.transaction((tx) => {
    writeAudit(tx, { ...ctx, now }, {
      action: "evidence.exported",
      targetType: "evidence_pack",
      targetId: packId,
      orgId: org?.id ?? null,
      details: { from: request.from, to: request.to, org: org?.slug ?? null, files: listed.length, manifestSha256 },
    });
  });
  const fileName = `keyward-evidence-${org ? `${org.slug}-` : ""}${request.from}-to-${request.to}.zip`;
  return { ok: true, pack: { packId, fileName, zip, manifest, manifestSha256 } };
}

/** Organisations a pack can be narrowed to, by name. */
export function listEvidenceOrgOptions() {
  return getDb().select({ slug: organizations.slug, name: organizations.name }).from(organizations).orderBy(organizations.name).all();
}
