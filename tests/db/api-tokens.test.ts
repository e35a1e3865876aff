import { decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { apiTokens } from "../../db/schema";
import { eq } from "drizzle-orm";
import { issueApiToken, requireApiToken } from "~/api-auth.server";
import { API_TOKEN_AUDIENCE, ApiTokenCreateSchema, listApiTokens, revokeApiToken } from "~/models/api-token.server";
import { actorFor, createOrg, createUser } from "../support/factories";

const raw = () => getDb().$client;
const DAY = 86_400_000;
const auditFor = (id: string) => raw().prepare("SELECT action, actor_id, details FROM audit_log WHERE target_id = ? ORDER BY id").all(id) as { action: string; actor_id: string | null; details: string }[];
const bearer = (token: string) => new Request("http://keyward.test/api/v1/logs", { method: "POST", headers: { Authorization: `Bearer ${token}` } });

async function security() {
  const u = await createUser({ role: "security" });
  return { ...u, ctx: { actor: actorFor(u.id), ip: "192.0.2.10" } };
}

async function thrown(p: Promise<unknown>): Promise<Response> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
  throw new Error("expected a Response to be thrown");
}

describe("the token form's schema", () => {
  it("defaults to logs:write for 90 days and refuses out-of-range expiries and odd source names", () => {
    expect(ApiTokenCreateSchema.parse({ name: " Vector ", source: "gateway-eu", expiresInDays: "" })).toEqual({ name: "Vector", source: "gateway-eu", scope: "logs:write", expiresInDays: 90 });
    expect(ApiTokenCreateSchema.parse({ name: "V", source: "gw", expiresInDays: "365", scope: "logs:write" }).expiresInDays).toBe(365);
    for (const expiresInDays of ["0", "366", "1.5", "ninety"]) expect(ApiTokenCreateSchema.safeParse({ name: "V", source: "gw", expiresInDays }).success).toBe(false);
    for (const source of ["", "gateway eu", "-leading", "a/b", "x".repeat(81)]) expect(ApiTokenCreateSchema.safeParse({ name: "V", source }).success).toBe(false);
    expect(ApiTokenCreateSchema.safeParse({ name: "V", source: "gw", scope: "admin" }).success).toBe(false);
  });
});

describe("issuing a token", () => {
  it("signs an ES256 JWT for the API audience whose jti is the row, stores only the row and audits without the token", async () => {
    const sec = await security();
    const before = Date.now();
    const t = await issueApiToken(sec.ctx, { name: "Vector eu-1", source: "gateway-eu", scope: "logs:write", expiresInDays: 30 });

    expect(decodeProtectedHeader(t.token)).toMatchObject({ alg: "ES256", typ: "JWT" });
    const claims = decodeJwt(t.token);
    expect(claims).toMatchObject({ iss: "keyward", aud: API_TOKEN_AUDIENCE, sub: sec.id, jti: t.id, scope: "logs:write" });
    expect(claims.exp! * 1000).toBeGreaterThanOrEqual(before + 30 * DAY - 1000);
    expect(claims.exp! * 1000).toBeLessThanOrEqual(Date.now() + 30 * DAY);

    const row = getDb().select().from(apiTokens).where(eq(apiTokens.id, t.id)).get()!;
    expect(row).toMatchObject({ name: "Vector eu-1", scope: "logs:write", source: "gateway-eu", createdById: sec.id, revokedAt: null, lastUsedAt: null });
    expect(Math.abs(row.expiresAt.getTime() - claims.exp! * 1000)).toBeLessThan(1000);
    // The token is nowhere in the database: not in its row, not in the audit.
    const signature = t.token.split(".")[2];
    expect(JSON.stringify(raw().prepare("SELECT * FROM api_tokens").all())).not.toContain(signature);
    expect(JSON.stringify(raw().prepare("SELECT * FROM audit_log").all())).not.toContain(signature);
    const audit = auditFor(t.id);
    expect(audit.map((a) => a.action)).toEqual(["token.created"]);
    expect(audit[0].actor_id).toBe(sec.id);
    expect(JSON.parse(audit[0].details)).toMatchObject({ name: "Vector eu-1", source: "gateway-eu", scope: "logs:write" });
  });
});

