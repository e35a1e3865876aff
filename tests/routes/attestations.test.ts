import { beforeAll, describe, expect, it } from "vitest";
import { login, request } from "../support/app";
import { actorFor, tenancyWorld, TEST_PASSWORD } from "../support/factories";
import { acceptedAttestation, requestFor } from "../support/attestation-factory";
import { listEvidence } from "~/models/evidence.server";
import { getAttestationSummary, listAnswers, listGaps } from "~/models/attestation.server";
import { seedCatalog, setEntitlements } from "../support/credential-factory";
import { createOrg, createUser } from "../support/factories";

let w: Awaited<ReturnType<typeof tenancyWorld>>;
let cookies: Record<"vm" | "pa" | "pm" | "ca", string>;

beforeAll(async () => {
  w = await tenancyWorld();
  cookies = {
    vm: await login(w.vm.email, TEST_PASSWORD),
    pa: await login(w.partnerAdmin.email, TEST_PASSWORD),
    pm: await login(w.partnerMember.email, TEST_PASSWORD),
    ca: await login(w.contractorAdmin.email, TEST_PASSWORD),
  };
});

function upload(attId: string, cookie: string, bytes: Uint8Array, name: string, fields: Record<string, string> = {}) {
  const fd = new FormData();
  fd.set("controlId", fields.controlId ?? "AC-01");
  fd.set("effectiveDate", fields.effectiveDate ?? "2026-11-01");
  if (fields.expiresOn) fd.set("expiresOn", fields.expiresOn);
  fd.set("file", new Blob([bytes as unknown as BlobPart]), name);
  return request(`/attestations/${attId}/evidence`, { body: fd, cookie });
}

