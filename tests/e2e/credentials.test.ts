import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Request } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../app/models/demo-seed.server";
import { demoPortalAndBrowser, newPage, signIn, signOut } from "./support";

const e2e = demoPortalAndBrowser();

describe("the credential inventory", () => {
  it("a partner registers a credential with a e2e.browser-computed fingerprint (the secret never leaves the page) and rotates it", async () => {
    const context = await e2e.browser.newContext();
    const { page, problems } = await newPage(context);
    await signIn(page, e2e.portal.baseUrl, "member@northwind.demo", DEMO_PASSWORD);
    await page.goto(`${e2e.portal.baseUrl}/credentials/new`);
    const secret = "sk-live-northwind-9f8e7d6c5b4a39281706";
    await page.getByLabel("Key id").fill("kw_live_e2e_nw01");
    await page.getByLabel("Label", { exact: true }).fill("Evaluation runner");
    await page.getByLabel("or a named service").fill("eval-cluster");
    await page.getByRole("group", { name: "Models it may call" }).getByRole("checkbox").first().check();
    await page.getByLabel("Environment").selectOption("production");
    await page.getByLabel("Stored in").selectOption("secrets_manager");
    await page.getByLabel("Fingerprint (optional): paste the key").fill(secret);
    const digest = createHash("sha256").update(secret).digest("hex");
    await page.getByText(digest.slice(0, 12)).waitFor();

    const posted: Request[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST") posted.push(r);
    });
    await Promise.all([page.waitForURL(/\/credentials\/kw_live_e2e_nw01/), page.getByRole("button", { name: /Register/ }).click()]);
    const body = posted.map((r) => r.postData() ?? "").join("\n");
    expect(body).toContain("kw_live_e2e_nw01");
    expect(body).toContain(digest);
    expect(body).not.toContain(secret);
    expect(body).not.toContain(encodeURIComponent(secret));

    // Rotate: the new key id is recorded, the old one enters its grace period.
    await page.getByLabel("New key id").fill("kw_live_e2e_nw02");
    await Promise.all([page.waitForURL(/\/credentials\/kw_live_e2e_nw02/), page.getByRole("button", { name: "Record rotation" }).click()]);
    await page.getByRole("heading", { name: "Timeline" }).waitFor();
    expect(await page.locator("main").innerText()).toContain("kw_live_e2e_nw01");
    const old = await page.goto(`${e2e.portal.baseUrl}/credentials/kw_live_e2e_nw01`);
    expect(old?.status()).toBe(404);
    expect(problems).toEqual([]);
    await signOut(page);
    await context.close();
  });

  it("a vendor manager filters the credentials overdue for rotation and downloads them as CSV", async () => {
    const context = await e2e.browser.newContext({ acceptDownloads: true });
    const { page, problems } = await newPage(context);
    await signIn(page, e2e.portal.baseUrl, "vm@keyward.demo", DEMO_PASSWORD);
    await page.goto(`${e2e.portal.baseUrl}/credentials`);
    await page.getByLabel("Rotation overdue").check();
    await Promise.all([page.waitForURL(/flag=overdue/), page.getByRole("button", { name: "Filter" }).click()]);
    const rows = page.getByRole("table", { name: "Credentials" }).locator("tbody tr");
    expect(await rows.count()).toBeGreaterThan(0);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /CSV/ }).click()]);
    const file = path.join(e2e.portal.dir, "export.csv");
    await download.saveAs(file);
    const lines = fs.readFileSync(file, "utf8").trim().split(/\r?\n/);
    const header = lines[0].split(",");
    const stateCol = header.indexOf("rotationState");
    expect(stateCol).toBeGreaterThan(-1);
    expect(lines.length - 1).toBeGreaterThan(0);
    for (const line of lines.slice(1)) expect(line.split(",")[stateCol]).toBe("overdue");
    expect(problems).toEqual([]);
    await context.close();
  });
});
