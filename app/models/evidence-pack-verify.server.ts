import { strFromU8, unzipSync } from "fflate";
import type { JWK } from "jose";
import { compareWithManifest, EVIDENCE_AUDIENCE, EVIDENCE_JWS_TYP, MANIFEST_PATH, ManifestSchema, SIGNATURE_PATH, type Manifest, type PackProblem } from "~/domain/evidence-pack";
import { verifyDocument } from "~/jwt.server";
import { sha256Hex } from "./evidence-pack.server";

export type PackVerification = { ok: boolean; problems: PackProblem[]; manifest: Manifest | null; kid: string | null; files: number };

/**
 * Checks a pack: the signature over the manifest (this portal's keys, or a JWKS given), the manifest's
 * SHA-256 against the signed one, and every file against the manifest (none missing, changed or extra).
 */
export async function verifyEvidencePack(zip: Uint8Array, opts: { jwks?: { keys: JWK[] } } = {}): Promise<PackVerification> {
  const fail = (problem: string, path: string | null = null): PackVerification => ({ ok: false, problems: [{ path, problem }], manifest: null, kid: null, files: 0 });
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip);
  } catch (err) {
    return fail(`not a readable ZIP file (${err instanceof Error ? err.message : String(err)})`);
  }
  const manifestBytes = entries[MANIFEST_PATH];
  const jwsBytes = entries[SIGNATURE_PATH];
  if (!manifestBytes) return fail("missing from the pack", MANIFEST_PATH);
  if (!jwsBytes) return fail("missing from the pack", SIGNATURE_PATH);

  const check = await verifyDocument(strFromU8(jwsBytes), { audience: EVIDENCE_AUDIENCE, typ: EVIDENCE_JWS_TYP, jwks: opts.jwks });
  if (!check.ok) return fail(`signature does not verify: ${check.reason}`, SIGNATURE_PATH);
  if (check.payload.manifestSha256 !== sha256Hex(manifestBytes)) return fail("SHA-256 does not match the signed one (the manifest was changed)", MANIFEST_PATH);

  let manifest: Manifest;
  try {
    const parsed = ManifestSchema.safeParse(JSON.parse(strFromU8(manifestBytes)));
    if (!parsed.success) return fail(`not a valid manifest: ${parsed.error.issues[0]?.message ?? "bad shape"}`, MANIFEST_PATH);
    manifest = parsed.data;
  } catch {
    return fail("not valid JSON", MANIFEST_PATH);
  }
  const hashes = new Map(Object.entries(entries).filter(([p]) => !p.endsWith("/")).map(([p, bytes]) => [p, sha256Hex(bytes)]));
  const problems = compareWithManifest(manifest, hashes);
  return { ok: problems.length === 0, problems, manifest, kid: check.kid, files: manifest.files.length };
}
