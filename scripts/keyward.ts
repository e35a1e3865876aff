import { closeDb } from "../db/client";
import { getEnv } from "../app/env.server";
import { auditVerify } from "./cli/audit-verify";
import { backup } from "./cli/backup";
import { UserError, type Command } from "./cli/command";
import { credentialsCommand } from "./cli/credentials";
import { flagsCommand } from "./cli/flags";
import { importInventoryCommand } from "./cli/import-inventory";
import { importLogsCommand } from "./cli/import-logs";
import { migrate } from "./cli/migrate";
import { scheduler } from "./cli/scheduler";
import { seedDemoCommand } from "./cli/seed-demo";
import { userCreate } from "./cli/user-create";
import { verifyReportCommand } from "./cli/verify-report";
import { campaignsCommand } from "./cli/campaigns";
import { evidencePackCommand } from "./cli/evidence-pack";
import { verifyPackCommand } from "./cli/verify-pack";
import { riskSnapshotCommand } from "./cli/risk-snapshot";

// `keyward <command>`: the operator's command line, thin over app/models (DESIGN.md "Contracts").
// Exit codes: 0 success, 1 user error (message on stderr, no stack trace), 2 unexpected failure.

import { verifyReceiptCommand } from "./cli/verify-receipt";
const COMMANDS: readonly Command[] = [
  migrate,
  seedDemoCommand,
  userCreate,
  auditVerify,
  backup,
  scheduler,
  importInventoryCommand,
  importLogsCommand,
  credentialsCommand,
  flagsCommand,
  campaignsCommand,
  verifyReportCommand,
  verifyReceiptCommand,
  evidencePackCommand,
  verifyPackCommand,
  riskSnapshotCommand,
];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: keyward <command> [options]
       (npx tsx scripts/keyward.ts <command>, or npm run keyward -- <command>)

Keyward: third-party access governance for a restricted API.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")}

Every command takes --help, and --json to print a machine-readable result on stdout.

Environment:
  KEYWARD_DB        the database file (default ./data/keyward.db)
  KEYWARD_DATA      the data folder: signing keys, evidence (default ./data)
  KEYWARD_BASE_URL  the portal's address, for links (default http://localhost:$PORT)
  PORT              the portal's HTTP port (default 3000)

Exit codes: 0 success; 1 a user error, explained on stderr; 2 an unexpected failure.
`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(mainHelp());
    return 1;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    process.stdout.write(topic ? `${topic.help}\n` : mainHelp());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`keyward: unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(", ")}. See keyward --help.\n`);
    return 1;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  try {
    try {
      getEnv();
    } catch (err) {
      throw new UserError(err instanceof Error ? err.message : String(err));
    }
    return (await command.run(rest)) ?? 0;
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`keyward ${command.name}: ${err.message}\n`);
      return 1;
    }
    const detail = process.env.KEYWARD_DEBUG === "1" && err instanceof Error ? err.stack : `${err instanceof Error ? err.message : String(err)} (set KEYWARD_DEBUG=1 for details)`;
    process.stderr.write(`keyward ${command.name}: unexpected error: ${detail}\n`);
    return 2;
  }
}

const code = await main(process.argv.slice(2));
closeDb();
process.exitCode = code;
