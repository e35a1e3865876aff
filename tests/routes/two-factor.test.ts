import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { auditLog, sessions } from "../../db/schema";
import { recoveryCodes, twoFactors } from "../../db/schema-account";
import { totpCode } from "../../app/domain/two-factor";
import { login, request } from "../support/app";
import { createOrg, createUser, tenancyWorld, TEST_PASSWORD } from "../support/factories";

// Issue 9, point 2: TOTP second factor, recovery codes, the policy for internal roles, sessions.

let ipSeq = 0;
const ip = () => `203.0.113.${(ipSeq++ % 200) + 20}`;
const db = () => getDb();
const secretOf = (userId: string) => db().select().from(twoFactors).where(eq(twoFactors.userId, userId)).get()?.secret ?? null;
const sessionCount = (userId: string) => db().select().from(sessions).where(eq(sessions.userId, userId)).all().length;
const audits = (action: string, targetId: string) => db().select().from(auditLog).where(and(eq(auditLog.action, action), eq(auditLog.targetId, targetId))).all();
const cookieOf = (res: Response, name: string) => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
const codesIn = (html: string) => [...html.matchAll(/<li>([a-z0-9]{5}-[a-z0-9]{5})<\/li>/g)].map((m) => m[1]);
const NEXT_STEP = () => Date.now() + 30_000;

/** Password step only: the pending-sign-in cookie. */
async function passwordStep(email: string, redirectTo?: string) {
  const res = await request("/login", { form: { email, password: TEST_PASSWORD, ...(redirectTo ? { redirectTo } : {}) }, ip: ip() });
  expect(res.status).toBe(302);
  expect(res.headers.get("Location")).toBe("/login/two-factor");
  return cookieOf(res, "keyward_2fa")!.split(";")[0];
}

/** An internal user without a second factor enrols over HTTP; returns the session, secret and recovery codes. */
async function enrol(role: "vendor_manager" | "security" | "auditor" | "partner_member" = "security") {
  const orgId = role === "partner_member" ? createOrg().id : null;
  const u = await createUser({ role, orgId, twoFactor: false });
  const cookie = await login(u.email, u.password, ip());
  const page = await request("/account/two-factor", { cookie });
  expect(page.status).toBe(200);
  const secret = secretOf(u.id)!;
  const res = await request("/account/two-factor", { form: { code: totpCode(secret) }, cookie, ip: ip() });
  expect(res.status).toBe(200);
  const codes = codesIn(await res.text());
  return { u, cookie, secret, codes };
}

