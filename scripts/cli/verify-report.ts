import fs from "node:fs";
import { z } from "zod";
import { verifyReport } from "../../app/models/campaign-report.server";
import { parseCommandArgs, print, printJson, UserError, type Command } from "./command";

const Args = z.object({
  json: z.boolean().optional(),
  jwks: z.string().optional(),
  positionals: z.array(z.string()).length(1, "give one file: keyward verify-report <file.json>"),
});

export const verifyReportCommand: Command = {
  name: "verify-report",
  summary: "Check an access review's signed JSON report; exit 1 if it was changed or not signed by this portal",
  help: `Usage: keyward verify-report <file.json> [--jwks jwks.json] [--json]

Checks a report exported from /reviews/<id>/report.json: its JWS (ES256, issuer keyward, audience
keyward:campaign-report, type keyward-campaign-report+jwt) verifies with the portal's key named by
its kid, and the report's SHA-256 (canonical JSON) is the one signed. Any changed byte fails.

Options:
  --jwks FILE   verify against this copy of /.well-known/jwks.json instead of the local keys
  --json        print {ok, campaignId?, items?, kid?, reason?} on stdout
  --help        show this help`,
  async run(argv) {
    const args = parseCommandArgs(argv, { jwks: { type: "string" } }, Args, true);
    const read = (file: string) => {
      try {
        return fs.readFileSync(file, "utf8");
      } catch (err) {
        throw new UserError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    let jwks;
    if (args.jwks) {
      try {
        jwks = JSON.parse(read(args.jwks));
      } catch (err) {
        if (err instanceof UserError) throw err;
        throw new UserError(`${args.jwks} is not JSON`);
      }
    }
    const result = await verifyReport(read(args.positionals[0]), jwks);
    if (args.json) printJson(result);
    if (result.ok) {
      if (!args.json) print(`report verified: campaign ${result.campaignId}, ${result.items} items, key ${result.kid}`);
      return 0;
    }
    process.stderr.write(`report NOT verified: ${result.reason}\n`);
    return 1;
  },
};
