import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { closeDb } from "../../db/client";
import { resetEnvCache } from "../../app/env.server";
import { resetKeyCache } from "../../app/jwt.server";
import { readInvitationToken } from "../../app/invitation-link.server";
import { getUsableInvitation } from "../../app/models/invitation.server";
import { signIn } from "../../app/models/sign-in.server";
import { runKeyward } from "../support/run-process";

// The `keyward` CLI as an operator runs it: a subprocess (node --import tsx) on a database of its own.
// The same database is opened in-process to check what the commands did. Tests run in order.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-cli-"));
const DB_FILE = path.join(dir, "keyward.db");
const DATA = path.join(dir, "data");
const BASE_URL = "https://keyward.example.test";

type Run = { code: number | null; stdout: string; stderr: string };

function keyward(args: string[], stdin?: string): Promise<Run> {
  return runKeyward(args, { env: { ...process.env, KEYWARD_DB: DB_FILE, KEYWARD_DATA: DATA, KEYWARD_BASE_URL: BASE_URL, NODE_ENV: "test" }, stdin });
}

/** A user error: exit 1, a message on stderr, and no stack trace. */
function expectUserError(run: Run, message: RegExp) {
  expect(run.code, run.stderr).toBe(1);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/^\s+at /m);
}

function sqlite<T>(fn: (db: Database.Database) => T, file = DB_FILE): T {
  const db = new Database(file);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
const orgCount = (file = DB_FILE) => sqlite((db) => (db.prepare("select count(*) as n from organizations").get() as { n: number }).n, file);

beforeAll(() => {
  // In-process checks (sign-in, invitation tokens) use the CLI's database and signing keys.
  process.env.KEYWARD_DB = DB_FILE;
  process.env.KEYWARD_DATA = DATA;
  closeDb();
  resetEnvCache();
  resetKeyCache();
});

afterAll(() => {
  closeDb();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("keyward CLI", () => {
  test("--help lists every command with one line each; a command's --help explains it", async () => {
    const [main, sub] = await Promise.all([keyward(["--help"]), keyward(["backup", "--help"])]);
    expect(main.code).toBe(0);
    for (const name of ["migrate", "seed-demo", "user-create", "audit-verify", "backup"]) expect(main.stdout).toMatch(new RegExp(`^  ${name}\\s+\\S`, "m"));
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/^Usage: keyward backup <dest\.db>/);
    expect(fs.existsSync(DB_FILE), "help opens no database").toBe(false);
  });

  test("an unknown command, or a wrong role, is a user error", async () => {
    const [unknown, badRole] = await Promise.all([keyward(["frobnicate"]), keyward(["user-create", "--email", "x@example.com", "--role", "superuser"])]);
    expectUserError(unknown, /unknown command "frobnicate"/);
    expectUserError(badRole, /--role: must be one of vendor_manager, security, auditor, partner_admin, partner_member/);
  });

  test("migrate creates the database and the default policies", async () => {
    const run = await keyward(["migrate", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    const migrations = fs.readdirSync(path.resolve(__dirname, "../../db/migrations")).filter((f) => f.endsWith(".sql")).length;
    expect(out).toMatchObject({ db: DB_FILE, migrationsApplied: migrations, migrationsTotal: migrations });
    expect(sqlite((db) => db.prepare("select tier from policies order by tier").all())).toEqual([{ tier: "restricted" }, { tier: "standard" }]);
  });

  test("seed-demo --if-empty seeds once, then does nothing", async () => {
    const first = await keyward(["seed-demo", "--if-empty"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("keyward-demo-2026");
    expect(first.stdout).toMatch(/vm@keyward\.demo\s+Vendor manager\s+internal/);
    expect(orgCount()).toBe(7);
    const second = await keyward(["seed-demo", "--if-empty", "--json"]);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ seeded: false });
    expect(orgCount()).toBe(7);
    expect(sqlite((db) => db.prepare("select count(*) as n from audit_log where action = 'demo.seeded'").get())).toEqual({ n: 1 });
  });

  test("user-create prints a working single-use invitation link", async () => {
    const run = await keyward(["user-create", "--email", "Nina@Helix.example", "--role", "partner_member", "--org", "helix-bio", "--name", "Nina Park"]);
    expect(run.code, run.stderr).toBe(0);
    const link = run.stdout.match(/https:\/\/keyward\.example\.test\/invite\/(\S+)/);
    expect(link, run.stdout).not.toBeNull();
    const token = await readInvitationToken(link![1]);
    expect(token).not.toBeNull();
    const invitation = getUsableInvitation(token!.invitationId, token!.userId);
    expect(invitation).toMatchObject({ email: "nina@helix.example", name: "Nina Park", status: "invited" });
  });

  test("user-create --password-stdin creates an active account that can sign in", async () => {
    const password = "a long bootstrap passphrase";
    const run = await keyward(["user-create", "--email", "ops@keyward.example", "--role", "vendor_manager", "--password-stdin", "--json"], `${password}\n`);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ email: "ops@keyward.example", role: "vendor_manager", org: null, activated: true });
    expect(run.stdout).not.toContain(password);
    expect(await signIn("ops@keyward.example", password, "198.51.100.20")).toMatchObject({ kind: "ok" });
  });

  test("user-create refuses an existing account, an unknown organisation and a short password", async () => {
    const [existing, unknownOrg, short] = await Promise.all([
      keyward(["user-create", "--email", "vm@keyward.demo", "--role", "vendor_manager"]),
      keyward(["user-create", "--email", "z@example.com", "--role", "partner_admin", "--org", "no-such-org"]),
      keyward(["user-create", "--email", "y@example.com", "--role", "auditor", "--password-stdin"], "too short\n"),
    ]);
    expectUserError(existing, /--email: This person already has an account/);
    expectUserError(unknownOrg, /--org: No such organisation/);
    expectUserError(short, /--password-stdin: Use at least 12 characters/);
    expect(sqlite((db) => db.prepare("select count(*) as n from users where email in ('z@example.com', 'y@example.com')").get())).toEqual({ n: 0 });
  });

  test("backup writes a checked copy that opens with the same data, and refuses to overwrite", async () => {
    const dest = path.join(dir, "backup.db");
    const run = await keyward(["backup", dest, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ dest, integrity: "ok" });
    expect(out.bytes).toBe(fs.statSync(dest).size);
    expect(orgCount(dest)).toBe(orgCount());
    expect(fs.existsSync(`${dest}-wal`), "the copy is one self-contained file").toBe(false);
    expectUserError(await keyward(["backup", dest]), /already exists/);
  });

  test("audit-verify passes on an intact chain, and names the first row edited with plain SQL", async () => {
    const total = sqlite((db) => (db.prepare("select count(*) as n from audit_log").get() as { n: number }).n);
    const ok = await keyward(["audit-verify"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`audit chain intact: ${total} entries`);

    sqlite((db) => db.prepare("update audit_log set actor_email = 'someone-else@example.com' where id = 3").run());
    const broken = await keyward(["audit-verify", "--json"]);
    expectUserError(broken, /row 3\b/);
    expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false, checked: 2, badRowId: 3 });
  });
});
