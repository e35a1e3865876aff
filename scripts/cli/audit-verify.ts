import { z } from "zod";
import { verifyAuditChain } from "../../app/models/audit.server";
import { openDatabaseOrFail, parseCommandArgs, print, printJson, type Command } from "./command";

const Args = z.object({ json: z.boolean().optional() });

export const auditVerify: Command = {
  name: "audit-verify",
  summary: "Check the audit log's hash chain; exit 1 naming the first bad row",
  help: `Usage: keyward audit-verify [--json]

Recomputes every audit entry's hash in order and checks that each links to the one before, and that
the newest entry matches the recorded head. Exits 0 when the chain is intact; exits 1 naming the
first row that was edited, or that follows a deleted one, when it is not.

Options:
  --json   print {ok, checked, badRowId?, reason?} on stdout
  --help   show this help`,
  async run(argv) {
    const args = parseCommandArgs(argv, {}, Args);
    openDatabaseOrFail();
    const result = verifyAuditChain();
    if (args.json) printJson(result);
    if (result.ok) {
      if (!args.json) print(`audit chain intact: ${result.checked} entries`);
      return 0;
    }
    process.stderr.write(`audit chain BROKEN at row ${result.badRowId}: ${result.reason} (${result.checked} entries verified before it)\n`);
    return 1;
  },
};
