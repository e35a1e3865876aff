import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { credentials, credentialRotations, outbox } from "../../db/schema";
import { listAuditForTarget } from "~/models/audit.server";
import { login, request } from "../support/app";
import { createCredential, createWebhook, seedCatalog, setEntitlements, uniqueKeyId } from "../support/credential-factory";
import { createUser, tenancyWorld } from "../support/factories";

const signIn = (u: { email: string; password: string }) => login(u.email, u.password);
/** The page's HTML without React's text-node separators, so sentences can be matched whole. */
const html = async (res: Response | Promise<Response>) => (await (await res).text()).replace(/<!-- -->/g, "");
const row = (id: string) => getDb().select().from(credentials).where(eq(credentials.id, id)).get()!;
const url = (keyId: string) => `/credentials/${keyId}`;

beforeAll(() => seedCatalog());

describe("credential detail: tenancy", () => {
  it("answers 404 to a partner for another organisation's credential, on the page and on rotate and revoke", async () => {
    const w = await tenancyWorld();
    const theirs = createCredential(w.other.id);
    const cookie = await signIn(w.partnerAdmin);
    expect((await request(url(theirs.keyId), { cookie })).status).toBe(404);
    expect((await request(url(theirs.keyId), { cookie, form: { intent: "rotate", newKeyId: uniqueKeyId() } })).status).toBe(404);
    expect((await request(url(theirs.keyId), { cookie, form: { intent: "revoke", reason: "not mine", confirm: "yes" } })).status).toBe(404);
    expect(row(theirs.id)).toMatchObject({ keyId: theirs.keyId, status: "active" });
  });

  it("lets a partner admin read its contractor's credential but not act on it (403)", async () => {
    const w = await tenancyWorld();
    const contractors = createCredential(w.contractor.id, { label: "Contractor batch key" });
    const cookie = await signIn(w.partnerAdmin);
    const page = await request(url(contractors.keyId), { cookie });
    expect(page.status).toBe(200);
    const body = await html(page);
    expect(body).toContain("Contractor batch key");
    expect(body).toContain("You can read this credential but not change it.");
    expect(body).not.toContain('name="intent"');
    expect((await request(url(contractors.keyId), { cookie, form: { intent: "rotate", newKeyId: uniqueKeyId() } })).status).toBe(403);
    expect((await request(url(contractors.keyId), { cookie, form: { intent: "grant", grantModels: "opus-4", grantEndpoints: "*" } })).status).toBe(403);
    expect(row(contractors.id)).toMatchObject({ keyId: contractors.keyId, grantModels: ["@ga"] });
  });

  it("refuses every POST from an auditor with 403, but shows the page", async () => {
    const w = await tenancyWorld();
    const auditor = await createUser({ role: "auditor" });
    const cred = createCredential(w.partner.id);
    const cookie = await signIn(auditor);
    expect((await request(url(cred.keyId), { cookie })).status).toBe(200);
    const forms: Record<string, string>[] = [
      { intent: "suspend", reason: "curious" },
      { intent: "revoke", reason: "curious", confirm: "yes" },
      { intent: "rotate", newKeyId: uniqueKeyId() },
      { intent: "nonsense" },
    ];
    for (const form of forms) {
      expect((await request(url(cred.keyId), { cookie, form })).status, form.intent).toBe(403);
    }
    expect(row(cred.id).status).toBe("active");
  });
});

