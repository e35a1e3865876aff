import { strFromU8, unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { verifyEvidencePack } from "~/models/evidence-pack-verify.server";
import { login, request } from "../support/app";
import { createCredential } from "../support/credential-factory";
import { createUser, tenancyWorld } from "../support/factories";

const signIn = (u: { email: string; password: string }) => login(u.email, u.password);
const today = new Date().toISOString().slice(0, 10);

describe("/evidence", () => {
  it("lets the auditor download a pack for one organisation that verifies and holds only that organisation", async () => {
    const w = await tenancyWorld();
    const mine = createCredential(w.partner.id);
    const theirs = createCredential(w.other.id);
    const auditor = await createUser({ role: "auditor" });
    const cookie = await signIn(auditor);
    const page = await (await request("/evidence", { cookie })).text();
    expect(page).toContain('action="/evidence.zip"');
    expect(page).toContain('name="from"');
    expect(page).toContain(`<option value="${w.partner.slug}">`);

    const res = await request("/evidence.zip", { cookie, form: { from: "2026-01-01", to: today, org: w.partner.slug } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/zip");
    expect(res.headers.get("Content-Disposition")).toBe(`attachment; filename="keyward-evidence-${w.partner.slug}-2026-01-01-to-${today}.zip"`);
    const zip = new Uint8Array(await res.arrayBuffer());
    expect(await verifyEvidencePack(zip)).toMatchObject({ ok: true });
    const text = Object.values(unzipSync(zip)).map((b) => strFromU8(b)).join("\n");
    expect(text).toContain(mine.keyId);
    expect(text).not.toContain(theirs.keyId);
    expect(text).toContain(auditor.email); // generatedBy
  });

  it("sends a bad request back to the form with messages and the values typed for a bad period or an unknown organisation", async () => {
    const auditor = await createUser({ role: "auditor" });
    const cookie = await signIn(auditor);
    const bad = await request("/evidence.zip", { cookie, form: { from: "2026-05-10", to: "2026-05-01" } });
    expect(bad.status).toBe(302);
    const back = bad.headers.get("Location")!;
    expect(back).toBe("/evidence?check=1&from=2026-05-10&to=2026-05-01");
    const page = await request(back, { cookie });
    expect(page.status).toBe(400);
    const body = await page.text();
    expect(body).toContain("The start date is after the end date");
    expect(body).toContain('value="2026-05-10"');
    const unknown = await request("/evidence.zip", { cookie, form: { from: "2026-05-01", to: "2026-05-10", org: "nope-nope" } });
    const again = await request(unknown.headers.get("Location")!, { cookie });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("No organisation &quot;nope-nope&quot;");
  });

  it("is refused to partners", async () => {
    const w = await tenancyWorld();
    const cookie = await signIn(w.partnerAdmin);
    expect((await request("/evidence", { cookie })).status).toBe(403);
    expect((await request("/evidence.zip", { cookie, form: { from: "2026-01-01", to: today, org: w.partner.slug } })).status).toBe(403);
  });
});
