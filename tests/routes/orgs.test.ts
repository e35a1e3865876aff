import { describe, expect, it } from "vitest";
import { getOrganization } from "../../app/models/organization.server";
import { login, request } from "../support/app";
import { requestFor } from "../support/attestation-factory";
import { actorFor, createOrg, createUser, tenancyWorld } from "../support/factories";

const signIn = (u: { email: string; password: string }) => login(u.email, u.password);
const unique = () => Math.random().toString(36).slice(2, 8);
/** The page's HTML without React's text-node separators, so sentences can be matched whole. */
const html = async (res: Response | Promise<Response>) => (await (await res).text()).replace(/<!-- -->/g, "");

describe("organisations: tenancy on the pages", () => {
  it("answers 404 to a partner user on another organisation's page and its edit page, 200 on its own", async () => {
    const w = await tenancyWorld();
    const cookie = await signIn(w.partnerAdmin);
    expect((await request(`/orgs/${w.other.slug}`, { cookie })).status).toBe(404);
    expect((await request(`/orgs/${w.other.slug}/edit`, { cookie })).status).toBe(404);
    // and cannot act on it either: a status change to another tenant's org is a 404 too
    expect((await request(`/orgs/${w.other.slug}`, { cookie, form: { intent: "status", status: "suspended", confirm: "yes" } })).status).toBe(404);
    const own = await request(`/orgs/${w.partner.slug}`, { cookie });
    expect(own.status).toBe(200);
    const html = await own.text();
    expect(html).toContain(w.contractor.name); // its contractor is listed
    expect(html).not.toContain("Approve"); // no status actions for partners
    // its own org's edit page is a role problem, not a tenancy one
    expect((await request(`/orgs/${w.partner.slug}/edit`, { cookie })).status).toBe(403);
  });

  it("shows the organisation's attestation status (the one its live risk score read)", async () => {
    const w = await tenancyWorld();
    const cookie = await signIn(w.vm);
    const before = await html(request(`/orgs/${w.partner.slug}`, { cookie }));
    expect(before).toContain("Nothing requested");
    const requested = requestFor(actorFor(w.vm.id), w.partner.slug);
    const after = await html(request(`/orgs/${w.partner.slug}`, { cookie }));
    expect(after).not.toContain("Nothing requested");
    expect(after).toContain(`<dd>${requested.dueDate}</dd>`);
  });

  it("shows a contractor's user its own org but not its sponsor's page", async () => {
    const w = await tenancyWorld();
    const cookie = await signIn(w.contractorAdmin);
    expect((await request(`/orgs/${w.contractor.slug}`, { cookie })).status).toBe(200);
    expect((await request(`/orgs/${w.partner.slug}`, { cookie })).status).toBe(404);
    const list = await (await request("/orgs", { cookie })).text();
    expect(list).toContain(`/orgs/${w.contractor.slug}`);
    expect(list).not.toContain(`href="/orgs/${w.partner.slug}"`);
    expect(list).not.toContain(w.other.slug);
  });

  it("lists only the partner's own org and its contractors, without a New organisation button", async () => {
    const w = await tenancyWorld();
    const cookie = await signIn(w.partnerMember);
    const html = await (await request("/orgs", { cookie })).text();
    expect(html).toContain(`/orgs/${w.partner.slug}`);
    expect(html).toContain(`/orgs/${w.contractor.slug}`);
    expect(html).not.toContain(w.other.slug);
    expect(html).not.toContain("New organisation");
  });
});

describe("organisations: who may create and sponsor", () => {
  it("refuses a partner admin's org-creation POST with 403 and creates nothing", async () => {
    const w = await tenancyWorld();
    const cookie = await signIn(w.partnerAdmin);
    const slug = `sneaky-${unique()}`;
    const res = await request("/orgs/new", { cookie, form: { intent: "create", name: "Sneaky Partner", slug, kind: "partner", tier: "standard" } });
    expect(res.status).toBe(403);
    // without an intent the form is a creation too
    const res2 = await request("/orgs/new", { cookie, form: { name: "Sneaky Partner", slug, kind: "partner", tier: "standard" } });
    expect(res2.status).toBe(403);
    expect(getOrganization(actorFor(w.vm.id), slug)).toBeNull();
  });

  it("refuses a contractor admin's sponsor POST with 403, and its GET of the form", async () => {
    const w = await tenancyWorld();
    const cookie = await signIn(w.contractorAdmin);
    const slug = `sub-sub-${unique()}`;
    const res = await request("/orgs/new", { cookie, form: { intent: "sponsor", name: "Sub-sub Co", slug } });
    expect(res.status).toBe(403);
    expect((await request("/orgs/new", { cookie })).status).toBe(403);
    expect(getOrganization(actorFor(w.vm.id), slug)).toBeNull();
  });

  it("refuses a vendor manager's sponsor POST (sponsoring is a partner's act)", async () => {
    const w = await tenancyWorld();
    const cookie = await signIn(w.vm);
    const res = await request("/orgs/new", { cookie, form: { intent: "sponsor", name: "Odd Co", slug: `odd-${unique()}` } });
    expect(res.status).toBe(403);
  });
});

