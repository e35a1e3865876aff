import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { login, request } from "../support/app";
import { createOrg, createUser } from "../support/factories";
import { insertWebhook } from "../support/outbox-factory";

const PAGE = "/settings/webhooks";
const raw = () => getDb().$client;
type HookRow = { id: string; name: string; url: string; events: string; secret: string; org_id: string | null; active: number };
const hookNamed = (name: string) => raw().prepare("SELECT * FROM webhooks WHERE name = ?").get(name) as HookRow | undefined;
const unique = (prefix: string) => `${prefix} ${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

async function signIn(role: "vendor_manager" | "security" | "auditor" | "partner_admin" | "partner_member", orgId?: string) {
  const u = await createUser({ role, orgId: orgId ?? null });
  return { ...u, cookie: await login(u.email, u.password) };
}

const validForm = (name: string, extra: Record<string, string | string[]> = {}) => ({
  intent: "create",
  name,
  url: "https://gateway.example.test/keyward/events",
  events: ["credential.revoked", "credential.suspended"],
  ...extra,
});

describe("/settings/webhooks access", () => {
  it("refuses partner and contractor users with 403, on GET and POST, and creates nothing", async () => {
    const partner = createOrg({ kind: "partner" });
    const contractor = createOrg({ kind: "contractor", parentId: partner.id });
    for (const user of [await signIn("partner_admin", partner.id), await signIn("partner_member", partner.id), await signIn("partner_admin", contractor.id)]) {
      expect((await request(PAGE, { cookie: user.cookie })).status).toBe(403);
      const name = unique("sneaky");
      const res = await request(PAGE, { cookie: user.cookie, form: validForm(name, { orgSlug: partner.slug }) });
      expect(res.status).toBe(403);
      expect(hookNamed(name)).toBeUndefined();
    }
  });

  it("lets an auditor read the page but not change it", async () => {
    const auditor = await signIn("auditor");
    const hook = insertWebhook({ url: "https://gateway.example.test/ro", name: unique("Read only") });
    const res = await request(PAGE, { cookie: auditor.cookie });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(hook.name);
    expect(html).not.toContain("Add an endpoint");
    expect(html).not.toContain(hook.secret);
    expect((await request(PAGE, { cookie: auditor.cookie, form: { intent: "delete", id: hook.id } })).status).toBe(403);
    expect(hookNamed(hook.name)).toBeDefined();
  });

  it("sends an anonymous visitor to sign in", async () => {
    const res = await request(PAGE);
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toContain("/login");
  });
});

describe("creating an endpoint", () => {
  it("shows the generated secret once to security, stores it, audits without it, and never shows it again", async () => {
    const sec = await signIn("security");
    const name = unique("Gateway admin");
    const res = await request(PAGE, { cookie: sec.cookie, form: validForm(name) });
    expect(res.status).toBe(200);
    const html = await res.text();
    const row = hookNamed(name)!;
    expect(row).toMatchObject({ url: "https://gateway.example.test/keyward/events", org_id: null, active: 1 });
    expect(JSON.parse(row.events)).toEqual(["credential.revoked", "credential.suspended"]);
    expect(row.secret).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
    expect(Buffer.from(row.secret, "base64url")).toHaveLength(32);
    expect(html).toContain(row.secret);
    expect(html).toContain("shown only once");

    const later = await request(PAGE, { cookie: sec.cookie });
    expect(later.status).toBe(200);
    const laterHtml = await later.text();
    expect(laterHtml).toContain(name);
    expect(laterHtml).toContain("Gateway / internal (all organisations)");
    expect(laterHtml).not.toContain(row.secret);

    const audit = raw().prepare("SELECT * FROM audit_log WHERE action = 'webhook.created' AND target_id = ?").get(row.id) as { details: string; actor_email: string };
    expect(audit.actor_email).toBe(sec.email);
    expect(audit.details).not.toContain(row.secret);
  });

  it("lets a vendor manager create a partner's endpoint with every event, and accepts http:// for localhost", async () => {
    const vm = await signIn("vendor_manager");
    const partner = createOrg({ kind: "partner" });
    const name = unique("Partner hook");
    const res = await request(PAGE, { cookie: vm.cookie, form: validForm(name, { url: "http://localhost:8080/hooks", events: ["*", "credential.revoked"], orgSlug: partner.slug }) });
    expect(res.status).toBe(200);
    const row = hookNamed(name)!;
    expect(row.org_id).toBe(partner.id);
    expect(JSON.parse(row.events)).toEqual(["*"]);
    expect(await (await request(PAGE, { cookie: vm.cookie })).text()).toContain(partner.name);

    const local = unique("Local");
    expect((await request(PAGE, { cookie: vm.cookie, form: validForm(local, { url: "http://127.0.0.1:9000/k" }) })).status).toBe(200);
    expect(hookNamed(local)).toBeDefined();
  });

  it("refuses a plain http:// URL to another host with a 400 and a message, keeping what was typed", async () => {
    const vm = await signIn("vendor_manager");
    for (const url of ["http://gateway.example.test/keyward", "ftp://gateway.example.test/x", "not a url", "https://user:pw@gateway.example.test/x"]) {
      const name = unique("Insecure");
      const res = await request(PAGE, { cookie: vm.cookie, form: validForm(name, { url }) });
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toMatch(/Use an https:\/\/ URL|Enter a full URL|Do not put a user name or password in the URL/);
      expect(html).toContain(name);
      expect(hookNamed(name)).toBeUndefined();
    }
    const res = await request(PAGE, { cookie: vm.cookie, form: validForm(unique("Insecure"), { url: "http://gateway.example.test/keyward" }) });
    expect(await res.text()).toContain("plain http:// is allowed only for localhost and 127.0.0.1");
  });

  it("refuses no events or an unknown event with a 400 and a message", async () => {
    const vm = await signIn("security");
    const none = unique("No events");
    const { events: _events, ...withoutEvents } = validForm(none);
    const res1 = await request(PAGE, { cookie: vm.cookie, form: withoutEvents });
    expect(res1.status).toBe(400);
    expect(await res1.text()).toContain("Pick at least one event");
    expect(hookNamed(none)).toBeUndefined();

    const bad = unique("Bad events");
    const res2 = await request(PAGE, { cookie: vm.cookie, form: validForm(bad, { events: ["credential.revoked", "credential.hacked"] }) });
    expect(res2.status).toBe(400);
    expect(await res2.text()).toContain("Unknown event: credential.hacked");
    expect(hookNamed(bad)).toBeUndefined();
  });

  it("refuses an unknown organisation", async () => {
    const vm = await signIn("vendor_manager");
    const name = unique("Ghost org");
    const res = await request(PAGE, { cookie: vm.cookie, form: validForm(name, { orgSlug: "no-such-org" }) });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Unknown organisation");
    expect(hookNamed(name)).toBeUndefined();
  });
});

describe("managing endpoints and deliveries", () => {
  it("pauses, resumes and deletes an endpoint (with its deliveries), audited", async () => {
    const vm = await signIn("vendor_manager");
    const hook = insertWebhook({ url: "https://gateway.example.test/m", name: unique("Managed") });
    raw().prepare("INSERT INTO outbox (webhook_id, event, payload, status, attempts, next_attempt_at, created_at) VALUES (?, 'credential.revoked', '{}', 'dead', 8, 0, 0)").run(hook.id);

    const paused = await request(PAGE, { cookie: vm.cookie, form: { intent: "deactivate", id: hook.id } });
    expect(paused.status).toBe(302);
    expect(hookNamed(hook.name)!.active).toBe(0);
    expect(await (await request(paused.headers.get("Location")!, { cookie: vm.cookie })).text()).toContain("is paused");
    await request(PAGE, { cookie: vm.cookie, form: { intent: "activate", id: hook.id } });
    expect(hookNamed(hook.name)!.active).toBe(1);

    const deleted = await request(PAGE, { cookie: vm.cookie, form: { intent: "delete", id: hook.id } });
    expect(deleted.status).toBe(302);
    expect(hookNamed(hook.name)).toBeUndefined();
    expect(raw().prepare("SELECT count(*) AS n FROM outbox WHERE webhook_id = ?").get(hook.id)).toEqual({ n: 0 });
    const actions = (raw().prepare("SELECT action FROM audit_log WHERE target_id = ? ORDER BY id").all(hook.id) as { action: string }[]).map((a) => a.action);
    expect(actions).toEqual(["webhook.deactivated", "webhook.activated", "webhook.deleted"]);

    expect((await request(PAGE, { cookie: vm.cookie, form: { intent: "delete", id: hook.id } })).status).toBe(404);
  });

  it("lists deliveries with their status and redelivers a dead one", async () => {
    const sec = await signIn("security");
    const hook = insertWebhook({ url: "https://gateway.example.test/d", name: unique("Deliveries") });
    const { lastInsertRowid } = raw()
      .prepare("INSERT INTO outbox (webhook_id, event, payload, status, attempts, next_attempt_at, last_status, last_error, created_at) VALUES (?, 'credential.suspended', '{}', 'dead', 8, 0, 503, 'HTTP 503 Service Unavailable', 0)")
      .run(hook.id);
    const page = await (await request(`${PAGE}?webhook=${hook.id}`, { cookie: sec.cookie })).text();
    expect(page).toContain("credential.suspended");
    expect(page).toContain("HTTP 503 Service Unavailable");
    expect(page).toContain("Redeliver");

    const res = await request(PAGE, { cookie: sec.cookie, form: { intent: "redeliver", id: String(lastInsertRowid) } });
    expect(res.status).toBe(302);
    expect(raw().prepare("SELECT status, attempts FROM outbox WHERE id = ?").get(lastInsertRowid)).toEqual({ status: "pending", attempts: 0 });
    const again = await request(PAGE, { cookie: sec.cookie, form: { intent: "redeliver", id: String(lastInsertRowid) } });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("still queued");
    expect((await request(PAGE, { cookie: sec.cookie, form: { intent: "redeliver", id: "999999" } })).status).toBe(404);
  });

  it("documents how to verify a signature", async () => {
    const sec = await signIn("security");
    const html = await (await request(PAGE, { cookie: sec.cookie })).text();
    for (const header of ["X-Keyward-Signature", "X-Keyward-Timestamp", "X-Keyward-Delivery", "X-Keyward-Event", "Keyward-Webhooks/1"]) expect(html).toContain(header);
    expect(html).toContain("HMAC-SHA256");
  });
});
