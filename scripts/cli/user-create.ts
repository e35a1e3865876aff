import { z } from "zod";
import { ROLES } from "../../app/domain/roles";
import { InviteSchema, PasswordSchema } from "../../app/domain/user";
import { invitationLink } from "../../app/invitation-link.server";
import { createInvitation, INVITATION_HOURS, setPasswordAndActivate } from "../../app/models/invitation.server";
import { hashPassword } from "../../app/password.server";
import { openDatabaseOrFail, parseCommandArgs, print, printJson, UserError, type Command } from "./command";

const Args = z.object({
  json: z.boolean().optional(),
  email: z.string({ message: "required, e.g. --email ada@example.com" }),
  role: z.enum(ROLES, { message: `must be one of ${ROLES.join(", ")}` }),
  org: z.string().optional(),
  name: z.string().optional(),
  passwordStdin: z.boolean().optional(),
});

const FLAG_OF_FIELD: Record<string, string> = { email: "--email", name: "--name", role: "--role", orgSlug: "--org" };

/** The whole of standard input, minus one trailing newline (as `echo` or a here-string adds). */
async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write("Password (at least 12 characters), then Enter and Ctrl-D: ");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 4096) throw new UserError("--password-stdin: the input is too long for a password");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

export const userCreate: Command = {
  name: "user-create",
  summary: "Invite a user (prints the invitation link), or create an active one with --password-stdin",
  help: `Usage: keyward user-create --email E --role R [--org SLUG] [--name N] [--password-stdin] [--json]

Creates a user in status "invited" with a single-use invitation link (valid ${INVITATION_HOURS} h) and prints
the link; the person opens it and sets their own password. Use it to bootstrap the first vendor
manager. With --password-stdin, the password is read from standard input instead (at least 12
characters; one trailing newline is ignored) and the account is active at once: for automation.
Running it again for someone still invited sends a fresh link and voids the old one.

Roles: vendor_manager, security, auditor (internal: no --org); partner_admin, partner_member
(--org is required: the organisation's slug). Links use KEYWARD_BASE_URL (default http://localhost:$PORT).

Options:
  --email E          the person's email address (their sign-in name)
  --role R           one of ${ROLES.join(", ")}
  --org SLUG         the organisation, for partner roles
  --name N           display name (default: the part of the email before @)
  --password-stdin   read the password from standard input and activate the account
  --json             print {userId, email, role, org, invitationLink | activated: true} on stdout
  --help             show this help

Examples:
  keyward user-create --email vera@example.com --role vendor_manager --name "Vera Martins"
  printf '%s' "$ADMIN_PASSWORD" | keyward user-create --email ops@example.com --role vendor_manager --password-stdin`,
  async run(argv) {
    const args = parseCommandArgs(
      argv,
      { email: { type: "string" }, role: { type: "string" }, org: { type: "string" }, name: { type: "string" }, "password-stdin": { type: "boolean" } },
      Args,
    );
    const invite = InviteSchema.safeParse({ email: args.email, role: args.role, orgSlug: args.org, name: args.name ?? args.email.split("@")[0] });
    if (!invite.success) {
      throw new UserError(invite.error.issues.map((i) => `${FLAG_OF_FIELD[String(i.path[0])] ?? "--email"}: ${i.message}`).join("\n"));
    }

    // Read and check the password before anything is written, so a bad one leaves no half-made account.
    let passwordHash: string | null = null;
    if (args.passwordStdin) {
      const password = PasswordSchema.safeParse(await readPasswordFromStdin());
      if (!password.success) throw new UserError(`--password-stdin: ${password.error.issues[0].message}`);
      passwordHash = await hashPassword(password.data);
    }

    openDatabaseOrFail();
    const ctx = { actor: null, ip: null }; // the CLI: trusted operator, audited with no actor
    const created = createInvitation(ctx, invite.data);
    if (!created.ok) throw new UserError(`${FLAG_OF_FIELD[created.field]}: ${created.message}`);
    const summary = { userId: created.userId, email: invite.data.email, name: invite.data.name, role: invite.data.role, org: invite.data.orgSlug ?? null };

    if (passwordHash) {
      setPasswordAndActivate(ctx, created.userId, passwordHash);
      if (args.json) printJson({ ...summary, activated: true });
      else print(`created ${summary.email} (${summary.role}${summary.org ? ` at ${summary.org}` : ", internal"}): active, password set`);
      return;
    }
    const link = await invitationLink(created);
    if (args.json) printJson({ ...summary, invitationLink: link, expiresAt: created.expiresAt.toISOString() });
    else
      print(
        `invited ${summary.email} (${summary.role}${summary.org ? ` at ${summary.org}` : ", internal"}); the link is single-use and expires ${created.expiresAt.toISOString()}:`,
        link,
      );
  },
};
