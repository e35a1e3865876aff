import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { credentials } from "../../db/schema";
import { upsertEndpoint, upsertModel } from "../../app/models/catalog.server";
import { getCredential } from "../../app/models/credential.server";
import { getEntitlements, updateEntitlements } from "../../app/models/entitlement.server";
import { login, request } from "../support/app";
import { actorFor, createUser, tenancyWorld } from "../support/factories";

const signIn = (u: { email: string; password: string }) => login(u.email, u.password);
const html = async (res: Response | Promise<Response>) => (await (await res).text()).replace(/<!-- -->/g, "");
let n = 0;
const uid = () => `${Date.now().toString(36)}${(n++).toString(36)}`;
const today = () => new Date().toISOString().slice(0, 10);

beforeAll(() => {
  const system = { actor: null, ip: null };
  upsertModel(system, { name: "atlas-2", status: "ga", aliases: [] });
  upsertModel(system, { name: "mythos-preview", status: "restricted", aliases: [] });
  upsertEndpoint(system, { name: "messages", methods: ["POST"], pathTemplate: "/v1/models/{model}/messages" });
  upsertEndpoint(system, { name: "batches", methods: ["POST"], pathTemplate: "/v1/batches" });
});

async function world() {
  const w = await tenancyWorld();
  const ctx = { actor: actorFor(w.vm.id), ip: null };
  updateEntitlements(ctx, w.partner, { models: ["@ga"], endpoints: ["*"] });
  updateEntitlements(ctx, w.other, { models: ["@ga", "mythos-preview"], endpoints: ["*"] });
  return w;
}

function seed(orgId: string, over: Partial<typeof credentials.$inferInsert> = {}) {
  const keyId = over.keyId ?? `kw_route_${uid()}`;
  getDb()
    .insert(credentials)
    .values({ label: "seeded", holderService: "svc", grantModels: ["@ga"], grantEndpoints: ["*"], environment: "production", storage: "secrets_manager", issuedAt: new Date(), ...over, orgId, keyId })
    .run();
  return keyId;
}

const registration = (over: Record<string, string | string[]> = {}) => ({
  keyId: `kw_live_${uid()}`,
  label: "Nightly evals",
  holderService: "eval-cluster",
  grantModels: "@ga",
  environment: "production",
  storage: "secrets_manager",
  issuedAt: today(),
  ...over,
});