describe("credential detail: the page", () => {
  it("shows the facts, the hygiene against the tier's policy, @ga spelled out, and the timeline", async () => {
    const w = await tenancyWorld();
    const fingerprint = "0123456789ab".padEnd(64, "f");
    const cred = createCredential(w.partner.id, {
      label: "Nightly evals",
      fingerprint,
      issuedAt: new Date(Date.now() - 100 * 86_400_000),
      lastUsedAt: new Date("2026-01-02T03:04:00Z"),
      lastUsedIp: "198.51.100.23",
      lastUsedUserAgent: "evals-runner/2.1",
      storage: "shared_drive",
    });
    const cookie = await signIn(w.partnerMember);
    const body = await html(request(url(cred.keyId), { cookie }));
    expect(body).toContain("Nightly evals");
    expect(body).toContain(`title="${fingerprint}"`);
    expect(body).toContain("0123456789ab…");
    expect(body).toContain(`href="/orgs/${w.partner.slug}"`);
    expect(body).toContain("every GA model");
    expect(body).toMatch(/Every GA model reaches today: opus-4, sonnet-4\./);
    expect(body).toContain("Rotation overdue");
    expect(body).toContain("100 days");
    expect(body).toContain("of at most 90 days (standard tier)");
    expect(body).toContain("10 days overdue");
    expect(body).toContain("2026-01-02 03:04 UTC");
    expect(body).toContain("198.51.100.23");
    expect(body).toContain("evals-runner/2.1");
    expect(body).toContain("Not in a secrets manager");
    // a partner member sees rotate and narrow, not suspend/revoke
    expect(body).toContain('value="rotate"');
    expect(body).toContain("Narrow the grant");
    expect(body).not.toContain('value="revoke"');
    expect(body).not.toContain('value="suspend"');
  });
});

