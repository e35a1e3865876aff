import { z } from "zod";
import { blankToUndefined } from "./form-errors";

// Evidence packs (issue 8): the request, the manifest's shape, and the checks verify-pack runs. Pure.

export const EVIDENCE_JWS_TYP = "keyward-evidence-manifest+jwt";
export const EVIDENCE_AUDIENCE = "keyward:evidence-pack";
export const MANIFEST_PATH = "manifest.json";
export const SIGNATURE_PATH = "manifest.jws";
export const MAX_PERIOD_DAYS = 731;

const day = (label: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .string({ message: `${label}: enter a date` })
      .trim()
      .regex(/^\d{4}-\d{2}-\d{2}$/, `${label}: use a date such as 2026-01-31`)
      .refine((d) => new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), `${label}: not a real date`),
  );

/** The pack form and the CLI: a period (inclusive UTC days) and optionally one organisation's slug. */
export const EvidencePackRequestSchema = z
  .object({
    from: day("From"),
    to: day("To"),
    org: z.preprocess(blankToUndefined, z.string().trim().max(80).optional()),
  })
  .refine((r) => r.from <= r.to, { message: "The start date is after the end date", path: ["to"] })
  .refine((r) => Date.parse(r.to) - Date.parse(r.from) <= MAX_PERIOD_DAYS * 86_400_000, { message: `At most ${MAX_PERIOD_DAYS} days`, path: ["to"] });
export type EvidencePackRequest = z.infer<typeof EvidencePackRequestSchema>;

/** The half-open range [from 00:00, the day after `to` 00:00) in UTC. */
export function periodRange(r: { from: string; to: string }): { from: Date; to: Date } {
  return { from: new Date(`${r.from}T00:00:00Z`), to: new Date(Date.parse(`${r.to}T00:00:00Z`) + 86_400_000) };
}

export const ManifestFileSchema = z.object({ path: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().nonnegative() });
export const ManifestSchema = z.object({
  format: z.literal("keyward-evidence-pack"),
  version: z.literal(1),
  packId: z.string(),
  generatedAt: z.string(),
  generatedBy: z.string().nullable(),
  period: z.object({ from: z.string(), to: z.string() }),
  org: z.object({ slug: z.string(), name: z.string() }).nullable(),
  files: z.array(ManifestFileSchema),
});
export type Manifest = z.infer<typeof ManifestSchema>;

export type PackProblem = { path: string | null; problem: string };

/**
 * Compares the ZIP's files with the manifest: every listed file present with its SHA-256, nothing
 * else in the ZIP but the manifest and its signature. `hashes` are the ZIP entries' actual SHA-256.
 */
export function compareWithManifest(manifest: Manifest, hashes: ReadonlyMap<string, string>): PackProblem[] {
  const problems: PackProblem[] = [];
  const listed = new Set<string>();
  for (const f of manifest.files) {
    if (listed.has(f.path)) problems.push({ path: f.path, problem: "listed twice in the manifest" });
    listed.add(f.path);
    const actual = hashes.get(f.path);
    if (actual === undefined) problems.push({ path: f.path, problem: "missing from the pack" });
    else if (actual !== f.sha256) problems.push({ path: f.path, problem: "SHA-256 does not match the manifest (the file was changed)" });
  }
  for (const p of hashes.keys()) {
    if (p === MANIFEST_PATH || p === SIGNATURE_PATH) continue;
    if (!listed.has(p)) problems.push({ path: p, problem: "not listed in the manifest (an extra file)" });
  }
  return problems;
}
