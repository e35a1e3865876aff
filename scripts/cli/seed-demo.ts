import { z } from "zod";
import { ROLE_LABELS } from "../../app/domain/roles";
import { DEMO_LOGINS, DEMO_PASSWORD, demoSeededAt, seedDemo } from "../../app/models/demo-seed.server";
import { DEMO_TOTP_SECRET } from "../../app/models/demo-seed-account.server";
import { groupedSecret, totpUri } from "../../app/domain/two-factor";
import { openDatabaseOrFail, parseCommandArgs, print, printJson, table, UserError, type Command } from "./command";

const Args = z.object({ json: z.boolean().optional(), ifEmpty: z.boolean().optional() });

/** The demo accounts as printed after seeding (also usable by `npm run demo` and the README). */
export function demoLoginLines(): string[] {
  return [
    `Demo logins (every account's password: ${DEMO_PASSWORD})`,
    ...table([["email", "role", "organisation"], ...DEMO_LOGINS.map((l) => [l.email, ROLE_LABELS[l.role], l.orgName ? `${l.orgName} (${l.org})` : "internal"])]),
    "",
    `Internal accounts sign in with a second factor: add the demo TOTP key ${groupedSecret(DEMO_TOTP_SECRET)}`,
    `to an authenticator app (or open ${totpUri(DEMO_TOTP_SECRET, "demo@keyward.demo")}).`,
  ];
}

export const seedDemoCommand: Command = {
  name: "seed-demo",
  summary: "Fill an empty database with demo organisations, users and catalog",
  help: `Usage: keyward seed-demo [--if-empty] [--json]

Seeds demo data into an EMPTY database (no organisations and no users), in one transaction with one
audit entry: a vendor manager, a security analyst and an auditor; four partners (Helix Bio in the
restricted tier); three contractors sponsored by partners (one awaiting approval); an admin and a
member in every organisation; a catalog with GA models, the restricted model mythos-preview, the
unreleased codename orion-x and a retired model; seven endpoints; the default policies.
Every demo account has the password ${DEMO_PASSWORD}: never seed a production database.

A database that already has organisations or users is refused (exit 1), unless --if-empty is
given, in which case nothing is done (exit 0).

Options:
  --if-empty  do nothing, successfully, when the database is not empty (used by npm run demo)
  --json      print {seeded, reason?, organizations, users, models, endpoints, policies, password, logins} on stdout
  --help      show this help`,
  async run(argv) {
    const args = parseCommandArgs(argv, { "if-empty": { type: "boolean" } }, Args);
    openDatabaseOrFail();
    const result = await seedDemo({ actor: null, ip: null });
    if (!result.seeded) {
      if (!args.ifEmpty) throw new UserError(`database is not empty: ${result.reason}; demo data goes only into an empty database (use --if-empty to skip quietly)`);
      const seededAt = demoSeededAt();
      if (args.json) {
        printJson({ seeded: false, reason: result.reason, demoSeededAt: seededAt?.toISOString() ?? null, ...(seededAt ? { password: DEMO_PASSWORD, logins: DEMO_LOGINS } : {}) });
        return;
      }
      print(`database is not empty (${result.reason}): demo data not seeded`);
      if (seededAt) print("", `Demo data was seeded on ${seededAt.toISOString().slice(0, 10)}; unless passwords were changed since:`, ...demoLoginLines());
      return;
    }
    if (args.json) {
      printJson({ ...result, password: DEMO_PASSWORD, totpSecret: DEMO_TOTP_SECRET, logins: DEMO_LOGINS });
      return;
    }
    print(
      `demo data seeded: ${result.organizations} organisations, ${result.users} users, ${result.credentials} credentials, ${result.models} models, ${result.endpoints} endpoints, ${result.policies} policies`,
      "",
      ...demoLoginLines(),
    );
  },
};
