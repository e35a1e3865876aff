import fs from "node:fs";
import type { JWK } from "jose";
import { z } from "zod";
import { verifyEvidencePack } from "../../app/models/evidence-pack-verify.server";
import { parseCommandArgs, print, printJson, UserError, type Command } from "./command";

const Args = z.object({
  json: z.boolean().optional(),
  jwks: z.string().optional(),
  positionals: z.array(z.string()).length(1, "give one evidence pack: keyward verify-pack <file.zip>"),
});

const JwksSchema = z.object({ keys: z.array(z.object({ kid: z.string().optional() }).passthrough()).min(1) });

export const verifyPackCommand: Command = {
  name: "verify-pack",
  summary: "Check an evidence pack: the manifest's signature and every file's SHA-256",
  help: `Usage: keyward verify-pack <file.zip> [--jwks jwks.json] [--json]

Verifies an evidence pack downloaded from /evidence (or made by keyward evidence-pack): the signature
of manifest.jws (ES256, issuer keyward, audience keyward:evidence-pack), that it signs manifest.json's
SHA-256, and that every file in the ZIP is listed in the manifest with its SHA-256, none missing and
none extra. Exit 0 when the pack is intact; exit 1 naming each problem when it is not.

Options:
  --jwks FILE  verify against this copy of the portal's /.well-known/jwks.json (an auditor's copy)
               instead of the keys in KEYWARD_DATA
  --json       print {ok, files, kid, packId, period, org, problems: [{path, problem}]} on stdout
  --help       show this help`,
  async run(argv) {
    const args = parseCommandArgs(argv, { jwks: { type: "string" } }, Args, true);
    const file = args.positionals[0];
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(fs.readFileSync(file));
    } catch (err) {
      throw new UserError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    let jwks: z.infer<typeof JwksSchema> | undefined;
    if (args.jwks) {
      try {
        jwks = JwksSchema.parse(JSON.parse(fs.readFileSync(args.jwks, "utf8")));
      } catch {
        throw new UserError(`--jwks: ${args.jwks} is not a JWKS file ({"keys": [...]})`);
      }
    }
    const result = await verifyEvidencePack(bytes, { jwks: jwks as { keys: JWK[] } | undefined });
    if (args.json) {
      printJson({ ok: result.ok, files: result.files, kid: result.kid, packId: result.manifest?.packId ?? null, period: result.manifest?.period ?? null, org: result.manifest?.org?.slug ?? null, problems: result.problems });
    } else if (result.ok) {
      const m = result.manifest!;
      print(`evidence pack intact: ${result.files} files, signed with key ${result.kid}`, `  period ${m.period.from} to ${m.period.to}, ${m.org ? `organisation ${m.org.slug}` : "every organisation"}, generated ${m.generatedAt}`);
    }
    if (!result.ok) {
      process.stderr.write(`evidence pack NOT intact:\n${result.problems.map((p) => `  ${p.path ?? file}: ${p.problem}`).join("\n")}\n`);
      return 1;
    }
    return 0;
  },
};
