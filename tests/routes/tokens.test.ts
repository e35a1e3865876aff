import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { login, request } from "../support/app";
import { createOrg, createUser } from "../support/factories";

const PAGE = "/settings/tokens";
const raw = () => getDb().$client;
type TokenRow = { id: string; name: string; scope: string; source: string; created_by_id: string; expires_at: number; created_at: number; revoked_at: number | null; revoked_by_id: string | null; last_used_at: number | null };
const tokenNamed = (name: string) => raw().prepare("SELECT * FROM api_tokens WHERE name = ?").get(name) as TokenRow | undefined;
const unique = (prefix: string) => `${prefix} ${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const DAY = 86_400_000;

async function signIn(role: "vendor_manager" | "security" | "auditor" | "partner_admin" | "partner_member", orgId?: string) {
  const u = await createUser({ role, orgId: orgId ?? null });
  return { ...u, cookie: await login(u.email, u.password) };
}

const createForm = (name: string, extra: Record<string, string> = {}) => ({ intent: "create", name, source: "gateway-eu", scope: "logs:write", expiresInDays: "90", ...extra });

/** The JWT shown on the page (a copy box holds it). */
function shownToken(html: string): string {
  const m = /value="(eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)"/.exec(html);
  if (!m) throw new Error("no token on the page");
  return m[1];
}

const pushWith = (token: string) =>
  request("/api/v1/logs", {
    method: "POST",
    origin: null,
    headers: { Authorization: `Bearer ${token}` },
  });

describe("/settings/tokens access", () => {
  it("refuses partner and contractor users with 403 on GET and POST, and creates nothing", async () => {
    const partner = createOrg({ kind: "partner" });
    const contractor = createOrg({ kind: "contractor", parentId: partner.id });
    for (const user of [await signIn("partner_admin", partner.id), await signIn("partner_member", partner.id), await signIn("partner_admin", contractor.id)]) {
      expect((await request(PAGE, { cookie: user.cookie })).status).toBe(403);
      const name = unique("sneaky");
      expect((await request(PAGE, { cookie: user.cookie, form: createForm(name) })).status).toBe(403);
      expect(tokenNamed(name)).toBeUndefined();
    }
  });

  it("lets an auditor read the list but neither create nor revoke; a vendor manager cannot either", async () => {
    const sec = await signIn("security");
    const name = unique("Listed");
    expect((await request(PAGE, { cookie: sec.cookie, form: createForm(name) })).status).toBe(200);
    const row = tokenNamed(name)!;

    const auditor = await signIn("auditor");
    const res = await request(PAGE, { cookie: auditor.cookie });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(name);
    expect(html).not.toContain("New token");
    expect(html).not.toContain(">Revoke<");
    expect((await request(PAGE, { cookie: auditor.cookie, form: { intent: "revoke", id: row.id } })).status).toBe(403);
    expect(tokenNamed(name)!.revoked_at).toBeNull();

    const vm = await signIn("vendor_manager");
    expect((await request(PAGE, { cookie: vm.cookie })).status).toBe(403);
    expect((await request(PAGE, { cookie: vm.cookie, form: createForm(unique("vm")) })).status).toBe(403);
  });

  it("sends an anonymous visitor to sign in", async () => {
    const res = await request(PAGE);
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toContain("/login");
  });
});

describe("creating a token", () => {
  it("shows the token once with a curl example, never stores it, lists it afterwards, and it works on the API", async () => {
    const sec = await signIn("security");
    const name = unique("Vector eu-1");
    const before = Date.now();
    const res = await request(PAGE, { cookie: sec.cookie, form: createForm(name, { expiresInDays: "30" }) });
    expect(res.status).toBe(200);
    expect(res.headers.get("Location")).toBeNull();
    const html = await res.text();
    const token = shownToken(html);
    expect(html).toContain("shown only once");
    expect(html).toContain("curl");
    expect(html).toContain("Authorization: Bearer $KEYWARD_TOKEN");
    expect(html).toContain("/api/v1/logs");

    const row = tokenNamed(name)!;
    expect(row).toMatchObject({ scope: "logs:write", source: "gateway-eu", created_by_id: sec.id, revoked_at: null, last_used_at: null });
    expect(row.expires_at - before).toBeGreaterThanOrEqual(30 * DAY - 1000);
    expect(row.expires_at - before).toBeLessThan(30 * DAY + 60_000);
    const signature = token.split(".")[2];
    expect(JSON.stringify(raw().prepare("SELECT * FROM api_tokens").all())).not.toContain(signature);
    expect(JSON.stringify(raw().prepare("SELECT * FROM audit_log").all())).not.toContain(signature);
    const audit = raw().prepare("SELECT actor_email, details FROM audit_log WHERE action = 'token.created' AND target_id = ?").get(row.id) as { actor_email: string; details: string };
    expect(audit.actor_email).toBe(sec.email);
    expect(JSON.parse(audit.details)).toMatchObject({ name, source: "gateway-eu", scope: "logs:write" });

    const later = await (await request(PAGE, { cookie: sec.cookie })).text();
    expect(later).toContain(name);
    expect(later).toContain("gateway-eu");
    expect(later).not.toContain(signature);
    expect(later).toMatch(/badge-good">active</);

    // The token authenticates on the push API (an empty body: 400 from the import, not 401).
    const used = await pushWith(token);
    expect(used.status).toBe(400);
    expect(tokenNamed(name)!.last_used_at).not.toBeNull();
  });

  it("defaults the expiry to 90 days and shows the fixed scope", async () => {
    const sec = await signIn("security");
    const page = await (await request(PAGE, { cookie: sec.cookie })).text();
    expect(page).toContain('value="90"');
    expect(page).toContain("logs:write");
    const name = unique("Default expiry");
    const before = Date.now();
    const { expiresInDays: _d, scope: _s, ...form } = createForm(name);
    expect((await request(PAGE, { cookie: sec.cookie, form })).status).toBe(200);
    const row = tokenNamed(name)!;
    expect(row.scope).toBe("logs:write");
    expect(Math.round((row.expires_at - before) / DAY)).toBe(90);
  });

  it("refuses bad input with 400 and field messages, keeping what was typed and showing no token", async () => {
    const sec = await signIn("security");
    const cases: [Record<string, string>, string][] = [
      [{ expiresInDays: "0" }, "At least 1 day"],
      [{ expiresInDays: "366" }, "At most 365 days"],
      [{ source: "gateway eu" }, "letters, digits"],
      [{ scope: "admin:all" }, "The only scope for now is logs:write"],
    ];
    for (const [extra, message] of cases) {
      const name = unique("Bad");
      const res = await request(PAGE, { cookie: sec.cookie, form: createForm(name, extra) });
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain(message);
      expect(html).toContain(name);
      expect(html).not.toMatch(/value="eyJ/);
      expect(tokenNamed(name)).toBeUndefined();
    }
    const res = await request(PAGE, { cookie: sec.cookie, form: { intent: "create", name: "", source: "gw" } });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Enter a name");
  });
});

describe("revoking a token", () => {
  it("revokes it (audited), shows it as revoked, and the API then answers 401", async () => {
    const sec = await signIn("security");
    const name = unique("To revoke");
    const token = shownToken(await (await request(PAGE, { cookie: sec.cookie, form: createForm(name) })).text());
    const row = tokenNamed(name)!;
    expect((await pushWith(token)).status).toBe(400); // authenticated (an empty body)

    const res = await request(PAGE, { cookie: sec.cookie, form: { intent: "revoke", id: row.id } });
    expect(res.status).toBe(302);
    const location = res.headers.get("Location")!;
    expect(location).not.toContain("eyJ");
    const page = await (await request(location, { cookie: sec.cookie })).text();
    expect(page).toContain("is revoked");
    expect(page).toMatch(/badge-bad">revoked</);

    expect(tokenNamed(name)).toMatchObject({ revoked_by_id: sec.id });
    expect(tokenNamed(name)!.revoked_at).not.toBeNull();
    const actions = (raw().prepare("SELECT action, actor_id FROM audit_log WHERE target_id = ? ORDER BY id").all(row.id) as { action: string; actor_id: string | null }[]).filter(
      (a) => a.action.startsWith("token."),
    );
    expect(actions).toEqual([
      { action: "token.created", actor_id: sec.id },
      { action: "token.revoked", actor_id: sec.id },
    ]);

    const refused = await pushWith(token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');

    expect((await request(PAGE, { cookie: sec.cookie, form: { intent: "revoke", id: crypto.randomUUID() } })).status).toBe(404);
    expect((await request(PAGE, { cookie: sec.cookie, form: { intent: "revoke", id: "not-a-uuid" } })).status).toBe(404);
  });
});