describe("enrolment", () => {
  it("sends an internal user without a second factor to enrolment before anything else", async () => {
    const u = await createUser({ role: "vendor_manager", twoFactor: false });
    const cookie = await login(u.email, u.password, ip());
    for (const path of ["/dashboard", "/credentials", "/users", "/audit", "/account"]) {
      const res = await request(path, { cookie });
      expect(res.status, path).toBe(302);
      expect(res.headers.get("Location"), path).toBe("/account/two-factor");
    }
    // The way out stays open.
    const out = await request("/logout", { form: {}, cookie });
    expect(out.status).toBe(302);
  });

  it("does not require a second factor of partner users (they may enrol)", async () => {
    const u = await createUser({ role: "partner_member", orgId: createOrg().id });
    const cookie = await login(u.email, u.password, ip());
    expect((await request("/dashboard", { cookie })).status).toBe(200);
    const account = await request("/account", { cookie });
    expect(await account.text()).toContain("Set up two-factor sign-in");
  });

  it("shows a QR code (an SVG image, no inline style) and the manual key, the same on reload", async () => {
    const u = await createUser({ role: "auditor", twoFactor: false });
    const cookie = await login(u.email, u.password, ip());
    const html = await (await request("/account/two-factor", { cookie })).text();
    const img = html.match(/<img[^>]*class="totp-qr"[^>]*>/)?.[0] ?? "";
    const src = img.match(/src="data:image\/svg\+xml;base64,([^"]+)"/)?.[1];
    expect(src).toBeTruthy();
    const svg = Buffer.from(src!, "base64").toString("utf8");
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(html).not.toMatch(/\sstyle=/);
    const secret = secretOf(u.id)!;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(html.replace(/\s/g, "")).toContain(secret);
    await request("/account/two-factor", { cookie });
    expect(secretOf(u.id)).toBe(secret);
    // Not on until confirmed: still sent to enrolment.
    expect((await request("/dashboard", { cookie })).headers.get("Location")).toBe("/account/two-factor");
  });

  it("refuses a wrong or malformed code and keeps the enrolment pending", async () => {
    const u = await createUser({ role: "security", twoFactor: false });
    const cookie = await login(u.email, u.password, ip());
    await request("/account/two-factor", { cookie });
    const wrongCode = String((Number(totpCode(secretOf(u.id)!)) + 500000) % 1000000).padStart(6, "0");
    const wrong = await request("/account/two-factor", { form: { code: wrongCode }, cookie, ip: ip() });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("That code is not valid");
    const junk = await request("/account/two-factor", { form: { code: "12ab" }, cookie, ip: ip() });
    expect(junk.status).toBe(400);
    expect(await junk.text()).toContain("Enter the 6-digit code");
    expect(db().select().from(twoFactors).where(eq(twoFactors.userId, u.id)).get()?.enabledAt).toBeNull();
  });

  it("turns on with a first code, shows 10 recovery codes once, keeps only their Argon2id hashes and ends other sessions", async () => {
    const u = await createUser({ role: "security", twoFactor: false });
    const elsewhere = await login(u.email, u.password, ip());
    const cookie = await login(u.email, u.password, ip());
    await request("/account/two-factor", { cookie });
    const res = await request("/account/two-factor", { form: { code: totpCode(secretOf(u.id)!) }, cookie, ip: ip() });
    expect(res.status).toBe(200);
    const codes = codesIn(await res.text());
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const stored = db().select().from(recoveryCodes).where(eq(recoveryCodes.userId, u.id)).all();
    expect(stored).toHaveLength(10);
    for (const row of stored) {
      expect(row.codeHash).toMatch(/^\$argon2id\$/);
      for (const c of codes) expect(row.codeHash).not.toContain(c.replace("-", ""));
    }
    expect((await request("/dashboard", { cookie })).status).toBe(200);
    expect((await request("/dashboard", { cookie: elsewhere })).status).toBe(302);
    expect(audits("two_factor.enabled", u.id)).toHaveLength(1);
    // Shown once: the account page tells how many are left, never the codes.
    const account = await (await request("/account", { cookie })).text();
    expect(codesIn(account)).toEqual([]);
    expect(account).toMatch(/Recovery codes left<\/dt><dd>10/);
  });
});

