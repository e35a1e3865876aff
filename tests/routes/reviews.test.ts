import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { credentials, organizations } from "../../db/schema";
import { campaignItems } from "../../db/schema-reviews";
import { verifyReport } from "~/models/campaign-report.server";
import { login, request } from "../support/app";
import { createUser, tenancyWorld } from "../support/factories";
import { createCredential, daysAgo, seedCatalog } from "../support/credential-factory";

let w: Awaited<ReturnType<typeof tenancyWorld>>;
let vmCookie: string, secCookie: string, paCookie: string, otherCookie: string;
let sec: { id: string; email: string; password: string };
let ip = 0;
const nextIp = () => `192.0.2.${10 + ip++}`;
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  seedCatalog();
  w = await tenancyWorld();
  getDb().update(organizations).set({ ownerId: w.vm.id }).where(eq(organizations.id, w.partner.id)).run();
  sec = await createUser({ role: "security" });
  vmCookie = await login(w.vm.email, w.vm.password, nextIp());
  secCookie = await login(sec.email, sec.password, nextIp());
  paCookie = await login(w.partnerAdmin.email, w.partnerAdmin.password, nextIp());
  otherCookie = await login(w.otherAdmin.email, w.otherAdmin.password, nextIp());
});

async function newCampaign(form: Record<string, string | string[]>) {
  const res = await request("/reviews/new", { form: { name: "Route review", opensOn: today, dueOn: "2099-01-31", mode: "full", undecidedRule: "keep", ...form }, cookie: vmCookie });
  expect(res.status).toBe(302);
  return res.headers.get("Location")!.split("/").pop()!;
}
const items = (campaignId: string) => getDb().select().from(campaignItems).where(eq(campaignItems.campaignId, campaignId)).all();
const itemFor = (campaignId: string, credentialId: string) => items(campaignId).find((i) => i.credentialId === credentialId)!;

describe("the new campaign form", () => {
  it("re-renders with messages and what was typed when the dates are wrong", async () => {
    const res = await request("/reviews/new", { form: { name: "Bad dates", opensOn: "2026-05-01", dueOn: "2026-04-01" }, cookie: vmCookie });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("The due date must be after the opening date");
    expect(html).toContain('value="Bad dates"');
  });
});

describe("deciding items", () => {
  it("a reviewer cannot decide an item not assigned to them (403); the assigned one can, and it is carried out", async () => {
    const cred = createCredential(w.partner.id, { label: "Route key", lastUsedAt: daysAgo(90) });
    const id = await newCampaign({ orgs: [w.partner.slug] });
    const item = itemFor(id, cred.id);
    expect(item.reviewerId).toBe(w.vm.id);
    const denied = await request(`/reviews/${id}`, { form: { intent: "decide", item: item.id, decision: "revoke", comment: "unused" }, cookie: secCookie });
    expect(denied.status).toBe(403);
    expect(getDb().select().from(credentials).where(eq(credentials.id, cred.id)).get()!.status).toBe("active");

    const missingComment = await request(`/reviews/${id}`, { form: { intent: "decide", item: item.id, decision: "revoke" }, cookie: vmCookie });
    expect(missingComment.status).toBe(400);
    expect(await missingComment.text()).toContain("A comment is required to revoke");

    const ok = await request(`/reviews/${id}`, { form: { intent: "decide", item: item.id, decision: "revoke", comment: "unused for 90 days" }, cookie: vmCookie });
    expect(ok.status).toBe(302);
    expect(getDb().select().from(credentials).where(eq(credentials.id, cred.id)).get()!.status).toBe("revoked");
    const page = await (await request(`/reviews/${id}`, { cookie: vmCookie })).text();
    expect(page).toContain("unused for 90 days");
    expect(page).toContain(cred.keyId);
  });

  it("bulk-revokes every unused item of the reviewer matching the filter, and reassigns", async () => {
    const unusedA = createCredential(w.partner.id, { label: "Idle A", lastUsedAt: daysAgo(45) });
    const unusedB = createCredential(w.partner.id, { label: "Idle B" });
    const busy = createCredential(w.partner.id, { label: "Busy", lastUsedAt: daysAgo(1) });
    const id = await newCampaign({ orgs: [w.partner.slug] });
    const res = await request(`/reviews/${id}`, { form: { intent: "bulk", scope: "filter", back: "?f=unused", decision: "revoke", comment: "unused credentials" }, cookie: vmCookie });
    expect(res.status).toBe(302);
    const status = (cid: string) => getDb().select().from(credentials).where(eq(credentials.id, cid)).get()!.status;
    expect([status(unusedA.id), status(unusedB.id), status(busy.id)]).toEqual(["revoked", "revoked", "active"]);
    const reassign = await request(`/reviews/${id}`, { form: { intent: "reassign", items: itemFor(id, busy.id).id, reviewer: sec.id }, cookie: vmCookie });
    expect(reassign.status).toBe(302);
    expect(itemFor(id, busy.id).reviewerId).toBe(sec.id);
  });
});