describe("credential inventory pages: tenancy", () => {
  it("never shows a partner another organisation's credentials, on the page or in the CSV", async () => {
    const w = await world();
    const mine = seed(w.partner.id);
    const theirs = seed(w.other.id, { label: "Other partner's secret project" });
    const cookie = await signIn(w.partnerMember);
    const page = await html(request("/credentials", { cookie }));
    expect(page).toContain(mine);
    expect(page).not.toContain(theirs);
    expect(page).not.toContain("Other partner's secret project");
    // even when asking for the other org by slug
    const filtered = await html(request(`/credentials?org=${w.other.slug}`, { cookie }));
    expect(filtered).not.toContain(theirs);
    const csv = await (await request("/credentials.csv", { cookie })).text();
    expect(csv).toContain(mine);
    expect(csv).not.toContain(theirs);
    const other = await request(`/credentials.csv?org=${w.other.slug}`, { cookie });
    expect(other.status).toBe(200);
    const lines = (await other.text()).trimEnd().split("\r\n");
    expect(lines).toHaveLength(1); // the header only
    expect(lines[0]).toMatch(/^keyId,org,label,/);
  });

  it("lists rows with age against policy, rotation state, last use and badges", async () => {
    const w = await world();
    const keyId = seed(w.partner.id, {
      issuedAt: new Date(Date.now() - 100 * 86_400_000),
      storage: "local_file",
      lastUsedAt: new Date(Date.now() - 2 * 86_400_000),
      lastUsedIp: "203.0.113.44",
      lastUsedUserAgent: "python-requests/2.32.3 (a very long user agent string indeed)",
    });
    const cookie = await signIn(w.partnerAdmin);
    const page = await html(request(`/credentials?flag=overdue&org=${w.partner.slug}`, { cookie }));
    expect(page).toContain(`href="/credentials/${keyId}"`);
    expect(page).toContain("100 d / 90 d");
    expect(page).toContain("Rotation overdue");
    expect(page).toContain("203.0.113.44");
    expect(page).toContain('title="python-requests/2.32.3 (a very long user agent string indeed)"');
    expect(page).toContain("Not in a secrets manager");
    // the flag filters in SQL: a fresh credential is not listed
    const fresh = seed(w.partner.id);
    expect(await html(request(`/credentials?flag=overdue&org=${w.partner.slug}`, { cookie }))).not.toContain(fresh);
  });

  it("sends the CSV as an attachment and neutralises formula cells", async () => {
    const w = await world();
    const keyId = seed(w.other.id, { label: "=HYPERLINK(\"http://evil.example\",\"x\")", holderService: "@everyone" });
    const cookie = await signIn(w.otherAdmin);
    const res = await request("/credentials.csv?sort=keyId&dir=desc", { cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/csv/);
    expect(res.headers.get("Content-Disposition")).toBe(`attachment; filename="credentials-${today()}.csv"`);
    const csv = await res.text();
    const row = csv.split("\r\n").find((l) => l.startsWith(keyId))!;
    expect(row).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(row).toContain(",'@everyone,");
    expect(row).not.toMatch(/,"?=/);
  });
});

describe("registering a credential", () => {
  it("registers into the member's own organisation and redirects to its page", async () => {
    const w = await world();
    const cookie = await signIn(w.partnerMember);
    const form = registration({ fingerprint: "c0ffee".repeat(10) + "abcd" });
    const res = await request("/credentials/new", { cookie, form });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/credentials/${form.keyId}?registered=1`);
    const c = getCredential(actorFor(w.partnerMember.id), form.keyId as string);
    expect(c).toMatchObject({ orgSlug: w.partner.slug, fingerprint: "c0ffee".repeat(10) + "abcd", createdAt: expect.any(Date) });
  });

  it("answers 404 for another tenant's organisation and 403 for its own contractor", async () => {
    const w = await world();
    const cookie = await signIn(w.partnerMember);
    const other = registration({ orgSlug: w.other.slug });
    expect((await request("/credentials/new", { cookie, form: other })).status).toBe(404);
    const sub = registration({ orgSlug: w.contractor.slug });
    expect((await request("/credentials/new", { cookie, form: sub })).status).toBe(403);
    // the page itself follows the same rule
    expect((await request(`/credentials/new?org=${w.other.slug}`, { cookie })).status).toBe(404);
    expect((await request(`/credentials/new?org=${w.contractor.slug}`, { cookie })).status).toBe(403);
    expect((await request("/credentials/new", { cookie })).status).toBe(200);
    expect(getCredential(actorFor(w.vm.id), other.keyId as string)).toBeNull();
    expect(getCredential(actorFor(w.vm.id), sub.keyId as string)).toBeNull();
    // roles that may not register at all
    const auditorCookie = await signIn(await createUser({ role: "auditor" }));
    expect((await request("/credentials/new", { cookie: auditorCookie })).status).toBe(403);
  });

  it("refuses a grant wider than the entitlements with a 400 naming it", async () => {
    const w = await world();
    const cookie = await signIn(w.partnerAdmin);
    const res = await request("/credentials/new", { cookie, form: registration({ grantModels: ["@ga", "mythos-preview"] }) });
    expect(res.status).toBe(400);
    expect(await html(res)).toContain(`Outside ${w.partner.name}'s entitlements: mythos-preview`);
  });

  it("answers a bad key id with 400, the field message, and what was typed", async () => {
    const w = await world();
    const cookie = await signIn(w.partnerMember);
    const res = await request("/credentials/new", { cookie, form: registration({ keyId: "sk live secret!", label: "Typed label kept", storage: "local_file" }) });
    expect(res.status).toBe(400);
    const page = await html(res);
    expect(page).toContain("A key id is 6–128 letters");
    expect(page).toContain('value="sk live secret!"');
    expect(page).toContain('value="Typed label kept"');
    expect(page).toMatch(/<option value="local_file" selected="">/);
    // a key id already registered
    const keyId = seed(w.other.id);
    const dup = await request("/credentials/new", { cookie, form: registration({ keyId }) });
    expect(dup.status).toBe(400);
    expect(await html(dup)).toContain("This key id is already registered.");
  });

  it("renders a form that cannot submit the secret: the paste field has no name, only the digest is a field", async () => {
    const w = await world();
    const cookie = await signIn(w.partnerMember);
    const page = await html(request("/credentials/new", { cookie }));
    expect(page).not.toMatch(/name="(secret|key|apiKey|api_key|token)"/i);
    const password = page.match(/<input[^>]*type="password"[^>]*>/g) ?? [];
    expect(password).toHaveLength(1);
    expect(password[0]).not.toMatch(/\sname=/);
    expect(page).toMatch(/<input type="hidden" name="fingerprint"/);
    expect(page).not.toMatch(/<script(?![^>]*nonce)[^>]*>/); // no inline script without the CSP nonce
    // the form offers only the org's entitlements: no restricted model for this partner
    expect(page).toContain('value="atlas-2"');
    expect(page).not.toContain('value="mythos-preview"');
  });

  it("lets a vendor manager choose the organisation, then register for it", async () => {
    const w = await world();
    const cookie = await signIn(w.vm);
    expect(await html(request("/credentials/new", { cookie }))).toContain("Choose the organisation that holds it");
    const form = registration({ orgSlug: w.other.slug, grantModels: ["mythos-preview"] });
    const res = await request("/credentials/new", { cookie, form });
    expect(res.status).toBe(302);
    expect(getCredential(actorFor(w.vm.id), form.keyId as string)?.orgSlug).toBe(w.other.slug);
  });
});

describe("entitlements page", () => {
  it("is for vendor managers: 404 on another tenant's org, 403 on one's own", async () => {
    const w = await world();
    const cookie = await signIn(w.partnerAdmin);
    expect((await request(`/orgs/${w.other.slug}/entitlements`, { cookie })).status).toBe(404);
    expect((await request(`/orgs/${w.partner.slug}/entitlements`, { cookie })).status).toBe(403);
    expect((await request(`/orgs/${w.partner.slug}/entitlements`, { cookie, form: { models: "mythos-preview", endpoints: "*" } })).status).toBe(403);
    expect(getEntitlements(w.partner.id).models).toEqual(["@ga"]);
    // but the org page shows them to anyone who can read the org
    const org = await html(request(`/orgs/${w.partner.slug}`, { cookie }));
    expect(org).toContain("Entitlements");
    expect(org).toContain("every GA model");
    expect(org).not.toContain(`/orgs/${w.partner.slug}/entitlements`);
  });

  it("saves a vendor manager's change and refuses a narrowing that would strand a credential", async () => {
    const w = await world();
    const cookie = await signIn(w.vm);
    const res = await request(`/orgs/${w.other.slug}/entitlements`, { cookie, form: { models: ["@ga", "mythos-preview"], endpoints: ["messages", "batches"] } });
    expect(res.status).toBe(302);
    expect(getEntitlements(w.other.id)).toEqual({ models: ["@ga", "mythos-preview"], endpoints: ["batches", "messages"] });
    const keyId = seed(w.other.id, { grantModels: ["mythos-preview"], grantEndpoints: ["messages"] });
    const refused = await request(`/orgs/${w.other.slug}/entitlements`, { cookie, form: { models: "@ga", endpoints: ["messages", "batches"] } });
    expect(refused.status).toBe(400);
    const page = await html(refused);
    expect(page).toContain(keyId);
    expect(page).toContain("Narrow or revoke them first.");
    expect(getEntitlements(w.other.id).models).toEqual(["@ga", "mythos-preview"]);
    getDb().update(credentials).set({ status: "revoked" }).where(eq(credentials.keyId, keyId)).run();
    expect((await request(`/orgs/${w.other.slug}/entitlements`, { cookie, form: { models: "@ga", endpoints: ["messages", "batches"] } })).status).toBe(302);
  });
});