describe("organisations: vendor manager journeys", () => {
  it("creates an organisation and lands on its page, onboarding", async () => {
    const vm = await createUser({ role: "vendor_manager" });
    const cookie = await signIn(vm);
    const form = await request("/orgs/new", { cookie });
    expect(form.status).toBe(200);
    const slug = `acme-${unique()}`;
    const res = await request("/orgs/new", {
      cookie,
      form: { intent: "create", name: "Acme Research", slug, kind: "partner", parentSlug: "", tier: "restricted", agreementStart: "2026-01-01", agreementEnd: "2027-01-01", contactEmail: "sec@acme.example", ownerId: vm.id },
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/orgs/${slug}?created=1`);
    const org = getOrganization(actorFor(vm.id), slug)!;
    expect(org).toMatchObject({ name: "Acme Research", kind: "partner", tier: "restricted", status: "onboarding", ownerId: vm.id, contactEmail: "sec@acme.example" });
    const page = await (await request(res.headers.get("Location")!, { cookie })).text();
    expect(page).toContain("Acme Research");
    expect(page).toContain("Organisation created");
    expect(page).toContain("Approve");
  });

  it("derives the slug from the name when left blank", async () => {
    const vm = await createUser({ role: "vendor_manager" });
    const cookie = await signIn(vm);
    const name = `Blank Slug ${unique()}`;
    const res = await request("/orgs/new", { cookie, form: { intent: "create", name, slug: "", kind: "partner", tier: "standard" } });
    expect(res.status).toBe(302);
    const slug = name.toLowerCase().replace(/ /g, "-");
    expect(res.headers.get("Location")).toBe(`/orgs/${slug}?created=1`);
  });

  it("answers a bad form with 400, the field messages, and what was typed", async () => {
    const vm = await createUser({ role: "vendor_manager" });
    const cookie = await signIn(vm);
    const res = await request("/orgs/new", { cookie, form: { intent: "create", name: "Typed Name Co", slug: "Bad Slug!", kind: "contractor", parentSlug: "", tier: "standard", contactEmail: "not-an-email" } });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('value="Typed Name Co"');
    expect(html).toContain('value="Bad Slug!"');
    expect(html).toContain("Use 1–48 lowercase letters, digits and dashes");
    expect(html).toContain("A contractor needs a sponsoring partner");
    expect(html).toContain("Enter a valid email address");
  });

  it("answers a taken slug with 400 and the model's message", async () => {
    const vm = await createUser({ role: "vendor_manager" });
    const taken = createOrg();
    const cookie = await signIn(vm);
    const res = await request("/orgs/new", { cookie, form: { intent: "create", name: "Copycat Ltd", slug: taken.slug, kind: "partner", tier: "standard" } });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("That slug is taken; choose another.");
    expect(html).toContain('value="Copycat Ltd"');
  });

  it("edits name and tier but not slug or kind", async () => {
    const vm = await createUser({ role: "vendor_manager" });
    const org = createOrg({ name: "Old Name Ltd", kind: "partner", tier: "standard" });
    const cookie = await signIn(vm);
    expect((await request(`/orgs/${org.slug}/edit`, { cookie })).status).toBe(200);
    const bad = await request(`/orgs/${org.slug}/edit`, { cookie, form: { name: "N", tier: "standard", agreementStart: "2026-05-01", agreementEnd: "2026-01-01" } });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain("The agreement cannot end before it starts");
    expect(badHtml).toContain('value="2026-05-01"');
    const res = await request(`/orgs/${org.slug}/edit`, { cookie, form: { name: "New Name Ltd", tier: "restricted", slug: "hijacked", kind: "contractor", ownerId: "" } });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/orgs/${org.slug}?saved=1`);
    const after = getOrganization(actorFor(vm.id), org.slug)!;
    expect(after).toMatchObject({ name: "New Name Ltd", tier: "restricted", slug: org.slug, kind: "partner" });
    expect(getOrganization(actorFor(vm.id), "hijacked")).toBeNull();
  });
});

describe("organisations: sponsoring and approval", () => {
  it("lets a partner admin sponsor a contractor (onboarding) that a vendor manager then approves", async () => {
    const w = await tenancyWorld();
    const adminCookie = await signIn(w.partnerAdmin);
    const form = await request("/orgs/new", { cookie: adminCookie });
    expect(form.status).toBe(200);
    expect(await form.text()).toContain("Sponsor a contractor");

    const slug = `subco-${unique()}`;
    const res = await request("/orgs/new", { cookie: adminCookie, form: { intent: "sponsor", name: "Subco Labs", slug, contactEmail: "" } });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/orgs/${slug}?sponsored=1`);
    const vmActor = actorFor(w.vm.id);
    expect(getOrganization(vmActor, slug)).toMatchObject({ kind: "contractor", parentId: w.partner.id, status: "onboarding" });
    // the sponsoring partner's admin can read it; the other partner cannot
    expect((await request(`/orgs/${slug}`, { cookie: adminCookie })).status).toBe(200);
    expect((await request(`/orgs/${slug}`, { cookie: await signIn(w.otherAdmin) })).status).toBe(404);
    // the partner admin cannot approve its own sponsorship
    const selfApprove = await request(`/orgs/${slug}`, { cookie: adminCookie, form: { intent: "status", status: "active" } });
    expect(selfApprove.status).toBe(403);
    expect(getOrganization(vmActor, slug)!.status).toBe("onboarding");

    const vmCookie = await signIn(w.vm);
    const approve = await request(`/orgs/${slug}`, { cookie: vmCookie, form: { intent: "status", status: "active", reason: "" } });
    expect(approve.status).toBe(302);
    expect(approve.headers.get("Location")).toBe(`/orgs/${slug}?changed=active`);
    expect(getOrganization(vmActor, slug)!.status).toBe("active");
  });

  it("asks for confirmation before suspending, and refuses an illegal transition with 400", async () => {
    const vm = await createUser({ role: "vendor_manager" });
    const org = createOrg({ status: "active" });
    const cookie = await signIn(vm);
    const unconfirmed = await request(`/orgs/${org.slug}`, { cookie, form: { intent: "status", status: "suspended", reason: "late attestation" } });
    expect(unconfirmed.status).toBe(400);
    const html = await unconfirmed.text();
    expect(html).toContain("Tick the box to confirm");
    expect(html).toContain('value="late attestation"');
    expect(getOrganization(actorFor(vm.id), org.slug)!.status).toBe("active");

    const ok = await request(`/orgs/${org.slug}`, { cookie, form: { intent: "status", status: "suspended", reason: "late attestation", confirm: "yes" } });
    expect(ok.status).toBe(302);
    expect(getOrganization(actorFor(vm.id), org.slug)!.status).toBe("suspended");

    // suspended → suspended is not a transition
    const again = await request(`/orgs/${org.slug}`, { cookie, form: { intent: "status", status: "suspended", confirm: "yes" } });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("An organisation cannot go from suspended to suspended.");
  });
});

describe("organisations: list search and pagination", () => {
  it("searches by name or slug and pages on the server (25 a page)", async () => {
    const vm = await createUser({ role: "vendor_manager" });
    const tag = `pg${unique()}`;
    const names: string[] = [];
    for (let i = 0; i < 27; i++) {
      const name = `Paged ${tag} ${String(i).padStart(2, "0")}`;
      names.push(name);
      createOrg({ name, slug: `${tag}-${i}` });
    }
    createOrg({ name: "Unrelated Holdings", slug: `zz-${tag}` }); // matches by slug only
    const cookie = await signIn(vm);

    const page1 = await html(request(`/orgs?q=${tag}`, { cookie }));
    expect(page1).toContain("28 organisations · page 1 of 2");
    expect(page1).toContain(names[0]);
    expect(page1).toContain(names[24]);
    expect(page1).not.toContain(names[25]);

    const page2 = await html(request(`/orgs?q=${tag}&page=2`, { cookie }));
    expect(page2).toContain("page 2 of 2");
    expect(page2).toContain(names[25]);
    expect(page2).toContain(names[26]);
    expect(page2).toContain("Unrelated Holdings"); // found through its slug
    expect(page2).not.toContain(names[0]);

    const one = await html(request(`/orgs?q=${encodeURIComponent(`${tag} 07`)}`, { cookie }));
    expect(one).toContain("1 organisation · page 1 of 1");
    expect(one).toContain(names[7]);

    // filters combine with the search; a bogus filter value is ignored, not an error
    const none = await request(`/orgs?q=${tag}&status=onboarding&kind=bogus`, { cookie });
    expect(none.status).toBe(200);
    expect(await none.text()).toContain("No organisation matches these filters.");
  });
});