describe("tenancy", () => {
  it("a partner admin reaches its own items for a first pass; another org's item or campaign is 404", async () => {
    const own = createCredential(w.partner.id, { label: "Partner's" });
    const theirs = createCredential(w.other.id, { label: "Other's" });
    const id = await newCampaign({ orgs: [w.partner.slug, w.other.slug], firstPass: "yes" });
    const page = await request(`/reviews/${id}`, { cookie: paCookie });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(own.keyId);
    expect(html).not.toContain(theirs.keyId);
    const foreign = await request(`/reviews/${id}`, { form: { intent: "first-pass", item: itemFor(id, theirs.id).id, decision: "keep" }, cookie: paCookie });
    expect(foreign.status).toBe(404);
    const mine = await request(`/reviews/${id}`, { form: { intent: "first-pass", item: itemFor(id, own.id).id, decision: "unsure", comment: "ask the holder" }, cookie: paCookie });
    expect(mine.status).toBe(302);
    expect(itemFor(id, own.id)).toMatchObject({ firstPassDecision: "unsure", firstPassComment: "ask the holder", decision: null });
    // The partner's report and exports hold its own items only.
    const csv = await (await request(`/reviews/${id}/report.csv`, { cookie: paCookie })).text();
    expect(csv).toContain(own.keyId);
    expect(csv).not.toContain(theirs.keyId);
    // …and name no other organisation in the campaign (its id was in the scope of the page data and the signed JSON).
    for (const path of [`/reviews/${id}/report.json`, `/reviews/${id}?_data=routes%2Freviews.%24id`, `/reviews/${id}/report?_data=routes%2Freviews.%24id_.report`]) {
      const res = await request(path, { cookie: paCookie });
      expect(res.status, path).toBe(200);
      const body = await res.text();
      expect(body, path).toContain(w.partner.id);
      expect(body, path).not.toContain(w.other.id);
    }
    // A campaign without the partner's items (or without a first pass) is not found for it.
    const other = await newCampaign({ orgs: [w.partner.slug] });
    expect((await request(`/reviews/${other}`, { cookie: paCookie })).status).toBe(404);
    expect((await request(`/reviews/${other}/report.json`, { cookie: otherCookie })).status).toBe(404);
  });
});

describe("closing and the signed report", () => {
  it("closes with the undecided rule and serves a signed JSON report that verifies", async () => {
    const cred = createCredential(w.contractor.id, { label: "Undecided" });
    const id = await newCampaign({ orgs: [w.contractor.slug], undecidedRule: "revoke" });
    expect((await request(`/reviews/${id}`, { form: { intent: "close" }, cookie: vmCookie })).status).toBe(400);
    expect((await request(`/reviews/${id}`, { form: { intent: "close", confirm: "yes" }, cookie: secCookie })).status).toBe(403);
    const closed = await request(`/reviews/${id}`, { form: { intent: "close", confirm: "yes" }, cookie: vmCookie });
    expect(closed.headers.get("Location")).toBe(`/reviews/${id}/report`);
    expect(getDb().select().from(credentials).where(eq(credentials.id, cred.id)).get()!.status).toBe("revoked");
    const report = await request(`/reviews/${id}/report`, { cookie: vmCookie });
    expect(await report.text()).toContain("revoked at close (undecided)");
    const json = await (await request(`/reviews/${id}/report.json`, { cookie: vmCookie })).text();
    expect(await verifyReport(json)).toMatchObject({ ok: true, campaignId: id });
    expect(await verifyReport(json.replace("Undecided", "Undecidex"))).toMatchObject({ ok: false });
  });
});
