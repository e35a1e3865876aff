import { describe, expect, it } from "vitest";
import { SignJWT, decodeJwt, decodeProtectedHeader } from "jose";
import { createInvitation } from "../../app/models/invitation.server";
import { invitationLink } from "../../app/invitation-link.server";
import { actorFor, createUser, tenancyWorld } from "../support/factories";
import { login, request } from "../support/app";

const GOOD_PASSWORD = "a long enough passphrase";
const TOKEN = /\/invite\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)/;
const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

/** A fresh, unused invitation link for `email` (a partner admin of a new partner), made through the UI. */
async function freshToken(email: string) {
  const w = await tenancyWorld();
  const { token } = await inviteAs(w.vm, { email, name: "Invitee", role: "partner_admin", orgSlug: w.partner.slug });
  if (!token) throw new Error("no invitation link in the page");
  return token;
}

async function inviteAs(who: { email: string; password: string }, form: Record<string, string>) {
  const cookie = await login(who.email, who.password);
  const res = await request("/users/new", { form, cookie });
  const html = await res.text();
  return { res, html, token: TOKEN.exec(html)?.[1] ?? null };
}

describe("inviting through the Users page", () => {
  it("shows the vendor manager a signed single-use link once, in the POST response", async () => {
    const w0 = await tenancyWorld();
    const cookie = await login(w0.vm.email, w0.vm.password);
    const res = await request("/users/new", { form: { email: "Ada@Partner.test", name: "Ada", role: "partner_admin", orgSlug: w0.partner.slug }, cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const html = await res.text();
    const token = TOKEN.exec(html)?.[1];
    expect(token).toBeTruthy();
    expect(html).toContain("ada@partner.test");
    expect(html).toMatch(/expires on <time dateTime="[^"]+">/);
    // an ES256 JWT for the invitation audience, expiring in 72 hours
    expect(decodeProtectedHeader(token!).alg).toBe("ES256");
    const claims = decodeJwt(token!);
    expect(claims.aud).toBe("keyward:invitation");
    expect(claims.exp! - claims.iat!).toBeGreaterThan(71 * 3600);
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(72 * 3600);
    // the new user is listed as invited, and the link is not stored anywhere a GET page shows it
    const list = await request("/users?status=invited&q=ada%40partner", { cookie });
    const listHtml = await list.text();
    expect(listHtml).toContain("ada@partner.test");
    expect(listHtml).not.toContain(token!);
  });

  it("re-renders the form with what was typed and field messages on bad input", async () => {
    const w = await tenancyWorld();
    const { res, html, token } = await inviteAs(w.vm, { email: "not-an-email", name: "Grace Typed", role: "partner_member", orgSlug: "" });
    expect(res.status).toBe(400);
    expect(token).toBeNull();
    expect(html).toContain("Enter a valid email address");
    expect(html).toContain("Partner roles need an organisation");
    expect(html).toContain('value="Grace Typed"');
    expect(html).toContain('value="not-an-email"');
  });
});

describe("the invitation page /invite/<token>", () => {
  it("shows the invitee's email, refuses a short or mismatched password, then signs them in once", async () => {
    const token = await freshToken("joiner@partner.test");
    const page = await request(`/invite/${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("joiner@partner.test");

    const short = await request(`/invite/${token}`, { form: { password: "too short", confirm: "too short" } });
    expect(short.status).toBe(400);
    const shortHtml = await short.text();
    expect(shortHtml).toContain("Use at least 12 characters");
    expect(shortHtml).not.toContain("too short");

    const mismatch = await request(`/invite/${token}`, { form: { password: GOOD_PASSWORD, confirm: `${GOOD_PASSWORD}!` } });
    expect(mismatch.status).toBe(400);
    expect(await mismatch.text()).toContain("The two passwords differ");

    const ok = await request(`/invite/${token}`, { form: { password: GOOD_PASSWORD, confirm: GOOD_PASSWORD } });
    expect(ok.status).toBe(302);
    expect(ok.headers.get("Location")).toBe("/dashboard");
    const cookie = ok.headers.get("Set-Cookie")!.split(";")[0];
    expect(cookie).toMatch(/^keyward_session=.+/);
    expect((await request("/dashboard", { cookie })).status).toBe(200);
    // and the chosen password works at the login form
    expect(await login("joiner@partner.test", GOOD_PASSWORD)).toMatch(/^keyward_session=/);

    // single use: the link is gone for GET and POST
    const again = await request(`/invite/${token}`);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain("expired or was already used");
    const replay = await request(`/invite/${token}`, { form: { password: "another long passphrase", confirm: "another long passphrase" } });
    expect(replay.status).toBe(410);
    expect(await login("joiner@partner.test", GOOD_PASSWORD)).toBeTruthy(); // password unchanged
  });

  it("answers 410 for an expired link", async () => {
    const w = await tenancyWorld();
    const past = new Date(Date.now() - 73 * 3600_000);
    const inv = createInvitation({ actor: actorFor(w.vm.id), ip: null, now: past }, { email: "expired@partner.test", name: "Late", role: "partner_member", orgSlug: w.partner.slug });
    if (!inv.ok) throw new Error(inv.message);
    const link = await invitationLink(inv);
    const token = TOKEN.exec(link)![1];
    const res = await request(`/invite/${token}`);
    expect(res.status).toBe(410);
    expect(await res.text()).toContain("expired or was already used");
    const post = await request(`/invite/${token}`, { form: { password: GOOD_PASSWORD, confirm: GOOD_PASSWORD } });
    expect(post.status).toBe(410);
  });

  it("answers 410 for a link replaced by a newer invitation", async () => {
    const w = await tenancyWorld();
    const ctx = { actor: actorFor(w.vm.id), ip: null };
    const first = createInvitation(ctx, { email: "twice@partner.test", name: "Twice", role: "partner_member", orgSlug: w.partner.slug });
    const second = createInvitation(ctx, { email: "twice@partner.test", name: "Twice", role: "partner_member", orgSlug: w.partner.slug });
    if (!first.ok || !second.ok) throw new Error("invitation failed");
    const oldToken = TOKEN.exec(await invitationLink(first))![1];
    const newToken = TOKEN.exec(await invitationLink(second))![1];
    expect((await request(`/invite/${oldToken}`)).status).toBe(410);
    expect((await request(`/invite/${newToken}`)).status).toBe(200);
  });

  it("answers 410 for a tampered signature, a changed payload, alg none and HS256", async () => {
    const token = await freshToken("forged@partner.test");
    const [header, payload, signature] = token.split(".");

    // one character of the signature changed (in the middle: the last character has spare bits)
    const i = Math.floor(signature.length / 2);
    const flipped = signature.slice(0, i) + (signature[i] === "A" ? "B" : "A") + signature.slice(i + 1);
    expect((await request(`/invite/${header}.${payload}.${flipped}`)).status).toBe(410);

    // the payload edited (another user), original signature kept
    const claims = decodeJwt(token);
    const other = await createUser({ role: "partner_member", status: "invited" });
    const edited = b64url({ ...claims, sub: other.id });
    expect((await request(`/invite/${header}.${edited}.${signature}`)).status).toBe(410);

    // alg "none", unsigned
    const none = `${b64url({ alg: "none", typ: "JWT" })}.${payload}.`;
    expect((await request(`/invite/${none}`)).status).toBe(410);
    const noneRes = await request(`/invite/${none}`, { form: { password: GOOD_PASSWORD, confirm: GOOD_PASSWORD } });
    expect(noneRes.status).toBe(410);
    expect(noneRes.headers.get("Set-Cookie")).toBeNull();

    // HS256 keyed with the published public key (the classic algorithm-confusion forgery)
    const jwks = (await (await request("/.well-known/jwks.json")).json()) as { keys: { kid: string }[] };
    const kid = decodeProtectedHeader(token).kid!;
    const publicJwk = jwks.keys.find((k) => k.kid === kid)!;
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", kid, typ: "JWT" }).sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
    expect((await request(`/invite/${hs}`)).status).toBe(410);
    const hsRes = await request(`/invite/${hs}`, { form: { password: GOOD_PASSWORD, confirm: GOOD_PASSWORD } });
    expect(hsRes.status).toBe(410);

    // garbage
    expect((await request("/invite/not-a-token")).status).toBe(410);

    // none of this used up the real link
    expect((await request(`/invite/${token}`)).status).toBe(200);
  });
});
