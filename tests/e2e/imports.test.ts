import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../app/models/demo-seed.server";
import { launchBrowser, newPage, signIn, signOut, startPortal, type Portal } from "./support";

const ROOT = path.resolve(__dirname, "../..");
const LINES = 45_000; // a few batches (20k events each), so the bar has steps to show
const LAST_IP = "203.0.113.77";
const LAST_UA = "e2e-journey-sdk/2.1";

let portal: Portal;
let browser: Browser;
let keyId: string;

beforeAll(async () => {
  portal = await startPortal((env) => {
    execFileSync(process.execPath, ["--import", "tsx", "scripts/keyward.ts", "seed-demo"], { cwd: ROOT, env, stdio: "ignore" });
    // One of the demo credentials, read the documented way: the CLI's machine-readable inventory.
    const rows = JSON.parse(execFileSync(process.execPath, ["--import", "tsx", "scripts/keyward.ts", "credentials", "--json"], { cwd: ROOT, env, encoding: "utf8" })) as { keyId: string; status: string }[];
    keyId = rows.find((r) => r.status === "active")!.keyId;
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

/** A JSONL gateway log for `keyId`: LINES requests over the last hour, the last one from LAST_IP. */
function writeLog(file: string, end: number) {
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++) {
    const last = i === LINES - 1;
    const ts = new Date(end - (LINES - 1 - i) * 75).toISOString();
    lines.push(
      JSON.stringify({
        ts,
        requestId: `e2e-${i}`,
        keyId: i % 500 === 7 ? "kw_live_unregistered_e2e" : keyId,
        srcIp: last ? LAST_IP : `198.51.100.${(i % 20) + 1}`,
        userAgent: last ? LAST_UA : "model-sdk-python/1.4.2",
        method: "POST",
        path: "/v1/models/atlas-2/messages",
        status: i % 50 === 0 ? 429 : 200,
        bytes: 512 + (i % 97),
        latencyMs: 120 + (i % 300),
      }),
    );
  }
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
}

describe("importing a gateway log from the Imports page", () => {
  it("security uploads a log, watches the progress bar finish, reads the report and sees the credential's last use move", async () => {
    const end = Date.now() - 60_000;
    const file = path.join(portal.dir, "gateway-e2e.jsonl");
    writeLog(file, end);

    const context = await browser.newContext();
    const { page, problems } = await newPage(context);
    await signIn(page, portal.baseUrl, "security@keyward.demo", DEMO_PASSWORD);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Imports" }).click();
    await page.waitForURL(/\/imports$/);
    await page.getByLabel("Log file", { exact: true }).setInputFiles(file);
    await page.getByLabel("Source", { exact: true }).fill("gateway-e2e");
    await Promise.all([page.waitForURL(/\/imports\/[0-9a-f-]{36}$/), page.getByRole("button", { name: "Upload and import" }).click()]);
    const importUrl = page.url();

    // The progress bar is there from the first paint and fills up to done, without reloading the page.
    const bar = page.locator(".import-progress progress");
    await bar.waitFor();
    const seen = new Set<string>();
    const deadline = Date.now() + 60_000;
    for (;;) {
      const value = await bar.getAttribute("value");
      seen.add(value ?? "indeterminate");
      if (value === "1000") break;
      if (Date.now() > deadline) throw new Error(`progress stuck at ${[...seen].join(", ")}`);
      await page.waitForTimeout(50);
    }
    await page.getByRole("status").getByText("completed").waitFor();
    expect(page.url()).toBe(importUrl);

    // The report: counters, time range, the unregistered key, the credential seen.
    const counters = page.locator(".import-counters");
    const counter = async (label: string) => (await counters.locator(".stat", { has: page.getByText(label, { exact: true }) }).locator("dd").innerText()).trim();
    await expect.poll(() => counter("Lines")).toBe(LINES.toLocaleString("en"));
    expect(await counter("Parsed")).toBe(LINES.toLocaleString("en"));
    expect(await counter("Rejected")).toBe("0");
    expect(await counter("Duplicates")).toBe("0");
    const unregistered = Math.ceil((LINES - 7) / 500);
    expect(await counter("Matched to a credential")).toBe((LINES - unregistered).toLocaleString("en"));
    expect(await counter("Unmatched")).toBe(unregistered.toLocaleString("en"));
    const main = await page.locator("main").innerText();
    expect(main).toContain("gateway-e2e");
    expect(main).toContain("kw_live_unregistered_e2e");
    await page.getByRole("table", { name: "Credentials seen" }).getByRole("link", { name: keyId }).waitFor();

    // The history lists it.
    await page.getByRole("link", { name: "Imports", exact: true }).first().click();
    await page.waitForURL(/\/imports$/);
    const row = page.getByRole("table", { name: "Imports" }).locator("tbody tr").first();
    expect(await row.innerText()).toContain("gateway-e2e");
    expect(await row.innerText()).toContain("completed");

    // The credential's last use is the log's last request: its time, IP and user agent.
    await page.goto(`${portal.baseUrl}/credentials/${encodeURIComponent(keyId)}`);
    const lastUsed = page.locator("dt", { hasText: "Last used" }).locator("xpath=following-sibling::dd[1]");
    const text = await lastUsed.innerText();
    expect(text).toContain(`${new Date(end).toISOString().slice(0, 16).replace("T", " ")} UTC`);
    expect(text).toContain(LAST_IP);
    expect(text).toContain(LAST_UA);

    expect(problems).toEqual([]);
    await signOut(page);
    await context.close();
  });
});
