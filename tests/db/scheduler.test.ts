import { beforeEach, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { credentials, sessions } from "../../db/schema";
import { eq } from "drizzle-orm";
import { DAY_MS } from "~/domain/credential-policy";
import { markExpired, purgeSessions, rotationReminders, runScheduledJobs } from "~/models/scheduler.server";
import { GATEWAY_HOOK_URL, PARTNER_HOOK_URL, webhookReceiver } from "../mocks/handlers";
import { server, useMockServer } from "../mocks/server";
import { createOrg, createUser } from "../support/factories";
import { insertCredential, insertWebhook, outboxRows } from "../support/outbox-factory";
import { runKeyward } from "../support/run-process";

useMockServer();

const raw = () => getDb().$client;
const NOW = new Date("2026-11-24T10:00:00.000Z");
const days = (d: number, from = NOW) => new Date(from.getTime() + d * DAY_MS);
const statusOf = (id: string) => getDb().select({ status: credentials.status }).from(credentials).where(eq(credentials.id, id)).get()?.status;
const auditRows = (action: string) => raw().prepare("SELECT * FROM audit_log WHERE action = ? ORDER BY id").all(action) as { actor_id: string | null; target_id: string; org_id: string; details: string }[];
const events = (event: string) => outboxRows().filter((r) => r.event === event);

beforeEach(() => {
  raw().prepare("DELETE FROM webhooks").run();
  raw().prepare("DELETE FROM credential_shares").run();
  raw().prepare("DELETE FROM credential_rotations").run();
  raw().prepare("DELETE FROM credentials").run();
  raw().prepare("DELETE FROM job_marks").run();
});

describe("markExpired", () => {
  it("expires active and suspended credentials past their expiry, audited as the system with an event, once", () => {
    const org = createOrg();
    const hook = insertWebhook({ url: GATEWAY_HOOK_URL, events: ["credential.expired"] });
    const active = insertCredential(org.id, { expiresAt: days(-1) });
    const suspended = insertCredential(org.id, { status: "suspended", expiresAt: NOW });
    const later = insertCredential(org.id, { expiresAt: days(1) });
    const revoked = insertCredential(org.id, { status: "revoked", expiresAt: days(-5) });
    const noExpiry = insertCredential(org.id);

    expect(markExpired(NOW)).toEqual({ expired: 2 });
    expect([active, suspended, later, revoked, noExpiry].map((c) => statusOf(c.id))).toEqual(["expired", "expired", "active", "revoked", "active"]);
    const audit = auditRows("credential.expired");
    expect(audit.map((a) => a.target_id).sort()).toEqual([active.id, suspended.id].sort());
    expect(audit.every((a) => a.actor_id === null && a.org_id === org.id)).toBe(true);
    const queued = outboxRows(hook.id);
    expect(queued.map((r) => JSON.parse(r.payload).data.keyId).sort()).toEqual([active.keyId, suspended.keyId].sort());
    expect(JSON.parse(queued[0].payload).data).toMatchObject({ org: org.slug });

    // A second run in the same period (or later) finds nothing to do.
    expect(markExpired(NOW)).toEqual({ expired: 0 });
    expect(markExpired(days(0.5))).toEqual({ expired: 0 });
    expect(auditRows("credential.expired")).toHaveLength(2);
    expect(outboxRows(hook.id)).toHaveLength(2);
  });
});

describe("rotationReminders", () => {
  it("sends each stage once: 14 days before, 3 days before, on the due date, then weekly while overdue", () => {
    const org = createOrg({ tier: "standard" }); // 90-day maximum age by default
    const hook = insertWebhook({ url: PARTNER_HOOK_URL, events: ["rotation.reminder"], orgId: org.id });
    const due = new Date("2027-01-15T09:00:00.000Z");
    const cred = insertCredential(org.id, { issuedAt: days(-90, due) });
    const stages = () => outboxRows(hook.id).map((r) => JSON.parse(r.payload).data.stage);

    expect(rotationReminders(days(-15, due))).toEqual({ sent: 0 });
    expect(rotationReminders(days(-14, due))).toEqual({ sent: 1 });
    expect(rotationReminders(days(-14, due))).toEqual({ sent: 0 }); // same time again
    expect(rotationReminders(days(-10, due))).toEqual({ sent: 0 }); // same stage, later
    expect(stages()).toEqual(["due-in-14d"]);
    expect(JSON.parse(outboxRows(hook.id)[0].payload).data).toEqual({ keyId: cred.keyId, org: org.slug, dueAt: due.toISOString(), stage: "due-in-14d" });

    expect(rotationReminders(days(-3, due))).toEqual({ sent: 1 });
    expect(rotationReminders(days(-3, due))).toEqual({ sent: 0 });
    expect(rotationReminders(due)).toEqual({ sent: 1 });
    expect(rotationReminders(days(6, due))).toEqual({ sent: 0 });
    expect(rotationReminders(days(7, due))).toEqual({ sent: 1 });
    expect(rotationReminders(days(13, due))).toEqual({ sent: 0 });
    expect(rotationReminders(days(14, due))).toEqual({ sent: 1 });
    expect(rotationReminders(days(14, due))).toEqual({ sent: 0 });
    expect(stages()).toEqual(["due-in-14d", "due-in-3d", "due", "overdue-w1", "overdue-w2"]);
    const marks = raw().prepare("SELECT key FROM job_marks ORDER BY key").all() as { key: string }[];
    expect(marks.map((m) => m.key)).toContain(`rotation-reminder:${cred.id}:due-in-3d:2027-01-15`);
  });

  it("starts afresh after a rotation (a new due date), uses the tier's policy, and skips credentials that are not active", () => {
    const standard = createOrg({ tier: "standard" });
    const restricted = createOrg({ tier: "restricted" }); // 30-day maximum age by default
    insertWebhook({ url: GATEWAY_HOOK_URL, events: ["*"] });
    const rotated = insertCredential(standard.id, { issuedAt: days(-200) }); // overdue
    const young = insertCredential(restricted.id, { issuedAt: days(-17) }); // due in 13 days under the restricted policy
    const sameAgeStandard = insertCredential(standard.id, { issuedAt: days(-17) }); // due in 73 days
    insertCredential(standard.id, { issuedAt: days(-200), status: "suspended" });
    insertCredential(standard.id, { issuedAt: days(-200), status: "revoked" });
    insertCredential(standard.id, { issuedAt: days(-200), expiresAt: days(-1) }); // past expiry, not yet marked

    expect(rotationReminders(NOW)).toEqual({ sent: 2 });
    const sent = () => events("rotation.reminder").map((r) => JSON.parse(r.payload).data as { keyId: string; stage: string; dueAt: string });
    expect(sent().map((d) => [d.keyId, d.stage])).toEqual(
      expect.arrayContaining([
        [rotated.keyId, "overdue-w15"],
        [young.keyId, "due-in-14d"],
      ]),
    );
    expect(sent().some((d) => d.keyId === sameAgeStandard.keyId)).toBe(false);

    // Rotated yesterday: the next due date is 89 days away; nothing now, a fresh 14-day reminder later.
    getDb().update(credentials).set({ lastRotatedAt: days(-1) }).where(eq(credentials.id, rotated.id)).run();
    expect(rotationReminders(NOW)).toEqual({ sent: 0 });
    expect(rotationReminders(days(75))).toEqual({ sent: 3 }); // rotated: due-in-14d; young: overdue-w8; sameAgeStandard: due (day 73)
    expect(sent().filter((d) => d.keyId === young.keyId).map((d) => d.stage)).toEqual(["due-in-14d", "overdue-w8"]);
    expect(sent().filter((d) => d.keyId === sameAgeStandard.keyId).map((d) => d.stage)).toEqual(["due"]);
    expect(sent().filter((d) => d.keyId === rotated.keyId).map((d) => d.stage)).toEqual(["overdue-w15", "due-in-14d"]);
  });
});

describe("purgeSessions", () => {
  it("deletes expired sessions only, and nothing on a second run", async () => {
    const u = await createUser({ role: "auditor" });
    const nowS = Math.floor(Date.now() / 1000);
    getDb()
      .insert(sessions)
      .values([
        { id: `old-${u.id}`, userId: u.id, expiresAt: nowS - 60 },
        { id: `live-${u.id}`, userId: u.id, expiresAt: nowS + 3600 },
      ])
      .run();
    expect(await purgeSessions(new Date())).toEqual({ deleted: 1 });
    expect(await purgeSessions(new Date())).toEqual({ deleted: 0 });
    const left = raw().prepare("SELECT id FROM sessions WHERE user_id = ?").all(u.id) as { id: string }[];
    expect(left.map((s) => s.id)).toEqual([`live-${u.id}`]);
  });
});

describe("runScheduledJobs", () => {
  it("expires, reminds and delivers in one run; a second run does nothing", async () => {
    const org = createOrg();
    const hook = insertWebhook({ url: GATEWAY_HOOK_URL, events: ["credential.expired", "rotation.reminder"] });
    const receiver = webhookReceiver(GATEWAY_HOOK_URL, { secret: hook.secret });
    server.use(receiver.handler);
    const expiring = insertCredential(org.id, { expiresAt: days(-1), issuedAt: days(-10) });
    const overdue = insertCredential(org.id, { issuedAt: days(-120) });

    const first = await runScheduledJobs(NOW);
    expect(first).toMatchObject({ markExpired: { expired: 1 }, rotationReminders: { sent: 1 }, deliverOutbox: { claimed: 2, delivered: 2, failed: 0, dead: 0 } });
    expect(receiver.received.map((d) => [d.headers["x-keyward-event"], JSON.parse(d.body).data.keyId, d.signatureValid])).toEqual(
      expect.arrayContaining([
        ["credential.expired", expiring.keyId, true],
        ["rotation.reminder", overdue.keyId, true],
      ]),
    );
    const second = await runScheduledJobs(NOW);
    expect(second).toMatchObject({ markExpired: { expired: 0 }, rotationReminders: { sent: 0 }, deliverOutbox: { claimed: 0 } });
    expect(receiver.received).toHaveLength(2);
  });
});

describe("keyward scheduler --once", () => {
  it("runs the jobs on the database and prints the counts as JSON", async () => {
    const org = createOrg();
    const cred = insertCredential(org.id, { expiresAt: days(-1, new Date()) });
    const run = await runKeyward(["scheduler", "--once", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ markExpired: { expired: 1 }, rotationReminders: { sent: 0 }, deliverOutbox: { claimed: 0 }, purgeSessions: { deleted: 0 } });
    expect(statusOf(cred.id)).toBe("expired");
  });
});
