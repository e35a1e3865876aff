import fs from "node:fs";
import { z } from "zod";
import { verifyReceipt } from "../../app/models/attestation-receipt.server";
import { openDatabaseOrFail, parseCommandArgs, print, printJson, UserError, type Command } from "./command";

const Args = z.object({
  positionals: z.array(z.string()).length(1, "give one receipt file (.jws), or - for standard input"),
  jwks: z.string().optional(),
  json: z.boolean().optional(),
});

const JwksSchema = z.object({ keys: z.array(z.object({ kid: z.string().optional() }).passthrough()).min(1) });

function readInput(file: string): string {
  try {
    return file === "-" ? fs.readFileSync(0, "utf8") : fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new UserError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export const verifyReceiptCommand: Command = {
  name: "verify-receipt",
  summary: "Verify an attestation receipt (JWS) against the portal's keys or a JWKS",
  help: `Usage: keyward verify-receipt <receipt.jws | -> [--jwks jwks.json] [--json]

Checks an attestation receipt's ES256 signature (the key chosen by its kid), its type, issuer and
audience, then prints what it certifies: organisation, template version, period, answers SHA-256,
evidence hashes, signed statement, reviewer and time. Without --jwks the portal's own keys are used
(KEYWARD_DATA/keys, old keys included, so rotation keeps receipts valid) and the receipt is compared
with the one stored for the attestation. Exits 0 when valid, 1 when not (the reason on stderr).

Options:
  --jwks FILE  verify against this JWKS (a saved copy of /.well-known/jwks.json) instead
  --json       print {valid, kid, issuedAt, receipt, matchesRecord} or {valid: false, reason}
  --help       show this help`,
  async run(argv) {
    const args = parseCommandArgs(argv, { jwks: { type: "string" } }, Args, true);
    const text = readInput(args.positionals[0]);
    let jwks;
    if (args.jwks) {
      const parsed = JwksSchema.safeParse((() => {
        try {
          return JSON.parse(readInput(args.jwks!));
        } catch {
          throw new UserError(`${args.jwks} is not JSON`);
        }
      })());
      if (!parsed.success) throw new UserError(`${args.jwks} is not a JWKS ({"keys": [...]})`);
      jwks = parsed.data as { keys: Record<string, unknown>[] };
    } else {
      openDatabaseOrFail();
    }
    const r = await verifyReceipt(text, { jwks: jwks as never });
    if (!r.ok) {
      if (args.json) printJson({ valid: false, reason: r.reason });
      process.stderr.write(`receipt NOT valid: ${r.reason}\n`);
      return 1;
    }
    if (args.json) {
      printJson({ valid: true, kid: r.kid, issuedAt: r.issuedAt, receipt: r.claims, matchesRecord: r.matchesRecord });
      return 0;
    }
    const c = r.claims;
    print(
      `receipt valid (key ${r.kid}, signed ${r.issuedAt})`,
      `  organisation:   ${c.org.name} (${c.org.slug})`,
      `  template:       ${c.template.name} v${c.template.version}`,
      `  period:         ${c.period.start} to ${c.period.end}`,
      `  answers sha256: ${c.answersSha256}`,
      `  evidence:       ${c.evidence.length} file(s)${c.evidence.map((e) => `\n    ${e.sha256}  ${e.fileName}`).join("")}`,
      `  statement:      ${c.statement.name}, ${c.statement.title}, ${c.statement.submittedAt}`,
      `  accepted by:    ${c.reviewer.name} <${c.reviewer.email}> at ${c.acceptedAt}`,
      ...(r.matchesRecord === false ? ["  note: this is not the receipt stored for the attestation"] : []),
    );
    return 0;
  },
};
