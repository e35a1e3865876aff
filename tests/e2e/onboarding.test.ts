import { execFileSync } from "node:child_process";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, newPage, signIn, signOut, startPortal, type Portal } from "./support";

const ROOT = path.resolve(__dirname, "../..");
const VM = { email: "vm@e2e.test", password: "vendor manager passphrase" };

let portal: Portal;
let browser: Browser;

beforeAll(async () => {
  portal = await startPortal((env) => {
    // Bootstrap the first administrator the documented way.
    execFileSync(process.execPath, ["--import", "tsx", "scripts/keyward.ts", "user-create", "--email", VM.email, "--role", "vendor_manager", "--name", "Vera Manager", "--password-stdin"], {
      cwd: ROOT,
      env,
      input: VM.password,
    });
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

describe("onboarding a partner", () => {
  it("a vendor manager creates a partner and invites its admin, who joins and sees only their own organisation", async () => {
    const vmContext = await browser.newContext();
    const { page, problems } = await newPage(vmContext);
    await signIn(page, portal.baseUrl, VM.email, VM.password);
    await expect(page.getByRole("heading", { level: 1 })).toBeTruthy();

    // Two partners: the one we onboard and another tenant.
    for (const [name, slug] of [
      ["Acme AI", "acme-ai"],
      ["Globex Research", "globex"],
    ]) {
      await page.goto(`${portal.baseUrl}/orgs/new`);
      await page.getByLabel("Name", { exact: true }).fill(name);
      await page.getByLabel("Slug").fill(slug);
      await page.getByLabel("Kind").selectOption("partner");
      await Promise.all([page.waitForURL(new RegExp(`/orgs/${slug}`)), page.getByRole("button", { name: "Create organisation" }).click()]);
      await page.getByRole("heading", { level: 1, name: new RegExp(name) }).waitFor();
    }

    // A bad form keeps what was typed and says what is wrong.
    await page.goto(`${portal.baseUrl}/orgs/new`);
    await page.getByLabel("Name", { exact: true }).fill("Acme Again");
    await page.getByLabel("Slug").fill("acme-ai");
    await page.getByRole("button", { name: "Create organisation" }).click();
    await page.getByText("That slug is taken").waitFor();
    expect(await page.getByLabel("Name", { exact: true }).inputValue()).toBe("Acme Again");

    // Invite the partner's admin; the signed link is shown once.
    await page.goto(`${portal.baseUrl}/users/new`);
    await page.getByLabel("Email").fill("ada@acme.test");
    await page.getByLabel("Name").fill("Ada Admin");
    await page.getByLabel("Role").selectOption("partner_admin");
    await page.getByLabel("Organisation").selectOption("acme-ai");
    await page.getByRole("button", { name: "Create invitation link" }).click();
    const linkField = page.getByRole("textbox", { name: "Invitation link" });
    await linkField.waitFor();
    const link = await linkField.inputValue();
    expect(link).toMatch(new RegExp(`^${portal.baseUrl}/invite/[\\w-]+\\.[\\w-]+\\.[\\w-]+$`));
    await signOut(page);
    expect(problems).toEqual([]);
    await vmContext.close();

    // The invitee accepts, sets a password and is signed in.
    const adminContext = await browser.newContext();
    const admin = await newPage(adminContext);
    await admin.page.goto(link);
    await admin.page.getByText("ada@acme.test").waitFor();
    await admin.page.getByLabel("New password").fill("short");
    await admin.page.getByLabel("Repeat the password").fill("short");
    await admin.page.getByRole("button", { name: "Set password and sign in" }).click();
    await admin.page.getByText("Use at least 12 characters").waitFor();
    await admin.page.getByLabel("New password").fill("ada's long passphrase");
    await admin.page.getByLabel("Repeat the password").fill("ada's long passphrase");
    await Promise.all([admin.page.waitForURL(/\/dashboard/), admin.page.getByRole("button", { name: "Set password and sign in" }).click()]);

    // Only its own organisation is listed.
    await admin.page.goto(`${portal.baseUrl}/orgs`);
    const table = admin.page.getByRole("table", { name: "Organisations" });
    await table.waitFor();
    const text = await table.innerText();
    expect(text).toContain("Acme AI");
    expect(text).not.toContain("Globex");

    // Another organisation's URL answers 404, with the not-found page.
    const res = await admin.page.goto(`${portal.baseUrl}/orgs/globex`);
    expect(res?.status()).toBe(404);
    await admin.page.getByRole("heading", { name: "Not found" }).waitFor();

    // The link is single-use.
    const again = await admin.page.goto(link);
    expect(again?.status()).toBe(410);

    expect(admin.problems).toEqual([]);
    await adminContext.close();
  });
});
