import { describe, expect, it } from "vitest";
import { createUser, tenancyWorld } from "../support/factories";
import { login, request } from "../support/app";

const TOKEN = /\/invite\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;

describe("the Users list", () => {
  it("shows a partner admin its own and its contractors' users, never another partner's", async () => {
    const w = await tenancyWorld();
    const cookie = await login(w.partnerAdmin.email, w.partnerAdmin.password);
    const res = await request("/users", { cookie });
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const u of [w.partnerAdmin, w.partnerMember, w.contractorAdmin]) expect(html).toContain(u.email);
    expect(html).not.toContain(w.otherAdmin.email);
    expect(html).not.toContain(w.vm.email);
    expect(html).toContain(`href="/orgs/${w.partner.slug}"`);
    // asking for the other org by slug shows nothing from it
    const filtered = await (await request(`/users?org=${w.other.slug}`, { cookie })).text();
    expect(filtered).not.toContain(w.otherAdmin.email);
  });

  it("lets a vendor manager search and filter every tenant's users", async () => {
    const w = await tenancyWorld();
    const cookie = await login(w.vm.email, w.vm.password);
    const html = await (await request(`/users?q=${encodeURIComponent(w.otherAdmin.email)}`, { cookie })).text();
    expect(html).toContain(w.otherAdmin.email);
    expect(html).not.toContain(w.partnerAdmin.email);
    const byOrg = await (await request(`/users?org=${w.contractor.slug}&role=partner_admin&status=active`, { cookie })).text();
    expect(byOrg).toContain(w.contractorAdmin.email);
    expect(byOrg).not.toContain(w.partnerMember.email);
    // junk in the query string is ignored, not an error
    expect((await request("/users?role=root&page=-3&status=%00", { cookie })).status).toBe(200);
  });

  it("sends anonymous visitors to the login page", async () => {
    const res = await request("/users");
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent("/users")}`);
  });
});

describe("user detail and tenancy", () => {
  it("answers 404 to a partner user asking for another org's user, for GET and POST alike", async () => {
    const w = await tenancyWorld();
    for (const who of [w.partnerAdmin, w.partnerMember, w.contractorAdmin]) {
      const cookie = await login(who.email, who.password);
      expect((await request(`/users/${w.otherAdmin.id}`, { cookie })).status).toBe(404);
      expect((await request(`/users/${w.vm.id}`, { cookie })).status).toBe(404);
      expect((await request("/users/no-such-id", { cookie })).status).toBe(404);
    }
    const admin = await login(w.partnerAdmin.email, w.partnerAdmin.password);
    const post = await request(`/users/${w.otherAdmin.id}`, { form: { intent: "deactivate" }, cookie: admin });
    expect(post.status).toBe(404);
    // the other tenant's admin was not touched
    expect(await login(w.otherAdmin.email, w.otherAdmin.password)).toBeTruthy();
    // a contractor's admin cannot reach its sponsor's users either
    const contractor = await login(w.contractorAdmin.email, w.contractorAdmin.password);
    expect((await request(`/users/${w.partnerMember.id}`, { cookie: contractor })).status).toBe(404);
  });

  it("lets a partner member read its org's users but not change them", async () => {
    const w = await tenancyWorld();
    const cookie = await login(w.partnerMember.email, w.partnerMember.password);
    const page = await request(`/users/${w.partnerAdmin.id}`, { cookie });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(w.partnerAdmin.email);
    expect(html).not.toContain("Deactivate</button>");
    const post = await request(`/users/${w.partnerAdmin.id}`, { form: { intent: "deactivate" }, cookie });
    expect(post.status).toBe(403);
  });
});

describe("inviting", () => {
  it("forbids a partner member from inviting (403 on the page and the form)", async () => {
    const w = await tenancyWorld();
    const cookie = await login(w.partnerMember.email, w.partnerMember.password);
    expect((await request("/users/new", { cookie })).status).toBe(403);
    const post = await request("/users/new", { form: { email: "x@partner.test", name: "X", role: "partner_member", orgSlug: w.partner.slug }, cookie });
    expect(post.status).toBe(403);
    expect(await post.text()).not.toMatch(TOKEN);
    // auditors and security read users but invite no one
    const auditor = await createUser({ role: "auditor" });
    const a = await login(auditor.email, auditor.password);
    expect((await request("/users/new", { cookie: a })).status).toBe(403);
  });

  it("lets a partner admin invite into its own org, offering only partner roles and its own org", async () => {
    const w = await tenancyWorld();
    const cookie = await login(w.partnerAdmin.email, w.partnerAdmin.password);
    const page = await (await request("/users/new", { cookie })).text();
    expect(page).toContain('value="partner_member"');
    expect(page).not.toContain('value="vendor_manager"');
    expect(page).toContain(`value="${w.partner.slug}"`);
    expect(page).not.toContain(`value="${w.other.slug}"`);
    expect(page).not.toContain(`value="${w.contractor.slug}"`);

    const ok = await request("/users/new", { form: { email: "teammate@partner.test", name: "Teammate", role: "partner_member", orgSlug: w.partner.slug }, cookie });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(TOKEN);
    const list = await (await request("/users?status=invited", { cookie })).text();
    expect(list).toContain("teammate@partner.test");
  });

  it("refuses a partner admin inviting into another org or with an internal role (400 with the reason)", async () => {
    const w = await tenancyWorld();
    const cookie = await login(w.partnerAdmin.email, w.partnerAdmin.password);
    const other = await request("/users/new", { form: { email: "spy@other.test", name: "Spy", role: "partner_member", orgSlug: w.other.slug }, cookie });
    expect(other.status).toBe(400);
    const otherHtml = await other.text();
    expect(otherHtml).not.toMatch(TOKEN);
    expect(otherHtml).toContain("No such organisation.");
    const internal = await request("/users/new", { form: { email: "boss@partner.test", name: "Boss", role: "vendor_manager", orgSlug: "" }, cookie });
    expect(internal.status).toBe(400);
    expect(await internal.text()).toContain("You cannot grant that role.");
  });

  it("re-sends an invitation from the user's page, showing a new link", async () => {
    const w = await tenancyWorld();
    const cookie = await login(w.partnerAdmin.email, w.partnerAdmin.password);
    const first = await (await request("/users/new", { form: { email: "slow@partner.test", name: "Slow", role: "partner_member", orgSlug: w.partner.slug }, cookie })).text();
    const firstLink = TOKEN.exec(first)![0];
    const userId = /href="\/users\/([0-9a-f-]{36})"/.exec(first)![1];
    const detail = await (await request(`/users/${userId}`, { cookie })).text();
    expect(detail).toContain("Send a new invitation link");
    expect(detail).not.toMatch(TOKEN);
    const again = await request("/users/new", { form: { intent: "resend", userId }, cookie });
    expect(again.status).toBe(200);
    const html = await again.text();
    const newLink = TOKEN.exec(html)![0];
    expect(newLink).not.toBe(firstLink);
    expect(html).toContain("Any earlier link for this person no longer works.");
    expect((await request(firstLink)).status).toBe(410);
    expect((await request(newLink)).status).toBe(200);
    // another tenant's user: 404
    const otherAdmin = await login(w.otherAdmin.email, w.otherAdmin.password);
    expect((await request("/users/new", { form: { intent: "resend", userId }, cookie: otherAdmin })).status).toBe(404);
  });
});

describe("managing users", () => {
  it("signs a deactivated user out at once: their existing cookie stops working on the next request", async () => {
    const w = await tenancyWorld();
    const member = await login(w.partnerMember.email, w.partnerMember.password);
    expect((await request("/dashboard", { cookie: member })).status).toBe(200);
    const admin = await login(w.partnerAdmin.email, w.partnerAdmin.password);
    const res = await request(`/users/${w.partnerMember.id}`, { form: { intent: "deactivate" }, cookie: admin });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/users/${w.partnerMember.id}?saved=deactivated`);
    const next = await request("/dashboard", { cookie: member });
    expect(next.status).toBe(302);
    expect(next.headers.get("Location")).toMatch(/^\/login/);
    expect((await request("/login", { form: { email: w.partnerMember.email, password: w.partnerMember.password }, ip: "192.0.2.77" })).status).toBe(401);
    const page = await (await request(`/users/${w.partnerMember.id}?saved=deactivated`, { cookie: admin })).text();
    expect(page).toContain("User deactivated.");
    expect(page).toContain("Reactivate");
    // reactivation lets them back in
    expect((await request(`/users/${w.partnerMember.id}`, { form: { intent: "reactivate" }, cookie: admin })).status).toBe(302);
    expect(await login(w.partnerMember.email, w.partnerMember.password)).toBeTruthy();
  });

  it("lets a vendor manager change a partner user's role", async () => {
    const w = await tenancyWorld();
    const vm = await login(w.vm.email, w.vm.password);
    const member = await login(w.partnerMember.email, w.partnerMember.password);
    const res = await request(`/users/${w.partnerMember.id}`, { form: { intent: "role", role: "partner_admin" }, cookie: vm });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/users/${w.partnerMember.id}?saved=role`);
    const page = await (await request(`/users/${w.partnerMember.id}?saved=role`, { cookie: vm })).text();
    expect(page).toContain("Role saved.");
    expect(page).toMatch(/<dt>Role<\/dt><dd>Partner admin<\/dd>/);
    // the promoted user's old session ended; at the next sign-in they can invite
    expect((await request("/dashboard", { cookie: member })).status).toBe(302);
    const promoted = await login(w.partnerMember.email, w.partnerMember.password);
    expect((await request("/users/new", { cookie: promoted })).status).toBe(200);
  });

  it("refuses role changes outside the rules with a 400 and a message", async () => {
    const w = await tenancyWorld();
    const vm = await login(w.vm.email, w.vm.password);
    const toInternal = await request(`/users/${w.partnerMember.id}`, { form: { intent: "role", role: "security" }, cookie: vm });
    expect(toInternal.status).toBe(400);
    expect(await toInternal.text()).toContain("Partner users keep a partner role.");
    const self = await request(`/users/${w.vm.id}`, { form: { intent: "deactivate" }, cookie: vm });
    expect(self.status).toBe(400);
    expect(await self.text()).toContain("You cannot change your own account here.");
    expect((await request("/dashboard", { cookie: vm })).status).toBe(200);
    const bogus = await request(`/users/${w.partnerMember.id}`, { form: { intent: "role", role: "root" }, cookie: vm });
    expect(bogus.status).toBe(400);
    expect(await bogus.text()).toContain("Choose a role");

    const admin = await login(w.partnerAdmin.email, w.partnerAdmin.password);
    const contractorUser = await request(`/users/${w.contractorAdmin.id}`, { form: { intent: "role", role: "partner_member" }, cookie: admin });
    expect(contractorUser.status).toBe(400);
    expect(await contractorUser.text()).toContain("Partner admins manage users of their own organisation only.");
    const elevate = await request(`/users/${w.partnerMember.id}`, { form: { intent: "role", role: "vendor_manager" }, cookie: admin });
    expect(elevate.status).toBe(400);
    expect(await elevate.text()).toContain("You cannot grant that role.");
  });

  it("rejects a cross-site form post even with a valid session", async () => {
    const w = await tenancyWorld();
    const vm = await login(w.vm.email, w.vm.password);
    const res = await request(`/users/${w.partnerMember.id}`, { form: { intent: "deactivate" }, cookie: vm, origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect((await request("/dashboard", { cookie: await login(w.partnerMember.email, w.partnerMember.password) })).status).toBe(200);
  });
});
