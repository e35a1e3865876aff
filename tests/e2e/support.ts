import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { totpCode, TOTP_PERIOD_SECONDS } from "../../app/domain/two-factor";
import { DEMO_TOTP_SECRET } from "../../app/models/demo-seed-account.server";
import { afterAll, beforeAll } from "vitest";

// e2e: the real server (scripts/serve.ts over the built app) on a free port with its own database,
// driven by Debian's Chromium through playwright-core. Never downloads a browser.

export const CHROMIUM = process.env.KEYWARD_CHROMIUM ?? "/usr/bin/chromium";
const ROOT = path.resolve(__dirname, "../..");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export type Portal = { baseUrl: string; dir: string; env: NodeJS.ProcessEnv; stop: () => Promise<void>; logs: () => string };

/** Starts the portal on a fresh database; `prepare` runs first (e.g. CLI commands creating users). */
/** The portal on a fresh database holding the demo data (`keyward seed-demo`). */
export function startDemoPortal(): Promise<Portal> {
  return startPortal((env) => {
    execFileSync(process.execPath, ["--import", "tsx", "scripts/keyward.ts", "seed-demo"], { cwd: ROOT, env, stdio: "ignore" });
  });
}

export async function startPortal(prepare?: (env: NodeJS.ProcessEnv) => Promise<void> | void): Promise<Portal> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-e2e-"));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production" as const, PORT: String(port), KEYWARD_DB: path.join(dir, "keyward.db"), KEYWARD_DATA: path.join(dir, "data"), KEYWARD_BASE_URL: `http://localhost:${port}` };
  if (prepare) await prepare(env);
  let output = "";
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "scripts/serve.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const baseUrl = `http://localhost:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`portal exited early:\n${output}`);
    try {
      const res = await fetch(`${baseUrl}/healthz`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`portal did not start in 30 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseUrl,
    dir,
    env,
    logs: () => output,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install chromium). e2e tests do not skip.`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
}

/** A page that records console errors and CSP violations, so a test can assert there were none. */
export async function newPage(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (msg) => {
    // Expected 4xx answers (a refused form, a 404 page) are not problems; CSP violations and script errors are.
    if (msg.type() === "error" && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text())) problems.push(msg.text());
  });
  page.on("pageerror", (err) => problems.push(String(err)));
  return { page, problems };
}

/** TOTP secrets of the accounts signIn enrolled (by email); demo internal accounts use DEMO_TOTP_SECRET. */
const enrolledSecrets = new Map<string, string>();
/** The last TOTP step signIn used per account: the portal accepts a code once, so the next sign-in needs a later step. */
const lastStepUsed = new Map<string, number>();
const STEP_MS = TOTP_PERIOD_SECONDS * 1000;

/** A time whose TOTP step this account has not used yet (the next step is accepted early; beyond that, wait). */
async function unusedStepTime(email: string): Promise<number> {
  const now = Math.floor(Date.now() / STEP_MS);
  const step = Math.max(now, (lastStepUsed.get(email) ?? -Infinity) + 1);
  if (step > now + 1) await new Promise((r) => setTimeout(r, (step - 1) * STEP_MS - Date.now() + 200));
  lastStepUsed.set(email, step);
  return step * STEP_MS + 1;
}

/**
 * Signs in through the login page, with the second step when asked for a code (the code computed from
 * the account's secret, as an authenticator app would), and enrolment when the role requires a second
 * factor the account does not have yet (the manual key read from the page; the recovery codes skipped).
 */
export async function signIn(page: Page, baseUrl: string, email: string, password: string, totpSecret?: string) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await Promise.all([page.waitForURL(/\/(dashboard|login\/two-factor|account\/two-factor)/), page.getByRole("button", { name: "Sign in" }).click()]);
  if (page.url().includes("/login/two-factor")) {
    const secret = totpSecret ?? enrolledSecrets.get(email) ?? DEMO_TOTP_SECRET;
    await page.getByRole("textbox", { name: "Code", exact: true }).fill(totpCode(secret, await unusedStepTime(email)));
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.getByRole("button", { name: "Verify" }).click()]);
  }
  if (page.url().includes("/account/two-factor")) {
    const secret = ((await page.getByTestId("totp-key").textContent()) ?? "").replace(/\s+/g, "");
    enrolledSecrets.set(email, secret);
    await page.getByRole("textbox", { name: "Code", exact: true }).fill(totpCode(secret, await unusedStepTime(email)));
    await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
    await page.getByRole("link", { name: /I have saved my codes/ }).click();
  }
  await page.waitForURL(/\/dashboard/);
}

export async function signOut(page: Page) {
  await Promise.all([page.waitForURL(/\/login/), page.getByRole("button", { name: "Sign out" }).click()]);
}

/** A demo portal and a browser for the whole file: started before its tests, stopped after them. */
export function demoPortalAndBrowser() {
  const e2e = {} as { portal: Portal; browser: Browser };
  beforeAll(async () => {
    e2e.portal = await startDemoPortal();
    e2e.browser = await launchBrowser();
  });
  afterAll(async () => {
    await e2e.browser?.close();
    await e2e.portal?.stop();
  });
  return e2e;
}
