import { describe, expect, it } from "vitest";
import { createUser, createOrg, TEST_PASSWORD } from "../support/factories";
import { login, request } from "../support/app";

describe("sign-in and the guards", () => {
  it("sends an anonymous visitor to /login with a local redirectTo", async () => {
    const res = await request("/dashboard?q=acme");
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent("/dashboard?q=acme")}`);
  });

  it("signs in with the right password and lands on the dashboard with a session cookie", async () => {
    // Without a second factor (a partner user who has not enrolled); see two-factor.test.ts for the rest.
    const u = await createUser({ role: "partner_member", orgId: createOrg().id });
    const res = await request("/login", { form: { email: u.email.toUpperCase(), password: TEST_PASSWORD } });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/dashboard");
    const cookie = res.headers.get("Set-Cookie")!;
    expect(cookie).toMatch(/^keyward_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const dash = await request("/dashboard", { cookie: cookie.split(";")[0] });
    expect(dash.status).toBe(200);
  });

  it("answers unknown account and wrong password with the same message", async () => {
    const u = await createUser({ role: "auditor" });
    const wrong = await request("/login", { form: { email: u.email, password: "not the password" }, ip: "203.0.113.1" });
    const unknown = await request("/login", { form: { email: "nobody@example.test", password: "whatever it is" }, ip: "203.0.113.2" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const a = await wrong.text();
    const b = await unknown.text();
    expect(a).toContain("Email or password is incorrect.");
    expect(b).toContain("Email or password is incorrect.");
  });

  it("only redirects to local paths after sign-in", async () => {
    const u = await createUser({ role: "partner_admin", orgId: createOrg().id });
    for (const evil of ["//evil.example/x", "https://evil.example/", "/\\evil.example"]) {
      const res = await request("/login", { form: { email: u.email, password: TEST_PASSWORD, redirectTo: evil }, ip: `192.0.2.${evil.length}` });
      expect(res.headers.get("Location")).toBe("/dashboard");
    }
    const ok = await request("/login", { form: { email: u.email, password: TEST_PASSWORD, redirectTo: "/audit?action=user" } });
    expect(ok.headers.get("Location")).toBe("/audit?action=user");
  });

  it("throttles an account after 5 failures in 15 minutes with 429 and Retry-After, even from new IPs and with the right password", async () => {
    const u = await createUser({ role: "vendor_manager" });
    for (let i = 0; i < 5; i++) {
      const res = await request("/login", { form: { email: u.email, password: "wrong password!" }, ip: `198.18.0.${i}` });
      expect(res.status).toBe(401);
    }
    const locked = await request("/login", { form: { email: u.email, password: TEST_PASSWORD }, ip: "198.18.1.1" });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("Retry-After"))).toBeGreaterThan(800);
  });

  it("throttles an IP after 5 failures across different accounts", async () => {
    const ip = "198.18.9.9";
    for (let i = 0; i < 5; i++) await request("/login", { form: { email: `spray${i}@example.test`, password: "Winter2026!!" }, ip });
    const u = await createUser({ role: "auditor" });
    const res = await request("/login", { form: { email: u.email, password: TEST_PASSWORD }, ip });
    expect(res.status).toBe(429);
    expect(res.headers.get("Retry-After")).toBeTruthy();
  });

  it("refuses a non-GET request whose Origin is another site, or missing", async () => {
    const u = await createUser({ role: "vendor_manager" });
    const cookie = await login(u.email, u.password);
    const cross = await request("/logout", { form: {}, cookie, origin: "https://evil.example" });
    expect(cross.status).toBe(403);
    const none = await request("/logout", { form: {}, cookie, origin: null });
    expect(none.status).toBe(403);
    // the session survived both attempts
    expect((await request("/dashboard", { cookie })).status).toBe(200);
  });

  it("signs out on POST /logout and the old cookie no longer works", async () => {
    const u = await createUser({ role: "vendor_manager" });
    const cookie = await login(u.email, u.password);
    const res = await request("/logout", { form: {}, cookie });
    expect(res.status).toBe(302);
    expect(res.headers.get("Set-Cookie")).toMatch(/keyward_session=;/);
    expect((await request("/dashboard", { cookie })).status).toBe(302);
  });

  it("does not let users of a suspended organisation sign in", async () => {
    const org = createOrg({ status: "suspended" });
    const u = await createUser({ role: "partner_admin", orgId: org.id });
    const res = await request("/login", { form: { email: u.email, password: TEST_PASSWORD }, ip: "192.0.2.200" });
    expect(res.status).toBe(401);
  });

  it("sets the security headers on every response, with a fresh CSP nonce", async () => {
    const a = await request("/login");
    const b = await request("/login");
    for (const res of [a, b]) {
      expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(res.headers.get("Referrer-Policy")).toBe("same-origin");
      const csp = res.headers.get("Content-Security-Policy")!;
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe-inline");
    }
    const nonceOf = (r: Response) => /'nonce-([^']+)'/.exec(r.headers.get("Content-Security-Policy")!)![1];
    expect(nonceOf(a)).not.toBe(nonceOf(b));
    const html = await a.text();
    expect(html).toContain(`nonce="${nonceOf(a)}"`);
    const health = await request("/healthz");
    expect(await health.json()).toEqual({ ok: true });
    expect(health.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });
});