describe("credential detail: actions", () => {
  it("lets a vendor manager revoke (302), notifies through the outbox, and the page then shows Revoked", async () => {
    const w = await tenancyWorld();
    const hook = createWebhook(["credential.revoked"]);
    const cred = createCredential(w.partner.id);
    const cookie = await signIn(w.vm);
    // without the ticked confirmation and a reason: 400, what was typed is kept
    const bad = await request(url(cred.keyId), { cookie, form: { intent: "revoke", reason: "Leaked on a paste site" } });
    expect(bad.status).toBe(400);
    const badBody = await html(bad);
    expect(badBody).toContain("Tick the box to confirm");
    expect(badBody).toContain('value="Leaked on a paste site"');
    expect(row(cred.id).status).toBe("active");

    const res = await request(url(cred.keyId), { cookie, form: { intent: "revoke", reason: "Leaked on a paste site", confirm: "yes" } });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`${url(cred.keyId)}?done=revoke`);
    expect(row(cred.id)).toMatchObject({ status: "revoked", revokedReason: "Leaked on a paste site", revokedById: w.vm.id });
    expect(getDb().select().from(outbox).where(eq(outbox.webhookId, hook.id)).all()).toHaveLength(1);

    const body = await html(request(`${url(cred.keyId)}?done=revoke`, { cookie }));
    expect(body).toContain("Credential revoked.");
    expect(body).toContain(">Revoked</span>");
    expect(body).toContain("Leaked on a paste site");
    expect(body).toContain("nothing more can be done with it");
    expect(body).not.toContain('value="reactivate"');
    // and the timeline names who revoked it
    expect(body).toMatch(/Revoked<\/span> <time[^>]*>[^<]*<\/time><span class="muted"> · [^<]*vendor_manager/);
    // reactivating it anyway is refused
    expect((await request(url(cred.keyId), { cookie, form: { intent: "reactivate" } })).status).toBe(400);
    expect(row(cred.id).status).toBe("revoked");
  });

  it("rotates: redirects to the new key id, the old key id's URL is 404, and the timeline shows old → new", async () => {
    const w = await tenancyWorld();
    const cred = createCredential(w.partner.id);
    const cookie = await signIn(w.partnerMember);
    const newKeyId = uniqueKeyId("kw_rotated");
    const res = await request(url(cred.keyId), { cookie, form: { intent: "rotate", newKeyId, fingerprint: "" } });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`${url(newKeyId)}?done=rotate`);
    expect((await request(url(cred.keyId), { cookie })).status).toBe(404);
    const page = await request(`${url(newKeyId)}?done=rotate`, { cookie });
    expect(page.status).toBe(200);
    const body = await html(page);
    expect(body).toContain("Rotation recorded.");
    expect(body).toMatch(new RegExp(`${cred.keyId}</span> → <span class="mono">${newKeyId}`));
    expect(body).toContain("old key accepted until");
    expect(getDb().select().from(credentialRotations).where(eq(credentialRotations.credentialId, cred.id)).all()).toHaveLength(1);

    // the old key id can never be taken again; the form keeps what was typed
    const other = createCredential(w.partner.id);
    const again = await request(url(other.keyId), { cookie, form: { intent: "rotate", newKeyId: cred.keyId } });
    expect(again.status).toBe(400);
    const againBody = await html(again);
    expect(againBody).toContain("key ids are never reused");
    expect(againBody).toContain(`value="${cred.keyId}"`);
    // an invalid key id is a field message, not a crash
    const invalid = await request(url(other.keyId), { cookie, form: { intent: "rotate", newKeyId: "no spaces allowed" } });
    expect(invalid.status).toBe(400);
    expect(await html(invalid)).toContain("A key id is 6–128 letters");
  });

  it("lets a partner narrow its own credential's grant but answers 403 to a widening", async () => {
    const w = await tenancyWorld();
    setEntitlements(w.partner.id, ["@ga", "mythos-preview"]);
    const cred = createCredential(w.partner.id, { grantModels: ["opus-4", "sonnet-4"], grantEndpoints: ["*"] });
    const cookie = await signIn(w.partnerAdmin);
    const widen = await request(url(cred.keyId), { cookie, form: { intent: "grant", grantModels: ["opus-4", "sonnet-4", "mythos-preview"], grantEndpoints: "*" } });
    expect(widen.status).toBe(403);
    const toGa = await request(url(cred.keyId), { cookie, form: { intent: "grant", grantModels: "@ga", grantEndpoints: "*" } });
    expect(toGa.status).toBe(403);
    expect(row(cred.id).grantModels).toEqual(["opus-4", "sonnet-4"]);

    const narrow = await request(url(cred.keyId), { cookie, form: { intent: "grant", grantModels: "opus-4", grantEndpoints: "messages" } });
    expect(narrow.status).toBe(302);
    expect(narrow.headers.get("Location")).toBe(`${url(cred.keyId)}?done=narrowed`);
    expect(row(cred.id)).toMatchObject({ grantModels: ["opus-4"], grantEndpoints: ["messages"] });
    expect(listAuditForTarget("credential", cred.id, 5).map((a) => a.action)).toEqual(["credential.grant_narrowed"]);
    const body = await html(request(`${url(cred.keyId)}?done=narrowed`, { cookie }));
    expect(body).toContain("Grant narrowed.");
    expect(body).toContain("Models: opus-4, sonnet-4 → opus-4");
  });

  it("lets a vendor manager widen within the entitlements, and explains a refusal beyond them", async () => {
    const w = await tenancyWorld();
    setEntitlements(w.partner.id, ["@ga"]);
    const cred = createCredential(w.partner.id, { grantModels: ["opus-4"], grantEndpoints: ["*"] });
    const cookie = await signIn(w.vm);
    const beyond = await request(url(cred.keyId), { cookie, form: { intent: "grant", grantModels: ["opus-4", "mythos-preview"], grantEndpoints: "*" } });
    expect(beyond.status).toBe(400);
    expect(await html(beyond)).toContain("entitlements: mythos-preview");
    const ok = await request(url(cred.keyId), { cookie, form: { intent: "grant", grantModels: ["opus-4", "sonnet-4"], grantEndpoints: "*" } });
    expect(ok.status).toBe(302);
    expect(ok.headers.get("Location")).toContain("done=widened");
    expect(row(cred.id).grantModels).toEqual(["opus-4", "sonnet-4"]);
  });

  it("lets security suspend and reactivate but not rotate", async () => {
    const w = await tenancyWorld();
    const security = await createUser({ role: "security" });
    const cred = createCredential(w.other.id);
    const cookie = await signIn(security);
    const noReason = await request(url(cred.keyId), { cookie, form: { intent: "suspend", reason: "" } });
    expect(noReason.status).toBe(400);
    expect(await html(noReason)).toContain("Give a reason for the suspension");
    expect((await request(url(cred.keyId), { cookie, form: { intent: "suspend", reason: "Odd traffic from new ASN" } })).status).toBe(302);
    expect(row(cred.id)).toMatchObject({ status: "suspended", statusReason: "Odd traffic from new ASN" });
    expect((await request(url(cred.keyId), { cookie, form: { intent: "rotate", newKeyId: uniqueKeyId() } })).status).toBe(403);
    expect((await request(url(cred.keyId), { cookie, form: { intent: "reactivate" } })).status).toBe(302);
    expect(row(cred.id).status).toBe("active");
  });
});
