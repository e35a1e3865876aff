import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { http, HttpResponse } from "msw";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../app/models/demo-seed.server";
import { server } from "../mocks/server";
import { launchBrowser, newPage, signIn, signOut, startPortal, type Portal } from "./support";

// Issue 7's journey: a gateway log with an enumeration attack is imported → the flag is in the queue →
// security opens it, sees the timeline and suspends the credential → the gateway's webhook receives the
// suspension (the portal's outbox delivered from this process, against the portal's database, through
// msw) → the partner admin sees the flag on its credential and responds.

const ROOT = path.resolve(__dirname, "../..");
const GATEWAY = "https://gateway.example.test/keyward-hook";
const cli = (env: NodeJS.ProcessEnv, args: string[]) => execFileSync(process.execPath, ["--import", "tsx", "scripts/keyward.ts", ...args], { cwd: ROOT, env, encoding: "utf8" });

let portal: Portal;
let browser: Browser;
let keyId: string;
let orgSlug: string;

beforeAll(async () => {
  portal = await startPortal((env) => {
    cli(env, ["seed-demo"]);
    const rows = JSON.parse(cli(env, ["credentials", "--json"])) as { keyId: string; status: string; org: string }[];
    const mine = rows.find((r) => r.status === "active" && r.org === "northwind")!;
    keyId = mine.keyId;
    orgSlug = mine.org;
  });
  // This process talks to the portal's own database (WAL: both may read and write).
  process.env.KEYWARD_DB = portal.env.KEYWARD_DB;
  process.env.KEYWARD_DATA = portal.env.KEYWARD_DATA;
  const { getDb } = await import("../../db/client");
  const { webhooks } = await import("../../db/schema");
  getDb().insert(webhooks).values({ name: "gateway admin", url: GATEWAY, events: ["credential.suspended"], secret: "e2e-gateway-secret", orgId: null }).run();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  const { closeDb } = await import("../../db/client");
  closeDb();
  await portal?.stop();
});

/** 25 distinct API paths in 4 minutes with the partner's valid key, all but the first answered 404. */
function writeAttackLog(file: string, end: number) {
  const paths = ["/v1/models", "/v1/files", "/v1/batches", "/v1/embeddings", "/v1/completions", "/v1/chat/completions", "/v1/assistants", "/v1/threads", "/v1/vector_stores", "/v1/images", "/v1/audio", "/v1/moderations", "/v1/fine_tuning/jobs", "/v1/uploads", "/v1/responses", "/v1/realtime", "/v1/organization", "/v1/projects", "/v1/evals", "/v1/containers", "/v1/tools", "/v1/prompts", "/v1/agents", "/v1/deployments", "/v1/checkpoints"];
  const lines = paths.map((p, i) =>
    JSON.stringify({ ts: new Date(end - (paths.length - 1 - i) * 10_000).toISOString(), requestId: `enum-${i}`, keyId, srcIp: "203.0.113.66", userAgent: "python-requests/2.32.3", method: "GET", path: p, status: i === 0 ? 200 : 404, bytes: 120, latencyMs: 9 }),
  );
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
}

describe("flags: from an enumeration in the logs to a suspended key and the partner's answer", () => {
  it("security triages and suspends; the gateway hears it; the partner admin responds", async () => {
    const file = path.join(portal.dir, "enumeration.jsonl");
    writeAttackLog(file, Date.now() - 5 * 60_000);
    const summary = JSON.parse(cli(portal.env, ["import-logs", file, "--source", "gateway-e2e", "--json"])) as { flagsRaised: number };
    expect(summary.flagsRaised).toBeGreaterThan(0);

    const sec = await browser.newContext();
    const { page, problems } = await newPage(sec);
    await signIn(page, portal.baseUrl, "security@keyward.demo", DEMO_PASSWORD);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Flags" }).click();
    await page.waitForURL(/\/flags$/);
    await page.getByRole("heading", { level: 1, name: "Flags" }).waitFor();
    await page.getByRole("combobox", { name: "Rule", exact: true }).selectOption("path_enumeration");
    await Promise.all([page.waitForURL(/rule=path_enumeration/), page.getByRole("button", { name: "Filter" }).click()]);
    const row = page.getByRole("table", { name: "Flags" }).locator("tbody tr", { hasText: keyId });
    await Promise.all([page.waitForURL(/\/flags\/[0-9a-f-]{36}$/), row.getByRole("link", { name: "path_enumeration" }).click()]);
    const flagUrl = page.url();

    // The timeline: an SVG chart of requests over time with 4xx bars, and the requests behind it.
    const chart = page.locator("figure.flag-timeline svg[role=img]");
    await chart.waitFor();
    expect(await chart.locator("rect.tl-client").count()).toBeGreaterThan(0);
    expect(await page.getByRole("table", { name: "Requests behind the flag" }).locator("tbody tr").count()).toBe(25);

    // Suspend the credential from the flag.
    const suspend = page.locator("form", { has: page.getByRole("heading", { name: "Suspend the credential" }) });
    await suspend.getByLabel("Reason").fill("Enumerating the API with a partner key");
    await Promise.all([page.waitForURL(/done=/), suspend.getByRole("button", { name: "Suspend the credential" }).click()]);
    await page.getByRole("status").getByText(`Credential ${keyId} suspended`).waitFor();
    expect(problems).toEqual([]);
    await signOut(page);
    await sec.close();

    // The gateway's admin webhook receives the suspension (delivered from the portal's outbox).
    const received: { event: string; data: { keyId: string; reason: string } }[] = [];
    server.use(
      http.post(GATEWAY, async ({ request }) => {
        received.push((await request.json()) as (typeof received)[number]);
        return HttpResponse.json({ ok: true });
      }),
    );
    const { deliverDueOutbox } = await import("../../app/models/outbox.server");
    // msw only while delivering: the browser and the health check talk to the real portal.
    server.listen({ onUnhandledRequest: "error" });
    const run = await deliverDueOutbox().finally(() => server.close());
    expect(run.delivered).toBeGreaterThanOrEqual(1);
    expect(received).toEqual([expect.objectContaining({ event: "credential.suspended", data: expect.objectContaining({ keyId, reason: expect.stringContaining("Enumerating the API") }) })]);

    // The partner admin sees the flag on its credential and responds; the response shows on the flag.
    const partner = await browser.newContext();
    const p = await newPage(partner);
    await signIn(p.page, portal.baseUrl, `admin@${orgSlug}.demo`, DEMO_PASSWORD);
    await p.page.goto(`${portal.baseUrl}/credentials/${encodeURIComponent(keyId)}`);
    const flags = p.page.locator("section", { has: p.page.getByRole("heading", { name: "Flags", exact: true }) });
    await Promise.all([p.page.waitForURL(/\/flags\/[0-9a-f-]{36}$/), flags.getByRole("link", { name: "path_enumeration" }).click()]);
    expect(p.page.url()).toBe(flagUrl);
    expect(await p.page.locator("main").innerText()).toMatch(/suspended/i); // the thread tells the partner what security did
    await p.page.getByRole("textbox", { name: "Response" }).fill("A contractor ran an API explorer against production by mistake; the key is being rotated.");
    await Promise.all([p.page.waitForURL(/done=/), p.page.getByRole("button", { name: "Send response" }).click()]);
    await p.page.getByText("A contractor ran an API explorer against production by mistake").waitFor();
    expect(await p.page.getByRole("button", { name: "Acknowledge" }).count()).toBe(0);
    expect(p.problems).toEqual([]);
    await partner.close();
  });
});
