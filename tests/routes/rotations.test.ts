import { describe, expect, it } from "vitest";
import { login, request } from "../support/app";
import { createCredential, daysAgo } from "../support/credential-factory";
import { createUser, tenancyWorld } from "../support/factories";

const signIn = (u: { email: string; password: string }) => login(u.email, u.password);
const html = async (res: Response | Promise<Response>) => (await (await res).text()).replace(/<!-- -->/g, "");

describe("/rotations", () => {
  it("shows a partner its own and its contractors' overdue and due-soon rotations, and nothing of another tenant", async () => {
    const w = await tenancyWorld();
    const overdue = createCredential(w.partner.id, { label: "Overdue prod key", issuedAt: daysAgo(100) });
    const dueSoon = createCredential(w.partner.id, { label: "Due soon key", issuedAt: daysAgo(400), lastRotatedAt: daysAgo(80) });
    const later = createCredential(w.partner.id, { label: "Due in twenty days", issuedAt: daysAgo(70) });
    const revoked = createCredential(w.partner.id, { label: "Revoked old key", issuedAt: daysAgo(300), status: "revoked" });
    const contractors = createCredential(w.contractor.id, { label: "Contractor key", issuedAt: daysAgo(95) });
    const others = createCredential(w.other.id, { label: "Other tenant key", issuedAt: daysAgo(200) });

    const cookie = await signIn(w.partnerMember);
    const res = await request("/rotations", { cookie });
    expect(res.status).toBe(200);
    const body = await html(res);
    expect(body).toContain(overdue.keyId);
    expect(body).toContain("10 days overdue");
    expect(body).toContain(dueSoon.keyId);
    expect(body).toContain("10 days left");
    expect(body).toContain(contractors.keyId);
    expect(body).not.toContain(later.keyId);
    expect(body).not.toContain(revoked.keyId);
    expect(body).not.toContain(others.keyId);
    expect(body).not.toContain(w.other.slug);
    // grouped by organisation, most overdue first within the group
    expect(body.indexOf(overdue.keyId)).toBeLessThan(body.indexOf(dueSoon.keyId));
    expect(body).toContain(`href="/orgs/${w.partner.slug}"`);
    expect(body).toContain(`href="/orgs/${w.contractor.slug}"`);

    // the 30-day window adds the later one; asking for another tenant's org shows nothing of it
    expect(await html(request("/rotations?within=30", { cookie }))).toContain(later.keyId);
    const sneaky = await html(request(`/rotations?org=${w.other.slug}`, { cookie }));
    expect(sneaky).not.toContain(others.keyId);
  });

  it("shows a contractor only its own, and internal users everything, with an organisation filter", async () => {
    const w = await tenancyWorld();
    const partners = createCredential(w.partner.id, { issuedAt: daysAgo(100) });
    const contractors = createCredential(w.contractor.id, { issuedAt: daysAgo(95) });
    const others = createCredential(w.other.id, { issuedAt: daysAgo(200) });

    const contractorPage = await html(request("/rotations", { cookie: await signIn(w.contractorAdmin) }));
    expect(contractorPage).toContain(contractors.keyId);
    expect(contractorPage).not.toContain(partners.keyId);

    const auditor = await createUser({ role: "auditor" });
    const cookie = await signIn(auditor);
    const all = await html(request("/rotations", { cookie }));
    for (const c of [partners, contractors, others]) expect(all).toContain(c.keyId);
    expect(all).toContain('name="org"');
    const filtered = await html(request(`/rotations?org=${w.other.slug}&within=90`, { cookie }));
    expect(filtered).toContain(others.keyId);
    expect(filtered).not.toContain(partners.keyId);
    // a nonsense window falls back to 14 days rather than failing
    expect((await request("/rotations?within=7000", { cookie })).status).toBe(200);
  });

  it("sends a signed-out visitor to the login page", async () => {
    const res = await request("/rotations");
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toContain("/login");
  });
});