describe("signing in with a second factor", () => {
  it("creates no session after the password; the code completes it, to the local redirectTo", async () => {
    const { u, secret } = await enrol("vendor_manager");
    const before = sessionCount(u.id);
    const logins = audits("auth.login", u.id).length;
    const res = await request("/login", { form: { email: u.email, password: TEST_PASSWORD, redirectTo: "/audit?action=user" }, ip: ip() });
    expect(res.headers.get("Location")).toBe("/login/two-factor");
    expect(cookieOf(res, "keyward_session")).toBeUndefined();
    const pendingSet = cookieOf(res, "keyward_2fa")!;
    expect(pendingSet).toMatch(/HttpOnly/i);
    expect(pendingSet).toMatch(/Path=\/login/i);
    expect(pendingSet).toMatch(/SameSite=Lax/i);
    expect(sessionCount(u.id)).toBe(before);
    const pending = pendingSet.split(";")[0];
    // The pending cookie is no session.
    expect((await request("/dashboard", { cookie: pending })).headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
    expect((await request("/login/two-factor", { cookie: pending })).status).toBe(200);
    const done = await request("/login/two-factor", { form: { code: totpCode(secret, NEXT_STEP()) }, cookie: pending, ip: ip() });
    expect(done.status).toBe(302);
    expect(done.headers.get("Location")).toBe("/audit?action=user");
    const session = cookieOf(done, "keyward_session")!;
    expect(session).toMatch(/HttpOnly/i);
    expect(cookieOf(done, "keyward_2fa")).toMatch(/Max-Age=0/);
    expect(sessionCount(u.id)).toBe(before + 1);
    expect(audits("auth.login", u.id)).toHaveLength(logins + 1);
    expect((await request("/audit", { cookie: session.split(";")[0] })).status).toBe(200);
  });

  it("refuses the step without the pending cookie, with a forged one, and a wrong code", async () => {
    const { u, secret } = await enrol();
    const none = await request("/login/two-factor", { form: { code: totpCode(secret) }, ip: ip() });
    expect(none.headers.get("Location")).toBe("/login");
    const forged = await request("/login/two-factor", { form: { code: totpCode(secret) }, cookie: `keyward_2fa=eyJhbGciOiJub25lIn0.eyJzdWIiOiIke3UuaWR9In0.`, ip: ip() });
    expect(forged.headers.get("Location")).toBe("/login");
    const pending = await passwordStep(u.email);
    const wrong = await request("/login/two-factor", { form: { code: "000000" === totpCode(secret) ? "111111" : "000000" }, cookie: pending, ip: ip() });
    expect(wrong.status).toBe(401);
    expect(cookieOf(wrong, "keyward_session")).toBeUndefined();
    expect(audits("auth.second_factor_failed", u.id).length).toBeGreaterThan(0);
  });

  it("accepts a code once: the same code is refused within its window", async () => {
    const { u, secret } = await enrol();
    const code = totpCode(secret, NEXT_STEP());
    const first = await request("/login/two-factor", { form: { code }, cookie: await passwordStep(u.email), ip: ip() });
    expect(first.status).toBe(302);
    const again = await request("/login/two-factor", { form: { code }, cookie: await passwordStep(u.email), ip: ip() });
    expect(again.status).toBe(401);
    expect(await again.text()).toContain("already used");
    // The enrolment's own code (an earlier step) is not accepted either.
    const older = await request("/login/two-factor", { form: { code: totpCode(secret) }, cookie: await passwordStep(u.email), ip: ip() });
    expect(older.status).toBe(401);
  });

  it("throttles like passwords: after 5 wrong codes even the right one gets 429 with Retry-After", async () => {
    const { u, secret } = await enrol();
    const pending = await passwordStep(u.email);
    const right = totpCode(secret, NEXT_STEP());
    const wrong = right === "123456" ? "654321" : "123456";
    for (let i = 0; i < 5; i++) expect((await request("/login/two-factor", { form: { code: wrong }, cookie: pending, ip: ip() })).status).toBe(401);
    const locked = await request("/login/two-factor", { form: { code: right }, cookie: pending, ip: ip() });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(cookieOf(locked, "keyward_session")).toBeUndefined();
  });

  it("signs in with a recovery code once; it is then used up", async () => {
    const { u, codes } = await enrol();
    const use = await request("/login/two-factor", { form: { code: codes[3].toUpperCase() }, cookie: await passwordStep(u.email), ip: ip() });
    expect(use.status).toBe(302);
    expect(cookieOf(use, "keyward_session")).toBeTruthy();
    const again = await request("/login/two-factor", { form: { code: codes[3] }, cookie: await passwordStep(u.email), ip: ip() });
    expect(again.status).toBe(401);
    expect(db().select().from(recoveryCodes).where(eq(recoveryCodes.userId, u.id)).all().filter((r) => r.usedAt).length).toBe(1);
  });

  it("gives a new session id at every sign-in", async () => {
    const u = await createUser({ role: "auditor" });
    const a = await login(u.email, u.password, ip());
    const b = await login(u.email, u.password, ip());
    expect(a).not.toBe(b);
  });
});

describe("managing the factor", () => {
  it("regenerates recovery codes with a current code: the old ones stop working", async () => {
    const { u, cookie, secret, codes } = await enrol();
    const refused = await request("/account", { form: { intent: "regenerate", code: "12345" }, cookie, ip: ip() });
    expect(refused.status).toBe(400);
    const res = await request("/account", { form: { intent: "regenerate", code: totpCode(secret, NEXT_STEP()) }, cookie, ip: ip() });
    expect(res.status).toBe(200);
    const fresh = codesIn(await res.text());
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(codes[0]);
    const old = await request("/login/two-factor", { form: { code: codes[0] }, cookie: await passwordStep(u.email), ip: ip() });
    expect(old.status).toBe(401);
    expect(audits("two_factor.recovery_codes_regenerated", u.id)).toHaveLength(1);
  });

  it("turns off for a partner user (password alone afterwards); an internal user is sent to enrol again", async () => {
    const partner = await enrol("partner_member");
    const off = await request("/account", { form: { intent: "disable", code: partner.codes[0] }, cookie: partner.cookie, ip: ip() });
    expect(off.status).toBe(302);
    expect(off.headers.get("Location")).toBe("/account?saved=disabled");
    expect(secretOf(partner.u.id)).toBeNull();
    expect(db().select().from(recoveryCodes).where(eq(recoveryCodes.userId, partner.u.id)).all()).toEqual([]);
    const plain = await request("/login", { form: { email: partner.u.email, password: TEST_PASSWORD }, ip: ip() });
    expect(plain.headers.get("Location")).toBe("/dashboard");
    expect(audits("two_factor.disabled", partner.u.id)).toHaveLength(1);

    const internal = await enrol("auditor");
    const bad = await request("/account", { form: { intent: "disable", code: "abcde-fghjk" }, cookie: internal.cookie, ip: ip() });
    expect(bad.status).toBe(400);
    const reset = await request("/account", { form: { intent: "disable", code: totpCode(internal.secret, NEXT_STEP()) }, cookie: internal.cookie, ip: ip() });
    expect(reset.headers.get("Location")).toBe("/account/two-factor");
    expect((await request("/dashboard", { cookie: internal.cookie })).headers.get("Location")).toBe("/account/two-factor");
  });
});

describe("resetting another user's second factor", () => {
  it("a vendor manager resets it (lost phone and codes): audited, signed out, enrols again; others may not", async () => {
    const w = await tenancyWorld();
    const target = await enrol("auditor");
    const vm = await login(w.vm.email, w.vm.password, ip());
    const pa = await login(w.partnerAdmin.email, w.partnerAdmin.password, ip());
    expect((await request(`/users/${target.u.id}`, { form: { intent: "reset-two-factor" }, cookie: pa, ip: ip() })).status).toBe(404);
    const page = await (await request(`/users/${target.u.id}`, { cookie: vm })).text();
    expect(page).toContain("Reset two-factor sign-in");
    const res = await request(`/users/${target.u.id}`, { form: { intent: "reset-two-factor" }, cookie: vm, ip: ip() });
    expect(res.headers.get("Location")).toBe(`/users/${target.u.id}?saved=two-factor-reset`);
    expect(secretOf(target.u.id)).toBeNull();
    expect(db().select().from(recoveryCodes).where(eq(recoveryCodes.userId, target.u.id)).all()).toEqual([]);
    expect(sessionCount(target.u.id)).toBe(0);
    expect(audits("two_factor.reset", target.u.id)).toHaveLength(1);
    // Next sign-in: password, then straight to enrolment.
    const again = await login(target.u.email, target.u.password, ip());
    expect((await request("/dashboard", { cookie: again })).headers.get("Location")).toBe("/account/two-factor");
    // Nothing left to reset: a clear refusal.
    const twice = await request(`/users/${target.u.id}`, { form: { intent: "reset-two-factor" }, cookie: vm, ip: ip() });
    expect(twice.status).toBe(400);
    expect(await twice.text()).toContain("no second factor to reset");
  });
});

describe("ending a user's sessions", () => {
  it("a vendor manager ends all sessions of anyone; a partner admin of their own organisation's users; audited", async () => {
    const w = await tenancyWorld();
    const vm = await login(w.vm.email, w.vm.password, ip());
    const pa = await login(w.partnerAdmin.email, w.partnerAdmin.password, ip());
    const member1 = await login(w.partnerMember.email, w.partnerMember.password, ip());
    const member2 = await login(w.partnerMember.email, w.partnerMember.password, ip());
    const page = await (await request(`/users/${w.partnerMember.id}`, { cookie: pa })).text();
    expect(page).toContain("End all sessions (2)");
    const res = await request(`/users/${w.partnerMember.id}`, { form: { intent: "end-sessions" }, cookie: pa, ip: ip() });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/users/${w.partnerMember.id}?saved=sessions-ended`);
    for (const c of [member1, member2]) expect((await request("/dashboard", { cookie: c })).status).toBe(302);
    expect(sessionCount(w.partnerMember.id)).toBe(0);
    const entry = audits("user.sessions_ended", w.partnerMember.id);
    expect(entry).toHaveLength(1);
    expect(JSON.parse(entry[0].details)).toEqual({ sessions: 2 });

    await login(w.partnerAdmin.email, w.partnerAdmin.password, ip());
    expect((await request(`/users/${w.partnerAdmin.id}`, { form: { intent: "end-sessions" }, cookie: vm, ip: ip() })).status).toBe(302);
    expect(sessionCount(w.partnerAdmin.id)).toBe(0);
    expect((await request("/dashboard", { cookie: pa })).status).toBe(302);
  });

  it("is refused to other roles (403), to another tenant's admin (404) and for a contractor's user", async () => {
    const w = await tenancyWorld();
    const member = await login(w.partnerMember.email, w.partnerMember.password, ip());
    const other = await login(w.otherAdmin.email, w.otherAdmin.password, ip());
    const pa = await login(w.partnerAdmin.email, w.partnerAdmin.password, ip());
    const sec = await createUser({ role: "security" });
    const secCookie = await login(sec.email, sec.password, ip());
    expect((await request(`/users/${w.partnerAdmin.id}`, { form: { intent: "end-sessions" }, cookie: member, ip: ip() })).status).toBe(403);
    expect((await request(`/users/${w.partnerMember.id}`, { form: { intent: "end-sessions" }, cookie: secCookie, ip: ip() })).status).toBe(403);
    expect((await request(`/users/${w.partnerMember.id}`, { form: { intent: "end-sessions" }, cookie: other, ip: ip() })).status).toBe(404);
    expect((await request(`/users/${w.contractorAdmin.id}`, { form: { intent: "end-sessions" }, cookie: pa, ip: ip() })).status).toBe(400);
    expect(sessionCount(w.partnerMember.id)).toBe(1);
    expect(audits("user.sessions_ended", w.partnerMember.id)).toEqual([]);
  });

  it("a deactivation ends the user's sessions at once (privilege change)", async () => {
    const w = await tenancyWorld();
    const vm = await login(w.vm.email, w.vm.password, ip());
    const member = await login(w.partnerMember.email, w.partnerMember.password, ip());
    await request(`/users/${w.partnerMember.id}`, { form: { intent: "deactivate" }, cookie: vm, ip: ip() });
    expect(sessionCount(w.partnerMember.id)).toBe(0);
    expect((await request("/dashboard", { cookie: member })).status).toBe(302);
  });
});