describe("attestation pages", () => {
  it("a contractor cannot read its sponsor's attestation, its evidence or its receipt (404); the sponsor reads the contractor's", async () => {
    const vm = actorFor(w.vm.id);
    const att = await acceptedAttestation(vm, actorFor(w.partnerAdmin.id), w.partner.slug);
    const ev = listEvidence(vm, att.id)[0];
    for (const path of [`/attestations/${att.id}`, `/attestations/evidence/${ev.id}`, `/attestations/${att.id}/receipt`]) {
      expect((await request(path, { cookie: cookies.ca })).status, path).toBe(404);
      expect((await request(path, { cookie: cookies.pm })).status, path).toBe(200);
    }
    const list = await request("/attestations", { cookie: cookies.ca });
    expect(await list.text()).not.toContain(att.id);
    const catt = requestFor(vm, w.contractor.slug);
    expect((await request(`/attestations/${catt.id}`, { cookie: cookies.pa })).status).toBe(200);
    // …but the sponsor cannot answer for its contractor.
    expect((await request(`/attestations/${catt.id}`, { cookie: cookies.pa, form: { intent: "save", "value:AC-01": "yes" } })).status).toBe(403);
  });

  it("refuses an upload of the wrong type (by content, whatever its name) or over 10 MB, with a clear message; accepts a real PNG", async () => {
    const org = createOrg({ kind: "partner" });
    const admin = await createUser({ role: "partner_admin", orgId: org.id });
    const cookie = await login(admin.email, TEST_PASSWORD);
    const att = requestFor(actorFor(w.vm.id), org.slug);

    const exe = new Uint8Array([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xff, 0xff]);
    const wrong = await upload(att.id, cookie, exe, "mfa-policy.pdf");
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toMatch(/not accepted as evidence: upload PDF, PNG, JPEG, XLSX, TXT or CSV/);

    const big = new Uint8Array(10 * 1024 * 1024 + 1).fill(0x61);
    const over = await upload(att.id, cookie, big, "big.txt");
    expect(over.status).toBe(413);
    expect(await over.text()).toMatch(/larger than the 10 MB limit for evidence/);
    expect(listEvidence(actorFor(admin.id), att.id)).toEqual([]);

    const png = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");
    const ok = await upload(att.id, cookie, png, "screenshot.bin", { expiresOn: "2027-11-01" });
    expect(ok.status).toBe(302);
    const [stored] = listEvidence(actorFor(admin.id), att.id);
    expect(stored).toMatchObject({ mediaType: "image/png", controlId: "AC-01", effectiveDate: "2026-11-01", expiresOn: "2027-11-01" });
    const dl = await request(`/attestations/evidence/${stored.id}`, { cookie });
    expect(dl.headers.get("Content-Type")).toBe("image/png");
    expect(Buffer.from(await dl.arrayBuffer()).equals(png)).toBe(true);

    const badDate = await upload(att.id, cookie, Buffer.from("a,b\n"), "x.csv", { effectiveDate: "2026-13-01" });
    expect(badDate.status).toBe(400);
  });

  it("saves a draft, refuses a member's submit (403) and a bad answer (400, the typed value kept)", async () => {
    const att = requestFor(actorFor(w.vm.id), createOrg({ kind: "partner", slug: `d-${Date.now()}` }).slug);
    const org = getAttestationSummary(actorFor(w.vm.id), att.id)!;
    const member = await createUser({ role: "partner_member", orgId: org.orgId });
    const cookie = await login(member.email, TEST_PASSWORD);
    const saved = await request(`/attestations/${att.id}`, { cookie, form: { intent: "save", "value:AC-01": "yes", "comment:AC-01": "Okta for all", "value:LG-03": "" } });
    expect(saved.status).toBe(302);
    expect(listAnswers(att.id, org.orgId)).toEqual([{ controlId: "AC-01", value: "yes", comment: "Okta for all" }]);
    const bad = await request(`/attestations/${att.id}`, { cookie, form: { intent: "save", "value:LG-03": "last tuesday" } });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain("Use a date such as 2026-01-31");
    expect((await request(`/attestations/${att.id}`, { cookie, form: { intent: "submit", name: "M", title: "T", agree: "yes" } })).status).toBe(403);
  });

  it("the registration form refuses a restricted model to a restricted-tier organisation without a current attestation", async () => {
    seedCatalog();
    const org = createOrg({ kind: "partner", tier: "restricted" });
    setEntitlements(org.id, ["mythos-preview", "@ga"]);
    const res = await request("/credentials/new", {
      cookie: cookies.vm,
      form: { orgSlug: org.slug, keyId: `kw_gate_${Date.now()}`, label: "Batch", holderService: "batch", grantModels: "mythos-preview", grantEndpoints: "*", environment: "production", storage: "secrets_manager", issuedAt: "2026-11-01" },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/no current accepted attestation/);
  });

  it("verifies a receipt on the public page and rejects a tampered one", async () => {
    const vm = actorFor(w.vm.id);
    const org = createOrg({ kind: "partner" });
    const admin = await createUser({ role: "partner_admin", orgId: org.id });
    const att = await acceptedAttestation(vm, actorFor(admin.id), org.slug);
    const receipt = await (await request(`/attestations/${att.id}/receipt`, { cookie: cookies.vm })).text();
    const good = await request("/receipts/verify", { form: { receipt } });
    expect(good.status).toBe(200);
    expect(await good.text()).toContain("Valid receipt");
    const parts = receipt.split(".");
    parts[1] = parts[1].slice(0, 20) + (parts[1][20] === "x" ? "y" : "x") + parts[1].slice(21);
    const bad = await request("/receipts/verify", { form: { receipt: parts.join(".") } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Not valid");
  });
});

describe("the public receipt check (security review)", () => {
  it("caps the body as it is read: a chunked post with no Content-Length over the limit is 413, not parsed", async () => {
    const chunk = new TextEncoder().encode("a".repeat(16 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode("receipt="));
        if (sent >= 4 * 1024 * 1024) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const res = await request("/receipts/verify", { body, headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain("too large to be a receipt");
    expect(sent).toBeLessThan(1024 * 1024);
  });
});

describe("template pages", () => {
  it("a vendor manager drafts, adds a control with a new answer kind, publishes; the published version refuses edits", async () => {
    const open = await request("/attestations/templates", { cookie: cookies.vm, form: {} });
    expect(open.status).toBe(302);
    const url = open.headers.get("Location")!;
    const bad = await request(url, { cookie: cookies.vm, form: { intent: "add", id: "bad id", text: "short", type: "preventive", nature: "manual", answerKind: "choice", choices: "Only one", evidenceRequired: "no", weight: "1" } });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain("Use an id such as AC-03");
    expect(html).toContain("at least two choices");
    const add = await request(url, { cookie: cookies.vm, form: { intent: "add", id: "DL-01", text: "How is data loss prevention enforced on endpoints?", type: "detective", nature: "automated", answerKind: "choice", choices: "EDR with DLP\nNetwork DLP\nNone", evidenceRequired: "yes", weight: "3" } });
    expect(add.status).toBe(302);
    expect((await request(url, { cookie: cookies.vm, form: { intent: "move", id: "DL-01", direction: "up" } })).status).toBe(302);
    expect((await request(url, { cookie: cookies.vm, form: { intent: "publish" } })).status).toBe(302);
    const page = await (await request(url, { cookie: cookies.vm })).text();
    expect(page).toContain("DL-01");
    expect(page).toContain("is published and cannot change");
    const refused = await request(url, { cookie: cookies.vm, form: { intent: "remove", id: "AC-01" } });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("is published and cannot change");
    expect((await request(url, { cookie: cookies.pa })).status).toBe(403);
  });
});

describe("gap updates (security review)", () => {
  it("a gap is updated only through its own attestation: a partner admin cannot change its contractor's gap via its own attestation's page", async () => {
    const vm = actorFor(w.vm.id);
    const partner = createOrg({ kind: "partner" });
    const contractor = createOrg({ kind: "contractor", parentId: partner.id });
    const pa = await createUser({ role: "partner_admin", orgId: partner.id });
    const ca = await createUser({ role: "partner_admin", orgId: contractor.id });
    const paCookie = await login(pa.email, TEST_PASSWORD);
    const caCookie = await login(ca.email, TEST_PASSWORD);
    const cAtt = await acceptedAttestation(vm, actorFor(ca.id), contractor.slug, { "RT-02": "no" });
    const [gap] = listGaps(vm, { attestationId: cAtt.id });
    expect(gap.status).toBe("open");
    const own = requestFor(vm, partner.slug);
    const form = { intent: "gap", gapId: gap.id, owner: "Mallory", dueDate: "2030-01-01", status: "closed" };
    const res = await request(`/attestations/${own.id}`, { cookie: paCookie, form });
    expect(res.status).toBe(400);
    expect(listGaps(vm, { attestationId: cAtt.id })[0]).toMatchObject({ owner: gap.owner, status: "open" });
    // Through the contractor's attestation itself, the sponsor is refused as well (not its own organisation).
    expect((await request(`/attestations/${cAtt.id}`, { cookie: paCookie, form })).status).toBe(403);
    // The contractor's own admin still updates it.
    expect((await request(`/attestations/${cAtt.id}`, { cookie: caCookie, form: { ...form, owner: "Sam Ops" } })).status).toBe(302);
    expect(listGaps(vm, { attestationId: cAtt.id })[0]).toMatchObject({ owner: "Sam Ops", status: "closed" });
  });
});
