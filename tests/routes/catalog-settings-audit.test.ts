import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { createOrg, createUser } from "../support/factories";
import { login, request } from "../support/app";

async function signIn(role: "vendor_manager" | "security" | "auditor" | "partner_admin" | "partner_member", orgId?: string) {
  const u = await createUser({ role, orgId: orgId ?? null });
  return { ...u, cookie: await login(u.email, u.password) };
}

async function partnerAdmin() {
  const org = createOrg({ kind: "partner" });
  return signIn("partner_admin", org.id);
}

/** A name unique to this run, valid as a model or endpoint name. */
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

describe("/catalog", () => {
  it("is readable by a partner user, without the editing forms", async () => {
    const pa = await partnerAdmin();
    const res = await request("/catalog", { cookie: pa.cookie });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Models");
    expect(html).toContain("Endpoints");
    expect(html).not.toContain("Add a model");
  });

  it("refuses a partner admin's POST with 403 and changes nothing", async () => {
    const pa = await partnerAdmin();
    const name = unique("sneaky");
    const res = await request("/catalog", { cookie: pa.cookie, form: { intent: "create-model", name, status: "ga", aliases: "" } });
    expect(res.status).toBe(403);
    expect(getDb().$client.prepare("SELECT count(*) AS n FROM catalog_models WHERE name = ?").get(name)).toEqual({ n: 0 });
  });

  it("lets a vendor manager add a model, which is then listed with its status label and aliases", async () => {
    const vm = await signIn("vendor_manager");
    const name = unique("mythos");
    const res = await request("/catalog", { cookie: vm.cookie, form: { intent: "create-model", name, status: "unreleased", aliases: "capybara-x, glasswing", description: "Preview model" } });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/catalog?saved=model-created&name=${name}`);
    const page = await (await request(res.headers.get("Location")!, { cookie: vm.cookie })).text();
    expect(page).toContain("Model added");
    expect(page).toContain(name);
    expect(page).toContain("Unreleased");
    expect(page).toContain("capybara-x, glasswing");
    // visible to a partner too
    const pa = await partnerAdmin();
    expect(await (await request("/catalog", { cookie: pa.cookie })).text()).toContain(name);
  });

  it("re-renders a bad model with what was typed and the field message (400)", async () => {
    const vm = await signIn("vendor_manager");
    const res = await request("/catalog", { cookie: vm.cookie, form: { intent: "create-model", name: "Bad Name!", status: "ga", aliases: "keep-me" } });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("Use lowercase letters, digits, dots, dashes and underscores");
    expect(html).toContain('value="Bad Name!"');
    expect(html).toContain('value="keep-me"');
  });

  it("refuses an alias that another model already uses (400, message on the field)", async () => {
    const vm = await signIn("vendor_manager");
    const first = unique("opus");
    const alias = unique("codename");
    await request("/catalog", { cookie: vm.cookie, form: { intent: "create-model", name: first, status: "ga", aliases: alias } });
    const res = await request("/catalog", { cookie: vm.cookie, form: { intent: "create-model", name: unique("other"), status: "ga", aliases: alias } });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(`is already used by ${first}`);
  });

  it("refuses a bad endpoint path with 400, the message and the typed values, methods kept checked", async () => {
    const vm = await signIn("vendor_manager");
    const name = unique("messages");
    const res = await request("/catalog", { cookie: vm.cookie, form: { intent: "create-endpoint", name, methods: ["POST", "GET"], pathTemplate: "v1/models/{model" } });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("Start with / and use only path characters and {placeholders}");
    expect(html).toContain('value="v1/models/{model"');
    expect(html).toMatch(/checked="" value="POST"/);
    expect(html).toMatch(/checked="" value="GET"/);
    expect(html).not.toMatch(/checked="" value="DELETE"/);
    expect(getDb().$client.prepare("SELECT count(*) AS n FROM catalog_endpoints WHERE name = ?").get(name)).toEqual({ n: 0 });
  });

  it("lets a vendor manager add, edit and delete an endpoint", async () => {
    const vm = await signIn("vendor_manager");
    const name = unique("complete");
    const path = `/v1/${name}/{model}/complete`;
    const created = await request("/catalog", { cookie: vm.cookie, form: { intent: "create-endpoint", name, methods: "POST", pathTemplate: path } });
    expect(created.status).toBe(302);
    let html = await (await request("/catalog", { cookie: vm.cookie })).text();
    expect(html).toContain(path);
    const edit = await request(`/catalog?endpoint=${name}`, { cookie: vm.cookie });
    expect(await edit.text()).toContain(`Edit endpoint ${name}`);
    const updated = await request("/catalog", { cookie: vm.cookie, form: { intent: "update-endpoint", name, methods: ["GET", "POST"], pathTemplate: `/v1/${name}` } });
    expect(updated.status).toBe(302);
    expect(getDb().$client.prepare("SELECT methods, names_model FROM catalog_endpoints WHERE name = ?").get(name)).toEqual({ methods: '["GET","POST"]', names_model: 0 });
    const deleted = await request("/catalog", { cookie: vm.cookie, form: { intent: "delete-endpoint", name } });
    expect(deleted.status).toBe(302);
    html = await (await request("/catalog", { cookie: vm.cookie })).text();
    expect(html).not.toContain(`/v1/${name}`);
  });

  it("answers 404 when asked to edit a model that does not exist", async () => {
    const vm = await signIn("vendor_manager");
    expect((await request("/catalog?model=no-such-model-here", { cookie: vm.cookie })).status).toBe(404);
  });
});

describe("/settings", () => {
  it("is forbidden to partner users", async () => {
    const pa = await partnerAdmin();
    expect((await request("/settings", { cookie: pa.cookie })).status).toBe(403);
    const org = createOrg();
    const pm = await signIn("partner_member", org.id);
    expect((await request("/settings", { cookie: pm.cookie })).status).toBe(403);
  });

  it("is readable by security without forms, and security cannot post", async () => {
    const sec = await signIn("security");
    const res = await request("/settings", { cookie: sec.cookie });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Maximum credential age");
    expect(html).toContain("Restricted tier");
    expect(html).not.toContain("Save restricted policy");
    const post = await request("/settings", { cookie: sec.cookie, form: { tier: "standard", maxCredentialAgeDays: "1", unusedThresholdDays: "1", attestationCadenceDays: "1", reviewCadenceDays: "1", rotationGraceHours: "1" } });
    expect(post.status).toBe(403);
  });

  it("rejects bad numbers with 400, field messages and the typed values", async () => {
    const vm = await signIn("vendor_manager");
    const res = await request("/settings", {
      cookie: vm.cookie,
      form: { tier: "restricted", maxCredentialAgeDays: "abc", unusedThresholdDays: "0", attestationCadenceDays: "90", reviewCadenceDays: "90", rotationGraceHours: "500" },
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("Maximum credential age: enter a number");
    expect(html).toContain("Unused threshold: at least 1");
    expect(html).toContain("Rotation grace: at most 168 hours (7 days)");
    expect(html).toContain('value="abc"');
    expect(html).toContain('value="500"');
  });

  it("lets a vendor manager change a policy; the change is audited and appears on /audit", async () => {
    const vm = await signIn("vendor_manager");
    const res = await request("/settings", {
      cookie: vm.cookie,
      form: { tier: "standard", maxCredentialAgeDays: "60", unusedThresholdDays: "30", attestationCadenceDays: "365", reviewCadenceDays: "90", rotationGraceHours: "12" },
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/settings?saved=standard");
    const page = await (await request("/settings?saved=standard", { cookie: vm.cookie })).text();
    expect(page).toContain("The standard tier&#x27;s policy was saved.");
    expect(page).toContain("60 days");

    const sec = await signIn("security");
    const audit = await request(`/audit?action=policy.updated&actor=${encodeURIComponent(vm.email)}`, { cookie: sec.cookie });
    expect(audit.status).toBe(200);
    const html = await audit.text();
    expect(html).toContain("policy.updated");
    expect(html).toContain(vm.email);
    expect(html).toContain("policy:standard");
    expect(html).toContain("maxCredentialAgeDays");
    expect(html).toContain("Chain intact");
  });
});

describe("/audit", () => {
  it("is forbidden to partner users", async () => {
    const pa = await partnerAdmin();
    expect((await request("/audit", { cookie: pa.cookie })).status).toBe(403);
  });

  it("shows security the chain status and entries newest first", async () => {
    const vm = await signIn("vendor_manager");
    const first = unique("first");
    const second = unique("second");
    await request("/catalog", { cookie: vm.cookie, form: { intent: "create-model", name: first, status: "ga" } });
    await request("/catalog", { cookie: vm.cookie, form: { intent: "create-model", name: second, status: "ga" } });
    const sec = await signIn("security");
    const res = await request("/audit?action=catalog.", { cookie: sec.cookie });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/Chain intact: \d+ entr(y|ies) verified/);
    expect(html.indexOf(`model:${second}`)).toBeGreaterThan(-1);
    expect(html.indexOf(`model:${second}`)).toBeLessThan(html.indexOf(`model:${first}`));
  });

  it("pages with an Older entries link that keeps the filters", async () => {
    const vm = await signIn("vendor_manager");
    // 52 entries by one actor: more than one page of 50
    for (let i = 0; i < 52; i++) {
      await request("/catalog", { cookie: vm.cookie, form: { intent: "create-endpoint", name: unique(`ep${i}`), methods: "GET", pathTemplate: `/v1/page-test/${i}/${unique("p")}` } });
    }
    const auditor = await signIn("auditor");
    const res = await request(`/audit?actor=${encodeURIComponent(vm.email)}`, { cookie: auditor.cookie });
    const html = await res.text();
    const link = html.match(/href="([^"]*before=(\d+)[^"]*)"[^>]*>Older entries/);
    expect(link).not.toBeNull();
    const href = link![1].replace(/&amp;/g, "&");
    expect(href).toContain(`actor=${encodeURIComponent(vm.email)}`);
    const older = await (await request(href, { cookie: auditor.cookie })).text();
    expect(older).toContain("Newest entries");
    expect(older).not.toContain("Older entries");
    // at least 52 entries by this actor (the creations, plus whatever signing in records): 50 on the first page
    const rowCount = (h: string) => (h.match(/<td class="num">\d+<\/td>/g) ?? []).length;
    const total = (getDb().$client.prepare("SELECT count(*) AS n FROM audit_log WHERE actor_email = ?").get(vm.email) as { n: number }).n;
    expect(total).toBeGreaterThanOrEqual(52);
    expect(rowCount(html)).toBe(50);
    expect(rowCount(older)).toBe(total - 50);
    expect(older.match(/<td class="mono audit-nowrap">catalog\.endpoint_created<\/td>/g)?.length).toBe(2);
  });

  it("warns in red and names the row when the chain was tampered with", async () => {
    const vm = await signIn("vendor_manager");
    await request("/catalog", { cookie: vm.cookie, form: { intent: "create-model", name: unique("tamper"), status: "ga" } });
    const raw = getDb().$client;
    const { id } = raw.prepare("SELECT max(id) AS id FROM audit_log").get() as { id: number };
    const original = raw.prepare("SELECT details FROM audit_log WHERE id = ?").get(id) as { details: string };
    raw.prepare("UPDATE audit_log SET details = ? WHERE id = ?").run('{"forged":true}', id);
    try {
      const sec = await signIn("security");
      // sign-in itself may write audit rows after the edited one; the edited row is still the first bad one
      const html = await (await request("/audit", { cookie: sec.cookie })).text();
      expect(html).toContain(`Chain broken at row ${id}`);
      expect(html).toContain("row edited");
      expect(html).toContain('class="alert error audit-chain"');
    } finally {
      raw.prepare("UPDATE audit_log SET details = ? WHERE id = ?").run(original.details, id);
    }
  });

  it("answers 400 with a message for a bad date filter", async () => {
    const sec = await signIn("security");
    const res = await request("/audit?from=2026-13-45", { cookie: sec.cookie });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Not a real date");
  });
});
