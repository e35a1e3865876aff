import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { credentials, logImports } from "../../db/schema";
import { login, request } from "../support/app";
import { createOrg, createUser } from "../support/factories";
import { createCredential, uniqueKeyId } from "../support/credential-factory";

const html = async (res: Response | Promise<Response>) => (await (await res).text()).replace(/<!-- -->/g, "").replace(/&#x27;/g, "'");
const T0 = Date.parse("2026-11-20T10:00:00Z");

async function postMultipart(pathname: string, cookie: string, fields: Record<string, string | { name: string; content: string }>) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === "string") form.append(k, v);
    else form.append(k, new Blob([v.content], { type: "application/octet-stream" }), v.name);
  }
  return request(pathname, { body: form, cookie });
}

function jsonl(keyId: string, n: number) {
  let out = "";
  for (let i = 0; i < n; i++) {
    const last = i === n - 1;
    out += `${JSON.stringify({ ts: new Date(T0 + i * 1000).toISOString(), requestId: `r-${keyId}-${i}`, keyId: i % 10 === 3 ? "kw_ghost_route" : keyId, srcIp: last ? "203.0.113.77" : "198.51.100.7", userAgent: "model-sdk/1.0", method: "POST", path: "/v1/models/atlas-2/messages", status: 200 })}\n`;
  }
  return out;
}

