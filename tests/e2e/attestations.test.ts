import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../app/models/demo-seed.server";
import { DEFAULT_CONTROLS } from "../../app/domain/attestation-template";
import { demoPortalAndBrowser, newPage, signIn, signOut } from "./support";

const e2e = demoPortalAndBrowser();

/** The answers the partner gives: evidence for AC-01 and AC-03, a gap on RT-01, n/a where evidence would be needed otherwise. */
const ANSWERS: Record<string, string> = Object.fromEntries(
  DEFAULT_CONTROLS.map((c) => [c.id, c.answerKind !== "yes_no" ? "" : c.id === "RT-01" ? "no" : c.evidenceRequired && !["AC-01", "AC-03"].includes(c.id) ? "n/a" : "yes"]),
);

async function submitForm(page: Page, button: string, url: RegExp = /\/attestations\//) {
  try {
    await Promise.all([page.waitForURL(url, { timeout: 15_000 }), page.getByRole("button", { name: button }).click()]);
  } catch (err) {
    throw new Error(`${button}: ${String(err)}\n${(await page.locator("main").innerText()).slice(0, 1500)}`);
  }
}

describe("the attestation journey", () => {
  it("request → partner fills, uploads evidence, submits → clarification on one control → reply → accepted → receipt downloaded and verified → tampered receipt rejected", async () => {
    const context = await e2e.browser.newContext({ acceptDownloads: true });
    const { page, problems } = await newPage(context);

    // A vendor manager requests an attestation from Tidewater Consulting.
    await signIn(page, e2e.portal.baseUrl, "vm@keyward.demo", DEMO_PASSWORD);
    await page.goto(`${e2e.portal.baseUrl}/attestations/new`);
    await page.getByLabel("Organisation", { exact: true }).selectOption({ label: "Tidewater Consulting" });
    await submitForm(page, "Request", /\/attestations\/[0-9a-f-]{36}\?requested=1/);
    const attUrl = page.url().split("?")[0];
    await signOut(page);

    // The partner admin answers (draft first), uploads evidence, and submits with a signed statement.
    await signIn(page, e2e.portal.baseUrl, "admin@tidewater-consulting.demo", DEMO_PASSWORD);
    await page.goto(`${e2e.portal.baseUrl}/attestations`);
    expect(await page.locator("main").innerText()).toContain("Answer every control");
    await page.goto(attUrl);
    for (const c of DEFAULT_CONTROLS) {
      const field = page.locator(`[name="value:${c.id}"]`);
      if (c.answerKind === "yes_no") await field.selectOption(ANSWERS[c.id]);
      else if (c.answerKind === "choice") await field.selectOption(c.choices![1]);
      else if (c.answerKind === "date") await field.fill("2026-11-20");
      else await field.fill("Aisha Rahman, security lead, +44 20 7946 0001");
    }
    await page.locator('[name="comment:RT-01"]').fill("Rotation is manual today; automation planned for Q1.");
    await submitForm(page, "Save draft", /saved=1/);
    for (const id of ["AC-01", "AC-03"]) {
      await page.getByLabel("Control", { exact: true }).selectOption(id);
      await page.getByLabel("File", { exact: true }).setInputFiles({ name: `${id}.csv`, mimeType: "text/csv", buffer: Buffer.from(`control,check,result\n${id},quarterly review,pass\n`) });
      await submitForm(page, "Upload evidence", /uploaded=1/);
    }
    // The credential roster, one by one: each still needed.
    const roster = await page.locator('select[name="stillNeeded"]').count();
    for (let i = 0; i < roster; i++) {
      await page.locator('select[name="stillNeeded"]').nth(i).selectOption("yes");
      await Promise.all([page.waitForURL(/confirmed=1/), page.getByRole("button", { name: "Confirm", exact: true }).first().click()]);
    }
    await page.getByLabel("Your name").fill("Aisha Rahman");
    await page.getByLabel("Your title").fill("Head of Security");
    await page.getByLabel(/I confirm that the answers/).check();
    await submitForm(page, "Sign and submit", /submitted=1/);
    await signOut(page);

    // The vendor manager asks for clarification on AC-03 only.
    await signIn(page, e2e.portal.baseUrl, "vm@keyward.demo", DEMO_PASSWORD);
    await page.goto(`${e2e.portal.baseUrl}/attestations`);
    await page.getByRole("table", { name: /Submitted, awaiting review/ }).getByRole("link", { name: "Tidewater Consulting" }).waitFor();
    await page.goto(attUrl);
    await page.getByLabel("Question on AC-03").fill("Which secrets manager, and who can read the key?");
    await page.getByLabel(/Ask for clarification/).check();
    await submitForm(page, "Record decision", /clarify=1/);
    await signOut(page);

    // The partner sees the question, answers it, and resubmits.
    await signIn(page, e2e.portal.baseUrl, "admin@tidewater-consulting.demo", DEMO_PASSWORD);
    await page.goto(attUrl);
    await page.getByText("Which secrets manager, and who can read the key?").first().waitFor();
    await page.getByLabel("Your reply on AC-03").fill("HashiCorp Vault; two named engineers hold read access.");
    await submitForm(page, "Send reply", /replied=1/);
    await page.getByLabel("Your name").fill("Aisha Rahman");
    await page.getByLabel("Your title").fill("Head of Security");
    await page.getByLabel(/I confirm that the answers/).check();
    await submitForm(page, "Sign and submit", /submitted=1/);
    await signOut(page);

    // Accepted: the thread is kept, the gap recorded, the receipt downloadable.
    await signIn(page, e2e.portal.baseUrl, "vm@keyward.demo", DEMO_PASSWORD);
    await page.goto(attUrl);
    await page.getByRole("radio", { name: /Accept \(gaps are recorded/ }).check();
    await submitForm(page, "Record decision", /accepted=1/);
    const text = await page.locator("main").innerText();
    expect(text).toContain("HashiCorp Vault; two named engineers hold read access.");
    expect(text).toMatch(/RT-01[\s\S]*Rotation/);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download receipt" }).click()]);
    const file = path.join(e2e.portal.dir, "receipt.jws");
    await download.saveAs(file);
    const receipt = fs.readFileSync(file, "utf8");
    expect(receipt.split(".")).toHaveLength(3);

    // Verified on the public page; one byte changed is rejected.
    await signOut(page);
    await page.goto(`${e2e.portal.baseUrl}/receipts/verify`);
    await page.getByLabel("…or a .jws file").setInputFiles(file);
    await submitForm(page, "Verify", /\/receipts\/verify/);
    await page.getByText("Valid receipt.").waitFor();
    expect(await page.locator("main").innerText()).toContain("Tidewater Consulting");
    const [h, p, s] = receipt.split(".");
    const tampered = `${h}.${p.slice(0, 60)}${p[60] === "A" ? "B" : "A"}${p.slice(61)}.${s}`;
    await page.goto(`${e2e.portal.baseUrl}/receipts/verify`);
    await page.getByLabel("Receipt (paste)").fill(tampered);
    await submitForm(page, "Verify", /\/receipts\/verify/);
    await page.getByText("Not valid.").waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });
});