describe("checking a bearer token", () => {
  it("accepts a fresh token and names it; refuses a missing header without an error code", async () => {
    const sec = await security();
    const t = await issueApiToken(sec.ctx, { name: "ok", source: "gw-ok", scope: "logs:write", expiresInDays: 1 });
    expect(await requireApiToken(bearer(t.token), "logs:write")).toEqual({ id: t.id, name: "ok", source: "gw-ok", scope: "logs:write" });

    const missing = await thrown(requireApiToken(new Request("http://keyward.test/api/v1/logs", { method: "POST" }), "logs:write"));
    expect(missing.status).toBe(401);
    expect(missing.headers.get("WWW-Authenticate")).toBe('Bearer realm="keyward"');
    const basic = await thrown(requireApiToken(new Request("http://keyward.test/x", { headers: { Authorization: `Basic ${btoa("a:b")}` } }), "logs:write"));
    expect(basic.status).toBe(401);
    expect(basic.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
  });

  it("refuses a token whose row has expired even while the JWT still verifies, and one whose row is gone", async () => {
    const sec = await security();
    const t = await issueApiToken(sec.ctx, { name: "short", source: "gw", scope: "logs:write", expiresInDays: 2 });
    const later = new Date(Date.now() + 3 * DAY);
    const res = await thrown(requireApiToken(bearer(t.token), "logs:write", later));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "invalid_token", error: "The token has expired." });

    getDb().delete(apiTokens).where(eq(apiTokens.id, t.id)).run();
    expect((await thrown(requireApiToken(bearer(t.token), "logs:write"))).status).toBe(401);
  });

  it("refuses a row whose scope lacks logs:write with 403 even if the JWT claims it", async () => {
    const sec = await security();
    const t = await issueApiToken(sec.ctx, { name: "narrowed", source: "gw", scope: "logs:write", expiresInDays: 5 });
    getDb().update(apiTokens).set({ scope: "logs:read" }).where(eq(apiTokens.id, t.id)).run();
    const res = await thrown(requireApiToken(bearer(t.token), "logs:write"));
    expect(res.status).toBe(403);
    expect(res.headers.get("WWW-Authenticate")).toContain('error="insufficient_scope"');
  });
});

describe("listing and revoking", () => {
  it("lists tokens newest first with creator and status; partners see none", async () => {
    const sec = await security();
    getDb().delete(apiTokens).run();
    const a = await issueApiToken({ ...sec.ctx, now: new Date(Date.now() - 10 * DAY) }, { name: "old", source: "gw", scope: "logs:write", expiresInDays: 5 });
    const b = await issueApiToken(sec.ctx, { name: "new", source: "gw", scope: "logs:write", expiresInDays: 5 });
    const c = await issueApiToken({ ...sec.ctx, now: new Date(Date.now() - DAY) }, { name: "gone", source: "gw", scope: "logs:write", expiresInDays: 5 });
    revokeApiToken(sec.ctx, c.id);

    const list = listApiTokens(sec.ctx.actor);
    expect(list.total).toBe(3);
    expect(list.rows.map((r) => [r.name, r.status])).toEqual([
      ["new", "active"],
      ["gone", "revoked"],
      ["old", "expired"],
    ]);
    expect(list.rows[0]).toMatchObject({ id: b.id, createdByEmail: sec.email });
    expect(list.rows[1].revokedByName).toBeTruthy();
    expect(list.rows.some((r) => r.id === a.id)).toBe(true);

    const partner = createOrg({ kind: "partner" });
    const pa = await createUser({ role: "partner_admin", orgId: partner.id });
    expect(listApiTokens(actorFor(pa.id))).toMatchObject({ rows: [], total: 0 });
    expect(revokeApiToken({ actor: actorFor(pa.id), ip: null }, b.id)).toBeNull();
    expect(getDb().select().from(apiTokens).where(eq(apiTokens.id, b.id)).get()!.revokedAt).toBeNull();
  });

  it("revokes once, audited; a second revoke changes nothing; an unknown id is null", async () => {
    const sec = await security();
    const t = await issueApiToken(sec.ctx, { name: "to revoke", source: "gw", scope: "logs:write", expiresInDays: 5 });
    expect(revokeApiToken(sec.ctx, t.id)).toEqual({ name: "to revoke", alreadyRevoked: false });
    expect(revokeApiToken(sec.ctx, t.id)).toEqual({ name: "to revoke", alreadyRevoked: true });
    expect(auditFor(t.id).map((a) => a.action)).toEqual(["token.created", "token.revoked"]);
    const row = getDb().select().from(apiTokens).where(eq(apiTokens.id, t.id)).get()!;
    expect(row.revokedById).toBe(sec.id);
    expect(revokeApiToken(sec.ctx, crypto.randomUUID())).toBeNull();

    const res = await thrown(requireApiToken(bearer(t.token), "logs:write"));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: "The token has been revoked." });
  });
});
