import { z } from "zod";
import { RULE_IDS } from "../../app/domain/detection/types";
import { FLAG_STATUSES, listFlagsForCli, type FlagStatus } from "../../app/models/detection.server";
import { openDatabaseOrFail, parseCommandArgs, print, printJson, table, type Command } from "./command";

const Args = z.object({
  json: z.boolean().optional(),
  status: z.enum(FLAG_STATUSES as [FlagStatus, ...FlagStatus[]], { message: `--status is one of ${FLAG_STATUSES.join(", ")}` }).optional(),
  rule: z.enum(RULE_IDS, { message: `--rule is one of ${RULE_IDS.join(", ")}` }).optional(),
});

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export const flagsCommand: Command = {
  name: "flags",
  summary: "Detection flags raised by log imports, newest first",
  help: `Usage: keyward flags [--status S] [--rule R] [--json]

Lists the flags the detection rules raised on imported gateway logs, the most recently seen first:
rule, severity, the credential's key id and organisation (if any), source IP, status, how many
times the rule fired for that subject, first and last seen, and the latest finding in a sentence.

Options:
  --status S   ${FLAG_STATUSES.join(" | ")}
  --rule R     one rule id, e.g. pattern_guessing
  --json       print [{ id, rule, severity, keyId, org, srcIp, status, count, firstSeen, lastSeen,
               summary }] on stdout (keyId and org are null for a flag about an address only)
  --help       show this help`,
  async run(argv) {
    const args = parseCommandArgs(argv, { status: { type: "string" }, rule: { type: "string" } }, Args);
    openDatabaseOrFail();
    const rows = listFlagsForCli({ status: args.status, rule: args.rule });
    if (args.json) {
      printJson(rows);
      return;
    }
    if (rows.length === 0) {
      print("no flags");
      return;
    }
    print(
      ...table([
        ["last seen", "severity", "rule", "key", "org", "source", "status", "count", "summary"],
        ...rows.map((r) => [r.lastSeen.slice(0, 19).replace("T", " "), r.severity, r.rule, r.keyId ?? "-", r.org ?? "-", r.srcIp ?? "-", r.status, String(r.count), clip(r.summary, 100)]),
      ]),
    );
  },
};
