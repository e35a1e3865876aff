import { describe, expect, it } from "vitest";
import { isSameOrigin, isSafeMethod } from "~/domain/origin";
import { LOGIN_WINDOW_MS, throttleState } from "~/domain/throttle";
import { AcceptInvitationSchema, InviteSchema, safeRedirect } from "~/domain/user";

describe("login throttling", () => {
  const now = 1_800_000_000_000;
  it("allows four failures and locks at the fifth within 15 minutes", () => {
    const four = [1, 2, 3, 4].map((i) => now - i * 1000);
    expect(throttleState(four, now).locked).toBe(false);
    const five = [...four, now - 5000];
    const s = throttleState(five, now);
    expect(s.locked).toBe(true);
    // unlocks when the fifth-most-recent failure (5 s ago) leaves the 15-minute window
    expect(s.retryAfterSeconds).toBe(Math.ceil((LOGIN_WINDOW_MS - 5000) / 1000));
  });
  it("ignores failures older than the window", () => {
    const old = [1, 2, 3, 4, 5].map((i) => now - LOGIN_WINDOW_MS - i);
    expect(throttleState(old, now).locked).toBe(false);
    expect(throttleState([...old, now - 1], now).locked).toBe(false);
  });
  it("counts a failure exactly at the window edge as outside it", () => {
    const times = [now - LOGIN_WINDOW_MS, now - 1, now - 2, now - 3, now - 4];
    expect(throttleState(times, now).locked).toBe(false);
  });
});

describe("redirects after sign-in", () => {
  it("keeps local paths", () => {
    expect(safeRedirect("/orgs/acme?tab=users")).toBe("/orgs/acme?tab=users");
  });
  it("refuses other hosts, protocol-relative and backslash tricks", () => {
    for (const bad of ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)", "", null, undefined, "/ok\nLocation: x"]) {
      expect(safeRedirect(bad)).toBe("/dashboard");
    }
  });
});

describe("CSRF origin check", () => {
  it("accepts the same host and refuses others, null and missing", () => {
    expect(isSameOrigin("https://keyward.example", "keyward.example")).toBe(true);
    expect(isSameOrigin("http://localhost:3000", "localhost:3000")).toBe(true);
    expect(isSameOrigin("http://localhost:3001", "localhost:3000")).toBe(false);
    expect(isSameOrigin("https://evil.example", "keyward.example")).toBe(false);
    expect(isSameOrigin("null", "keyward.example")).toBe(false);
    expect(isSameOrigin(null, "keyward.example")).toBe(false);
    expect(isSameOrigin("not a url", "keyward.example")).toBe(false);
  });
  it("treats only GET, HEAD and OPTIONS as safe", () => {
    expect(["GET", "HEAD", "OPTIONS"].every(isSafeMethod)).toBe(true);
    expect(["POST", "PUT", "PATCH", "DELETE"].some(isSafeMethod)).toBe(false);
  });
});

describe("invitation forms", () => {
  it("needs 12 characters and two matching passwords", () => {
    const short = AcceptInvitationSchema.safeParse({ password: "short", confirm: "short" });
    expect(short.success).toBe(false);
    expect(short.error!.issues[0].message).toMatch(/12 characters/);
    const differ = AcceptInvitationSchema.safeParse({ password: "a long enough pass", confirm: "a long enough pasS" });
    expect(differ.error!.issues[0].path).toEqual(["confirm"]);
    expect(AcceptInvitationSchema.safeParse({ password: "a long enough pass", confirm: "a long enough pass" }).success).toBe(true);
  });
  it("ties partner roles to an organisation and internal roles to none", () => {
    expect(InviteSchema.safeParse({ email: "a@b.co", name: "A", role: "partner_admin" }).success).toBe(false);
    expect(InviteSchema.safeParse({ email: "a@b.co", name: "A", role: "security", orgSlug: "acme" }).success).toBe(false);
    const ok = InviteSchema.parse({ email: " A@B.CO ", name: "A", role: "partner_member", orgSlug: "acme" });
    expect(ok.email).toBe("a@b.co");
  });
});

describe("blank optional selects", () => {
  it("turn into undefined, not an empty string", async () => {
    const { OrganizationCreateSchema } = await import("~/domain/organization");
    const v = OrganizationCreateSchema.parse({ name: "Acme", slug: "acme", kind: "partner", tier: "standard", parentSlug: "", ownerId: "  " });
    expect(v.parentSlug).toBeUndefined();
    expect(v.ownerId).toBeUndefined();
    expect(InviteSchema.parse({ email: "a@b.co", name: "A", role: "security", orgSlug: "" }).orgSlug).toBeUndefined();
  });
});

describe("form helpers", () => {
  it("treat blank text as not given and read back one typed value", async () => {
    const { blankToUndefined, typedValue } = await import("~/domain/form-errors");
    expect(blankToUndefined("  ")).toBeUndefined();
    expect(blankToUndefined(" x ")).toBe(" x ");
    expect(blankToUndefined(3)).toBe(3);
    expect(typedValue({ a: "1", b: ["x", "y"] }, "a")).toBe("1");
    expect(typedValue({ a: "1", b: ["x", "y"] }, "b")).toBeUndefined();
    expect(typedValue(null, "a")).toBeUndefined();
  });
});
