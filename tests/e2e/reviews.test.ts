import { execFileSync } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import { setupServer } from "msw/node";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "../../db/client";
import { resetEnvCache } from "../../app/env.server";
import { resetKeyCache } from "../../app/jwt.server";
import { DEMO_PASSWORD } from "../../app/models/demo-seed.server";
import { deliverDueOutbox } from "../../app/models/outbox.server";
import { verifyReport } from "../../app/models/campaign-report.server";
import { GATEWAY_HOOK_URL, webhookReceiver } from "../mocks/handlers";
import { launchBrowser, newPage, signIn, signOut, startPortal, type Portal } from "./support";

// The access review journey (issue 5): a vendor manager creates a campaign with a partner first pass,
// the partner's admin gives it, the reviewer bulk-revokes the unused credentials, the gateway's webhook
// receives the revocations (the portal's outbox delivered from this process while msw plays the
// gateway), the campaign is closed, and its signed report verifies against the portal's JWKS.

const ROOT = path.resolve(__dirname, "../..");
const HOOK_SECRET = "e2e-gateway-secret-0123456789abcdef";
let portal: Portal;
let browser: Browser;
let sqlite: Database.Database;

beforeAll(async () => {
  portal = await startPortal((env) => {
    execFileSync(process.execPath, ["--import", "tsx", "scripts/keyward.ts", "seed-demo"], { cwd: ROOT, env, stdio: "ignore" });
    const db = new Database(env.KEYWARD_DB!);
    db.prepare("insert into webhooks (id, name, url, events, secret, active, created_at) values (?, ?, ?, ?, ?, 1, ?)").run(crypto.randomUUID(), "Gateway admin", GATEWAY_HOOK_URL, JSON.stringify(["credential.revoked"]), HOOK_SECRET, Date.now());
    db.close();
  });
  // This process reads the portal's database and keys (outbox delivery, report verification).
  process.env.KEYWARD_DB = portal.env.KEYWARD_DB;
  process.env.KEYWARD_DATA = portal.env.KEYWARD_DATA;
  closeDb();
  resetEnvCache();
  resetKeyCache();
  sqlite = new Database(portal.env.KEYWARD_DB!, { readonly: true });
  browser = await launchBrowser();
});

afterAll(async () => {
  sqlite?.close();
  closeDb();
  await browser?.close();
  await portal?.stop();
});

describe("an access review campaign", () => {
  it("create → partner first pass → bulk revoke of unused credentials → gateway webhook → close → signed report verifies", async () => {
    const context = await browser.newContext();
    const { page, problems } = await newPage(context);

    // 1. The vendor manager creates a campaign over Northwind with a partner first pass.
    await signIn(page, portal.baseUrl, "vm@keyward.demo", DEMO_PASSWORD);
    await page.goto(`${portal.baseUrl}/reviews/new`);
    await page.getByLabel("Name").fill("E2E Northwind review");
    await page.getByRole("group", { name: "Organisations" }).getByLabel("Northwind Analytics").check();
    await page.getByLabel(/Ask each partner's admin/).check();
    await Promise.all([page.waitForURL(/\/reviews\/[0-9a-f-]{36}$/), page.getByRole("button", { name: "Create campaign" }).click()]);
    const campaignUrl = page.url();
    const campaignId = campaignUrl.split("/").pop()!;
    const items = sqlite.prepare("select id, credential_id, unused from campaign_items where campaign_id = ?").all(campaignId) as { id: string; credential_id: string; unused: number }[];
    expect(items.length).toBeGreaterThan(3);
    const unused = items.filter((i) => i.unused);
    expect(unused.length).toBeGreaterThan(0);
    await signOut(page);

    // 2. Northwind's admin gives a first pass on one of its credentials.
    await signIn(page, portal.baseUrl, "admin@northwind.demo", DEMO_PASSWORD);
    await page.goto(campaignUrl);
    await page.getByRole("combobox", { name: "Decision" }).first().selectOption("unsure");
    await page.getByRole("textbox", { name: "Comment" }).first().fill("Check with the data team");
    await Promise.all([page.waitForURL(campaignUrl), page.getByRole("button", { name: "Send first pass" }).first().click()]);
    await page.getByText("Check with the data team").waitFor();
    expect((sqlite.prepare("select count(*) n from campaign_items where campaign_id = ? and first_pass_decision = 'unsure'").get(campaignId) as { n: number }).n).toBe(1);
    await signOut(page);

    // 3. The reviewer filters to unused credentials and revokes them all in one go.
    await signIn(page, portal.baseUrl, "vm@keyward.demo", DEMO_PASSWORD);
    await page.goto(`${campaignUrl}?f=unused`);
    const bulk = page.getByRole("form", { name: "Bulk decision" });
    await bulk.getByLabel("Apply to").selectOption("filter");
    await bulk.getByLabel("Decision").selectOption("revoke");
    await bulk.getByLabel("Comment").fill("Unused past policy: revoked in the access review");
    await bulk.getByRole("button", { name: "Decide" }).click();
    await page.getByText("revoked", { exact: true }).first().waitFor();
    const revoked = sqlite.prepare("select c.key_id, c.status from campaign_items i join credentials c on c.id = i.credential_id where i.campaign_id = ? and i.decision = 'revoke'").all(campaignId) as { key_id: string; status: string }[];
    expect(revoked.length).toBe(unused.length);
    expect(revoked.every((r) => r.status === "revoked")).toBe(true);

    // 4. The gateway hears about every revocation, signed.
    const receiver = webhookReceiver(GATEWAY_HOOK_URL, { secret: HOOK_SECRET });
    const gateway = setupServer(receiver.handler);
    gateway.listen({ onUnhandledRequest: "error" });
    try {
      const run = await deliverDueOutbox({ limit: 200 });
      expect(run.failed).toBe(0);
    } finally {
      gateway.close();
    }
    const heard = receiver.received.map((d) => JSON.parse(d.body)).filter((b) => b.event === "credential.revoked").map((b) => b.data.keyId);
    expect(heard.sort()).toEqual(revoked.map((r) => r.key_id).sort());
    expect(receiver.received.every((d) => d.signatureValid)).toBe(true);

    // 5. Close (the rest is kept), then the report and its signed export.
    await page.goto(campaignUrl);
    await page.getByLabel("Yes, close this campaign").check();
    await Promise.all([page.waitForURL(/\/report$/), page.getByRole("button", { name: "Close campaign" }).click()]);
    await page.getByRole("heading", { name: /Access review report/ }).waitFor();
    expect(await page.locator("main").innerText()).toContain("kept at close (undecided)");
    const res = await page.request.get(`${portal.baseUrl}/reviews/${campaignId}/report.json`);
    expect(res.status()).toBe(200);
    const signed = await res.text();
    const jwks = await (await page.request.get(`${portal.baseUrl}/.well-known/jwks.json`)).json();
    expect(await verifyReport(signed, jwks)).toMatchObject({ ok: true, campaignId, items: items.length });
    expect(await verifyReport(signed.replace("Unused past policy", "Unused past pclicy"), jwks)).toMatchObject({ ok: false });
    expect(problems).toEqual([]);
    await context.close();
  });
});
