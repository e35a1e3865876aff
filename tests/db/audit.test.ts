import { beforeEach, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import type { ActionContext } from "~/domain/actor";
import { listAudit, listAuditActions, verifyAuditChain, writeAudit } from "~/models/audit.server";
import { actorFor, createOrg, createUser } from "../support/factories";

// Each test starts from an empty log in this file's own database.
beforeEach(() => {
  const raw = getDb().$client;
  raw.prepare("DELETE FROM audit_log").run();
  raw.prepare("DELETE FROM audit_head").run();
});

async function ctxFor(role: "vendor_manager" | "security" = "vendor_manager", ip = "198.51.100.7"): Promise<ActionContext> {
  const u = await createUser({ role });
  return { actor: actorFor(u.id), ip };
}

/** Writes n entries, each in its own transaction as mutations do; returns their ids. */
function writeMany(ctx: ActionContext, n: number, action = "test.event") {
  const db = getDb();
  for (let i = 0; i < n; i++) db.transaction((tx) => writeAudit(tx, ctx, { action, targetType: "thing", targetId: `t${i}`, details: { i, z: "last", a: "first" } }));
  return getDb().$client.prepare("SELECT id FROM audit_log ORDER BY id").all().map((r) => (r as { id: number }).id);
}

const raw = () => getDb().$client;

describe("writeAudit and verifyAuditChain", () => {
  it("chains each row to the previous one, from genesis, with canonical details", async () => {
    const ctx = await ctxFor();
    writeMany(ctx, 3);
    const rows = raw().prepare("SELECT id, prev_hash, hash, details, actor_email, ip FROM audit_log ORDER BY id").all() as { id: number; prev_hash: string; hash: string; details: string; actor_email: string; ip: string }[];
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(rows[0].prev_hash).toBe("0".repeat(64));
    expect(rows[1].prev_hash).toBe(rows[0].hash);
    expect(rows[2].prev_hash).toBe(rows[1].hash);
    expect(rows[0].details).toBe('{"a":"first","i":0,"z":"last"}');
    expect(rows[0].actor_email).toBe(ctx.actor!.email);
    expect(rows[0].ip).toBe("198.51.100.7");
    expect(raw().prepare("SELECT last_id, last_hash FROM audit_head").get()).toEqual({ last_id: 3, last_hash: rows[2].hash });
    expect(verifyAuditChain()).toEqual({ ok: true, checked: 3 });
  });

  it("rolls the audit row back with its transaction", async () => {
    const ctx = await ctxFor();
    writeMany(ctx, 1);
    expect(() =>
      getDb().transaction((tx) => {
        writeAudit(tx, ctx, { action: "doomed", targetType: "thing" });
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(raw().prepare("SELECT count(*) AS n FROM audit_log").get()).toEqual({ n: 1 });
    expect(verifyAuditChain()).toEqual({ ok: true, checked: 1 });
  });

  it("is ok on an empty log", () => {
    expect(verifyAuditChain()).toEqual({ ok: true, checked: 0 });
  });

  it("names a row edited with plain SQL", async () => {
    writeMany(await ctxFor(), 5);
    raw().prepare("UPDATE audit_log SET details = ? WHERE id = ?").run('{"i":"forged"}', 3);
    const res = verifyAuditChain();
    expect(res).toMatchObject({ ok: false, badRowId: 3, checked: 2 });
    expect(!res.ok && res.reason).toMatch(/edited/);
  });

  it("names the row after a deleted middle row", async () => {
    writeMany(await ctxFor(), 5);
    raw().prepare("DELETE FROM audit_log WHERE id = 3").run();
    const res = verifyAuditChain();
    expect(res).toMatchObject({ ok: false, badRowId: 4, checked: 2 });
    expect(!res.ok && res.reason).toMatch(/row 3 is missing/);
  });

  it("detects a deleted first row", async () => {
    writeMany(await ctxFor(), 3);
    raw().prepare("DELETE FROM audit_log WHERE id = 1").run();
    expect(verifyAuditChain()).toMatchObject({ ok: false, badRowId: 2, checked: 0 });
  });

  it("detects deletion of the newest row through the head", async () => {
    writeMany(await ctxFor(), 4);
    raw().prepare("DELETE FROM audit_log WHERE id = 4").run();
    const res = verifyAuditChain();
    expect(res).toMatchObject({ ok: false, badRowId: 4, checked: 3 });
    expect(!res.ok && res.reason).toMatch(/newest rows were deleted/);
  });

  it("detects the whole log being emptied", async () => {
    writeMany(await ctxFor(), 2);
    raw().prepare("DELETE FROM audit_log").run();
    expect(verifyAuditChain()).toMatchObject({ ok: false, badRowId: 2 });
  });

  it("verifies across its internal pages (more than 5000 rows)", async () => {
    const ctx = await ctxFor();
    const db = getDb();
    db.transaction((tx) => {
      for (let i = 0; i < 5003; i++) writeAudit(tx, ctx, { action: "bulk", targetType: "thing" });
    });
    expect(verifyAuditChain()).toEqual({ ok: true, checked: 5003 });
    raw().prepare("DELETE FROM audit_log WHERE id = 5001").run();
    expect(verifyAuditChain()).toMatchObject({ ok: false, badRowId: 5002, checked: 5000 });
  });
});

describe("listAudit", () => {
  it("filters by actor, action prefix, target, date, and pages by keyset newest first", async () => {
    const vmUser = await createUser({ role: "vendor_manager", email: `alice-${Date.now()}@example.test` });
    const secUser = await createUser({ role: "security", email: `bob-${Date.now()}@example.test` });
    const alice: ActionContext = { actor: actorFor(vmUser.id), ip: "203.0.113.1" };
    const bob: ActionContext = { actor: actorFor(secUser.id), ip: "203.0.113.2" };
    const org = createOrg();
    const db = getDb();
    const at = (d: string) => new Date(`${d}T12:00:00Z`);
    db.transaction((tx) => {
      writeAudit(tx, { ...alice, now: at("2026-01-10") }, { action: "org.created", targetType: "org", targetId: org.slug, orgId: org.id });
      writeAudit(tx, { ...alice, now: at("2026-01-11") }, { action: "org.updated", targetType: "org", targetId: org.slug, orgId: org.id });
      writeAudit(tx, { ...bob, now: at("2026-01-12") }, { action: "user.invited", targetType: "user", targetId: "carol%_x" });
      writeAudit(tx, { actor: null, ip: null, now: at("2026-01-13") }, { action: "session.purged", targetType: "session" });
    });
    const admin = actorFor(vmUser.id);

    const all = listAudit(admin, {});
    expect(all.rows.map((r) => r.action)).toEqual(["session.purged", "user.invited", "org.updated", "org.created"]);
    expect(all.nextBefore).toBeNull();
    expect(all.rows[3].orgSlug).toBe(org.slug);

    expect(listAudit(admin, { actor: "ALICE" }).rows.map((r) => r.action)).toEqual(["org.updated", "org.created"]);
    expect(listAudit(admin, { actor: "system" }).rows.map((r) => r.action)).toEqual(["session.purged"]);
    expect(listAudit(admin, { action: "org." }).rows).toHaveLength(2);
    expect(listAudit(admin, { action: "updated" }).rows).toHaveLength(0); // prefix, not contains
    expect(listAudit(admin, { target: `org:${org.slug}` }).rows).toHaveLength(2);
    // LIKE wildcards typed by the user are literal
    expect(listAudit(admin, { target: "carol%_" }).rows.map((r) => r.action)).toEqual(["user.invited"]);
    expect(listAudit(admin, { target: "user:%" }).rows).toHaveLength(0);
    expect(listAudit(admin, { actor: "%" }).rows).toHaveLength(0);
    expect(listAudit(admin, { from: "2026-01-11", to: "2026-01-12" }).rows.map((r) => r.action)).toEqual(["user.invited", "org.updated"]);
    expect(listAudit(admin, { to: "2026-01-10" }).rows.map((r) => r.action)).toEqual(["org.created"]);

    const first = listAudit(admin, {}, 3);
    expect(first.rows.map((r) => r.id)).toEqual([4, 3, 2]);
    expect(first.nextBefore).toBe(2);
    const second = listAudit(admin, { before: first.nextBefore! }, 3);
    expect(second.rows.map((r) => r.id)).toEqual([1]);
    expect(second.nextBefore).toBeNull();

    expect(listAuditActions()).toEqual(["org.created", "org.updated", "session.purged", "user.invited"]);
  });

  it("keeps a non-internal reader to its own organisations' rows (defence in depth)", async () => {
    const mine = createOrg();
    const theirs = createOrg();
    const partnerAdmin = await createUser({ role: "partner_admin", orgId: mine.id });
    const ctx = await ctxFor();
    getDb().transaction((tx) => {
      writeAudit(tx, ctx, { action: "org.updated", targetType: "org", targetId: mine.slug, orgId: mine.id });
      writeAudit(tx, ctx, { action: "org.updated", targetType: "org", targetId: theirs.slug, orgId: theirs.id });
      writeAudit(tx, ctx, { action: "policy.updated", targetType: "policy", targetId: "standard" });
    });
    expect(listAudit(actorFor(partnerAdmin.id), {}).rows.map((r) => r.targetId)).toEqual([mine.slug]);
  });
});
