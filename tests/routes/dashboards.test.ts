import { describe, expect, it } from "vitest";
import { login, request } from "../support/app";
import { createCredential, daysAgo } from "../support/credential-factory";
import { createLogImport, createFlag, recordUsage } from "../support/dashboard-factory";
import { createOrg, createUser, tenancyWorld } from "../support/factories";

const signIn = (u: { email: string; password: string }) => login(u.email, u.password);
const html = async (res: Response | Promise<Response>) => (await (await res).text()).replace(/<!-- -->/g, "");
const today = () => new Date().toISOString().slice(0, 10);

/** Charts are server-rendered SVG without inline styles (the CSP forbids them), each with a data table. */
function expectCharts(body: string, ids: string[]) {
  for (const id of ids) expect(body).toContain(`data-chart="${id}"`);
  expect(body).not.toMatch(/<[^>]+\sstyle="/);
  expect(body).toContain("<summary>Data table</summary>");
}

describe("/dashboard", () => {
  it("shows a vendor manager organisations ranked by risk, overdue rotations and contractors awaiting approval", async () => {
    const w = await tenancyWorld();
    const risky = createOrg({ kind: "partner", name: "Zz Risky Partner", slug: `risky-${Date.now()}` });
    for (let i = 0; i < 3; i++) createCredential(risky.id, { issuedAt: daysAgo(120), storage: "shared_drive" });
    const waiting = createOrg({ kind: "contractor", parentId: w.partner.id, status: "onboarding", name: "Waiting Contractor Ltd", slug: `waiting-${Date.now()}` });
    const body = await html(request("/dashboard", { cookie: await signIn(w.vm) }));
    expect(body).toContain("Organisations ranked by risk");
    expect(body).toContain('href="/dashboard/risk"');
    // the risky partner outranks the empty ones, with its largest finding
    expect(body.indexOf(risky.name)).toBeLessThan(body.indexOf(w.other.name));
    expect(body).toContain("3 credentials overdue for rotation");
    expect(body).toContain(`href="/rotations?org=${risky.slug}"`);
    expect(body).toContain(waiting.name);
    expect(body).toContain("Outstanding attestations");
    expect(body).toContain("Open review campaigns");
    expectCharts(body, ["age", "attestation-history"]);
    // the policy line on the age chart and the bin of the three 120-day-old keys
    expect(body).toContain("standard maximum: 90 d");
    // not another role's dashboard
    expect(body).not.toContain("Recent imports and their health");
    expect(body).not.toContain("Download an evidence pack");
    expect(body).toContain('href="/evidence"'); // vendor managers may export packs too
  });

  it("shows security open flags by severity and rule, import health, most-flagged credentials and traffic", async () => {
    const w = await tenancyWorld();
    const cred = createCredential(w.partner.id);
    createFlag({ rule: "unreleased_model", severity: "critical", credentialId: cred.id, orgId: w.partner.id });
    createFlag({ rule: "unreleased_model", severity: "critical", credentialId: cred.id, orgId: w.partner.id });
    createFlag({ rule: "error_burst", severity: "medium", credentialId: cred.id, orgId: w.partner.id, status: "resolved" });
    createLogImport({ source: "edge-gw-dash", rejected: 7, secretsStripped: 3, unregistered: ["kw_ghost_1", "kw_ghost_2"] });
    recordUsage(cred.id, today(), 1234, 56, ["198.51.100.7", "198.51.100.8"]);
    const security = await createUser({ role: "security" });
    const body = await html(request("/dashboard", { cookie: await signIn(security) }));
    expect(body).toContain("Open flags by rule");
    expect(body).toMatch(/href="\/flags\?rule=unreleased_model"/);
    expect(body).toContain("Most-flagged credentials");
    expect(body).toContain(`href="/credentials/${cred.keyId}"`);
    expect(body).toContain("edge-gw-dash");
    // rejected lines, secrets stripped, unregistered keys of that import
    expect(body).toMatch(/edge-gw-dash[\s\S]*?>7<[\s\S]*?>3<[\s\S]*?>2</);
    expect(body).toContain("<td class=\"num\">1234</td>");
    expectCharts(body, ["flags-over-time", "requests-errors", "sources"]);
    expect(body).not.toContain("Organisations ranked by risk");
  });

  it("shows a partner what is due for its organisation and contractors, and nothing of another tenant", async () => {
    const w = await tenancyWorld();
    const overdue = createCredential(w.partner.id, { label: "Overdue", issuedAt: daysAgo(100) });
    const contractorsDue = createCredential(w.contractor.id, { issuedAt: daysAgo(85) });
    const others = createCredential(w.other.id, { issuedAt: daysAgo(200) });
    const flag = createFlag({ rule: "out_of_grant", severity: "high", credentialId: overdue.id, orgId: w.partner.id, summary: "Asked for a model outside the grant" });
    const otherFlag = createFlag({ rule: "scanner_user_agent", severity: "high", credentialId: others.id, orgId: w.other.id, summary: "Scanner from the other tenant" });
    const ipOnly = createFlag({ rule: "ip_probe", severity: "high", srcIp: "203.0.113.9", summary: "IP-only probe" });
    recordUsage(overdue.id, today(), 321, 9, ["192.0.2.44"]);
    recordUsage(others.id, today(), 98765, 4321, ["192.0.2.99"]);

    const body = await html(request("/dashboard", { cookie: await signIn(w.partnerAdmin) }));
    expect(body).toContain(overdue.keyId);
    expect(body).toContain(contractorsDue.keyId);
    expect(body).toContain(`href="/flags/${flag.id}"`);
    expect(body).toContain("Flags to respond to");
    expect(body).toContain("Access reviews waiting for your first pass");
    expect(body).toContain("1 credential overdue for rotation");
    // usage of its own credentials only
    expect(body).toContain(">321<");
    expect(body).not.toContain("98765");
    for (const hidden of [others.keyId, otherFlag.id, otherFlag.summary, ipOnly.id, w.other.name]) expect(body).not.toContain(hidden);
    expectCharts(body, ["usage", "usage-sources", "age"]);
    expect(body).not.toContain("Organisations ranked by risk");

    // a member sees the same due items but is not asked to respond
    const member = await html(request("/dashboard", { cookie: await signIn(w.partnerMember) }));
    expect(member).toContain(overdue.keyId);
    expect(member).not.toContain("Flags to respond to");

    // a contractor sees only its own
    const contractor = await html(request("/dashboard", { cookie: await signIn(w.contractorAdmin) }));
    expect(contractor).toContain(contractorsDue.keyId);
    expect(contractor).not.toContain(overdue.keyId);
    expect(contractor).not.toContain(flag.id);
    expect(contractor).not.toContain(">321<");
    expect(contractor).not.toContain('href="/evidence"'); // partners export no packs
  });

  it("gives the auditor a read-only overview with the evidence pack button", async () => {
    const w = await tenancyWorld();
    createCredential(w.partner.id, { issuedAt: daysAgo(100) });
    createFlag({ rule: "unreleased_model", severity: "critical", orgId: w.partner.id });
    const auditor = await createUser({ role: "auditor" });
    const body = await html(request("/dashboard", { cookie: await signIn(auditor) }));
    expect(body).toContain('href="/evidence"');
    expect(body).toContain("Highest risk organisations");
    expectCharts(body, ["age", "flags-over-time", "attestation-history"]);
    // read-only: no form on the page itself (the shell's sign-out form is outside <main>)
    expect(body.slice(body.indexOf("<main"), body.indexOf("</main>"))).not.toMatch(/<form/i);
  });
});

describe("/dashboard/risk", () => {
  it("ranks every organisation the user may see, 25 a page, and a partner only its own family", async () => {
    const w = await tenancyWorld();
    const risky = createOrg({ kind: "partner", name: "Aa Ranked First", slug: `first-${Date.now()}` });
    for (let i = 0; i < 5; i++) createCredential(risky.id, { issuedAt: daysAgo(200), storage: "shared_drive" });
    for (let i = 0; i < 26; i++) createOrg({ name: `Filler ${i}` }); // more than a page in any case
    const first = await html(request("/dashboard/risk", { cookie: await signIn(w.vm) }));
    expect(first).toContain("Organisations ranked by risk");
    expect(first).toMatch(/<td class="num">1<\/td><td><a[^>]*href="\/orgs\/first-[^"]+#risk"/);
    expect((first.match(/<tr>/g) ?? []).length - 1).toBe(25); // header row + 25
    expect(first).toMatch(/page 1 of \d+/);
    expect(first).toContain("?page=2");
    const second = await html(request("/dashboard/risk?page=2", { cookie: await signIn(w.vm) }));
    expect(second).toContain('<td class="num">26</td>');
    expect(second).not.toContain(risky.name);
    // out of range or nonsense: clamped, not an error
    expect((await request("/dashboard/risk?page=abc", { cookie: await signIn(w.vm) })).status).toBe(200);

    const partner = await html(request("/dashboard/risk", { cookie: await signIn(w.partnerMember) }));
    expect(partner).toContain(w.partner.name);
    expect(partner).toContain(w.contractor.name);
    for (const hidden of [w.other.name, risky.name]) expect(partner).not.toContain(hidden);
  });
});

describe("/orgs/:slug risk section", () => {
  it("explains the score line by line", async () => {
    const w = await tenancyWorld();
    for (let i = 0; i < 3; i++) createCredential(w.partner.id, { issuedAt: daysAgo(100) });
    createFlag({ rule: "unreleased_model", severity: "critical", orgId: w.partner.id });
    const body = await html(request(`/orgs/${w.partner.slug}`, { cookie: await signIn(w.partnerMember) }));
    expect(body).toContain("+15:</span> 3 credentials overdue for rotation");
    expect(body).toContain("1 open critical flag");
    expect(body).toContain("no attestation on record");
    expect(body).toContain("1 sponsored contractor in the chain");
    expectCharts(body, ["risk-trend"]);
  });
});
