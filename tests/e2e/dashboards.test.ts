import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../app/models/demo-seed.server";
import { demoPortalAndBrowser, newPage, signIn } from "./support";

const ROOT = path.resolve(__dirname, "../..");
const e2e = demoPortalAndBrowser();

const ROLES = [
  { email: "vm@keyward.demo", heading: "Organisations ranked by risk", charts: ["age", "attestation-history"] },
  { email: "security@keyward.demo", heading: "Open flags by rule", charts: ["flags-over-time", "requests-errors", "sources"] },
  { email: "auditor@keyward.demo", heading: "Evidence pack", charts: ["age", "flags-over-time", "attestation-history"] },
  { email: "admin@northwind.demo", heading: "Flags to respond to", charts: ["usage", "usage-sources", "age"] },
];

describe("dashboards", () => {
  for (const role of ROLES) {
    it(`${role.email} lands on its dashboard with charts and no console or CSP problems`, async () => {
      const context = await e2e.browser.newContext();
      const { page, problems } = await newPage(context);
      await signIn(page, e2e.portal.baseUrl, role.email, DEMO_PASSWORD);
      await page.getByRole("heading", { name: role.heading }).waitFor();
      for (const id of role.charts) {
        const svg = page.locator(`svg[data-chart="${id}"]`);
        await svg.waitFor();
        // drawn: bars, lines or points inside the chart
        expect(await svg.locator("rect, path, circle").count(), id).toBeGreaterThan(3);
      }
      // the data table behind a chart opens without JavaScript (a <details>)
      await page.locator("details.chart-data summary").first().click();
      await expect.poll(() => page.locator("details.chart-data[open] table").count()).toBeGreaterThan(0);
      expect(problems).toEqual([]);
      await context.close();
    });
  }

  it("shows an organisation's risk explained line by line with its 90-day trend", async () => {
    const context = await e2e.browser.newContext();
    const { page, problems } = await newPage(context);
    await signIn(page, e2e.portal.baseUrl, "vm@keyward.demo", DEMO_PASSWORD);
    await page.goto(`${e2e.portal.baseUrl}/orgs/northwind`);
    await page.getByRole("heading", { name: /^Risk/ }).waitFor();
    expect(await page.locator('svg[data-chart="risk-trend"] path').count()).toBeGreaterThan(0);
    expect(await page.locator("ul.risk-lines li").count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("the auditor downloads an evidence pack that verify-pack accepts", async () => {
    const context = await e2e.browser.newContext({ acceptDownloads: true });
    const { page, problems } = await newPage(context);
    await signIn(page, e2e.portal.baseUrl, "auditor@keyward.demo", DEMO_PASSWORD);
    await Promise.all([page.waitForURL(/\/evidence$/), page.getByRole("link", { name: "Download an evidence pack" }).click()]);
    await page.locator("main select[name=org]").selectOption("northwind");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download the evidence pack" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^keyward-evidence-northwind-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.zip$/);
    const file = path.join(e2e.portal.dir, download.suggestedFilename());
    await download.saveAs(file);
    const jwks = path.join(e2e.portal.dir, "jwks.json");
    fs.writeFileSync(jwks, await (await fetch(`${e2e.portal.baseUrl}/.well-known/jwks.json`)).text());
    const out = execFileSync(process.execPath, ["--import", "tsx", "scripts/keyward.ts", "verify-pack", file, "--jwks", jwks, "--json"], { cwd: ROOT, env: e2e.portal.env }).toString();
    expect(JSON.parse(out)).toMatchObject({ ok: true, org: "northwind", problems: [] });
    expect(problems).toEqual([]);
    await context.close();
  });
});
