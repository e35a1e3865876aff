import fs from "node:fs";
import { z } from "zod";
import { EvidencePackRequestSchema } from "../../app/domain/evidence-pack";
import { buildEvidencePack } from "../../app/models/evidence-pack.server";
import { openDatabaseOrFail, parseCommandArgs, print, printJson, UserError, type Command } from "./command";

const Args = z.object({ json: z.boolean().optional(), from: z.string(), to: z.string(), org: z.string().optional(), out: z.string().optional() });

export const evidencePackCommand: Command = {
  name: "evidence-pack",
  summary: "Write a signed evidence pack (ZIP) for a period, optionally one organisation",
  help: `Usage: keyward evidence-pack --from YYYY-MM-DD --to YYYY-MM-DD [--org SLUG] [--out FILE] [--json]

Writes the same ZIP as the Evidence pack page: organisations, inventory, rotations, flags and their
resolutions, the audit log extract (CSV and JSON), manifest.json with every file's SHA-256, and
manifest.jws signing it. The export is recorded in the audit log (actor: system).

Options:
  --from, --to  the period, inclusive UTC days
  --org SLUG    only this organisation's data
  --out FILE    where to write it (default: keyward-evidence-<org->FROM-to-TO.zip here)
  --json        print {file, packId, files, manifestSha256} on stdout
  --help        show this help`,
  async run(argv) {
    const args = parseCommandArgs(argv, { from: { type: "string" }, to: { type: "string" }, org: { type: "string" }, out: { type: "string" } }, Args);
    const req = EvidencePackRequestSchema.safeParse(args);
    if (!req.success) throw new UserError(req.error.issues.map((i) => i.message).join("\n"));
    openDatabaseOrFail();
    const result = await buildEvidencePack({ actor: null, ip: null }, req.data);
    if (!result.ok) throw new UserError(`--${result.field}: ${result.message}`);
    const file = args.out ?? result.pack.fileName;
    fs.writeFileSync(file, result.pack.zip);
    if (args.json) printJson({ file, packId: result.pack.packId, files: result.pack.manifest.files.length, manifestSha256: result.pack.manifestSha256 });
    else print(`wrote ${file}: ${result.pack.manifest.files.length} files, manifest SHA-256 ${result.pack.manifestSha256}`);
  },
};