async function pollUntilDone(id: string, cookie: string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await request(`/imports/${id}/progress`, { cookie });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    if (body.done) return body;
    if (Date.now() > deadline) throw new Error(`import ${id} did not finish: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const uploadsDir = () => path.join(process.env.KEYWARD_DATA!, "uploads");
const uploadedFiles = () => (fs.existsSync(uploadsDir()) ? fs.readdirSync(uploadsDir()) : []);

let security: string;
let auditor: string;
let vendorManager: string;
let partner: string;

beforeAll(async () => {
  const u = async (role: "security" | "auditor" | "vendor_manager") => {
    const user = await createUser({ role });
    return login(user.email, user.password);
  };
  security = await u("security");
  auditor = await u("auditor");
  vendorManager = await u("vendor_manager");
  const org = createOrg();
  const p = await createUser({ role: "partner_admin", orgId: org.id });
  partner = await login(p.email, p.password);
});

describe("the Imports page: access", () => {
  it("refuses partner users the history, a report and its progress (403)", async () => {
    const id = crypto.randomUUID();
    getDb().insert(logImports).values({ id, source: "gateway-eu", format: "jsonl", via: "cli", status: "completed" }).run();
    expect((await request("/imports", { cookie: partner })).status).toBe(403);
    expect((await request(`/imports/${id}`, { cookie: partner })).status).toBe(403);
    expect((await request(`/imports/${id}/progress`, { cookie: partner })).status).toBe(403);
    expect((await request(`/imports/${id}`, { cookie: auditor })).status).toBe(200);
  });

  it("lets an auditor and a vendor manager read the history but not upload (403, nothing written)", async () => {
    for (const cookie of [auditor, vendorManager]) {
      const page = await request("/imports", { cookie });
      expect(page.status).toBe(200);
      const text = await html(page);
      expect(text).toContain("Gateway log imports");
      expect(text).not.toContain("Upload and import");
      const before = uploadedFiles().length;
      const res = await postMultipart("/imports", cookie, { file: { name: "gw.log", content: jsonl("kw_x", 3) }, format: "auto" });
      expect(res.status).toBe(403);
      expect(uploadedFiles().length).toBe(before);
    }
  });

  it("answers 404 for an unknown import, on the report and on its progress", async () => {
    const unknown = crypto.randomUUID();
    expect((await request(`/imports/${unknown}`, { cookie: auditor })).status).toBe(404);
    expect((await request(`/imports/${unknown}/progress`, { cookie: auditor })).status).toBe(404);
    expect((await request("/imports/not-an-id", { cookie: auditor })).status).toBe(404);
  });
});

describe("uploading a log", () => {
  it("streams the file to disk, queues the import, redirects to its report, and runs it in the background to completion", async () => {
    const org = createOrg();
    const keyId = uniqueKeyId("kw_live");
    const cred = createCredential(org.id, { keyId });
    const res = await postMultipart("/imports", security, { file: { name: "gateway-eu-2026-11-20.jsonl", content: jsonl(keyId, 40) }, source: "", format: "auto" });
    expect(res.status).toBe(302);
    const location = res.headers.get("Location")!;
    expect(location).toMatch(/^\/imports\/[0-9a-f-]{36}$/);
    const id = location.split("/").pop()!;

    const row = getDb().select().from(logImports).where(eq(logImports.id, id)).get()!;
    expect(row).toMatchObject({ via: "upload", fileName: "gateway-eu-2026-11-20.jsonl", source: "gateway-eu-2026-11-20.jsonl", sizeBytes: Buffer.byteLength(jsonl(keyId, 40)) });
    expect(row.sha256).toMatch(/^[0-9a-f]{64}$/);

    const done = await pollUntilDone(id, auditor);
    expect(done).toMatchObject({ status: "completed", progress: 1000, lines: 40, parsed: 40, rejected: 0, duplicates: 0, matched: 36, unmatched: 4, secretsStripped: 0 });

    const c = getDb().select().from(credentials).where(eq(credentials.id, cred.id)).get()!;
    expect(c.lastUsedAt!.getTime()).toBe(T0 + 39_000);
    expect(c.lastUsedIp).toBe("203.0.113.77");
    // The uploaded file is removed once imported (just after the row says completed).
    for (let i = 0; uploadedFiles().includes(`${id}.log`) && i < 100; i++) await new Promise((r) => setTimeout(r, 10));
    expect(uploadedFiles()).not.toContain(`${id}.log`);

    const report = await html(request(`/imports/${id}`, { cookie: auditor }));
    expect(report).toContain("completed");
    expect(report).toMatch(/<progress[^>]*value="1000"[^>]*max="1000"/);
    expect(report).toContain("kw_ghost_route");
    expect(report).toContain(`/credentials/${keyId}`);
    expect(report).not.toMatch(/<button[^>]*>Resume<\/button>/);
    expect(report).not.toMatch(/ style="/);

    const history = await html(request("/imports", { cookie: auditor }));
    expect(history).toContain(`/imports/${id}`);
    expect(history).toContain("gateway-eu-2026-11-20.jsonl");
  });

  it("uses the source name given, and reports the secrets it stripped with their field names", async () => {
    const line = (i: number) => JSON.stringify({ ts: new Date(T0 + i * 1000).toISOString(), requestId: `sec-${i}`, keyId: "kw_sec_route", srcIp: "198.51.100.9", method: "GET", path: "/v1/models", status: 200, headers: { authorization: "Bearer sk-live-abcdef0123456789" } });
    const res = await postMultipart("/imports", security, { file: { name: "leaky.jsonl", content: `${line(1)}\n${line(2)}\n` }, source: "gateway-us", format: "jsonl" });
    expect(res.status).toBe(302);
    const id = res.headers.get("Location")!.split("/").pop()!;
    const done = await pollUntilDone(id, security);
    expect(done).toMatchObject({ status: "completed", parsed: 2, secretsStripped: 2 });
    // The upload is removed just after the row says completed: wait, so the next test counts files on a quiet folder.
    for (let i = 0; uploadedFiles().includes(`${id}.log`) && i < 100; i++) await new Promise((r) => setTimeout(r, 10));
    const row = getDb().select().from(logImports).where(eq(logImports.id, id)).get()!;
    expect(row.source).toBe("gateway-us");
    const report = await html(request(`/imports/${id}`, { cookie: security }));
    expect(row.secretsStripped).toBe(2);
    expect(Object.keys(row.secretFields)).toEqual(["headers.authorization"]);
    expect(report).toContain("Secret material was found in 2 lines");
    expect(report).toContain("headers.authorization");
    expect(report).toContain("Fix the gateway's logging");
    expect(report).not.toContain("sk-live-abcdef0123456789");
  });

  it("refuses an empty file or no file with a clear message (400), keeping nothing", async () => {
    const before = uploadedFiles().length;
    const empty = await postMultipart("/imports", security, { file: { name: "empty.log", content: "" }, source: "gateway-eu", format: "auto" });
    expect(empty.status).toBe(400);
    const body = await html(empty);
    expect(body).toContain("empty.log is empty: there is nothing to import.");
    expect(body).toContain('value="gateway-eu"'); // what was typed is kept
    const none = await postMultipart("/imports", security, { source: "gateway-eu", format: "auto" });
    expect(none.status).toBe(400);
    expect(await html(none)).toContain("Choose a log file to upload.");
    const badFormat = await postMultipart("/imports", security, { file: { name: "a.log", content: "x\n" }, format: "syslog" });
    expect(badFormat.status).toBe(400);
    expect(await html(badFormat)).toContain("Choose auto or one of");
    const urlencoded = await request("/imports", { cookie: security, form: { source: "x" } });
    expect(urlencoded.status).toBe(400);
    expect(uploadedFiles().length).toBe(before);
  });

  it("shows a failed import with its reason and a Resume button (security only) while the file is on disk", async () => {
    const res = await postMultipart("/imports", security, { file: { name: "notes.txt", content: "dear diary\nnothing to see\n" }, format: "auto" });
    expect(res.status).toBe(302);
    const id = res.headers.get("Location")!.split("/").pop()!;
    expect(await pollUntilDone(id, security)).toMatchObject({ status: "failed", error: expect.stringMatching(/Could not recognise the log format/) });
    const page = await html(request(`/imports/${id}`, { cookie: security }));
    expect(page).toContain("Could not recognise the log format");
    expect(page).toMatch(/<button[^>]*>Resume<\/button>/);
    expect(await html(request(`/imports/${id}`, { cookie: auditor }))).not.toMatch(/<button[^>]*>Resume<\/button>/);
    expect((await request(`/imports/${id}`, { cookie: auditor, form: { intent: "resume" } })).status).toBe(403);
    // Resuming runs it again (and fails again the same way: the file is not a gateway log).
    const resumed = await request(`/imports/${id}`, { cookie: security, form: { intent: "resume" } });
    expect(resumed.status).toBe(302);
    expect(resumed.headers.get("Location")).toBe(`/imports/${id}?resumed=1`);
    expect(await pollUntilDone(id, security)).toMatchObject({ status: "failed" });
  });
});
