import { describe, expect, it } from "vitest";
import { CredentialRegisterSchema } from "~/domain/credential";
import { expandModels, isWithin, uncovered } from "~/domain/grant";

const catalog = [
  { name: "atlas-2", status: "ga" as const },
  { name: "atlas-2-mini", status: "ga" as const },
  { name: "mythos-preview", status: "restricted" as const },
  { name: "orion-x", status: "unreleased" as const },
];

describe("grant arithmetic", () => {
  it("expands @ga to the GA models only", () => {
    expect(expandModels(["@ga"], catalog)).toEqual(["atlas-2", "atlas-2-mini"]);
    expect(expandModels(["@ga", "mythos-preview"], catalog)).toEqual(["atlas-2", "atlas-2-mini", "mythos-preview"]);
  });
  it("lets an @ga entitlement cover GA models but not a restricted one", () => {
    const ent = { models: ["@ga"], endpoints: ["*"] };
    expect(isWithin({ models: ["atlas-2"], endpoints: ["messages"] }, ent, catalog)).toBe(true);
    expect(uncovered({ models: ["atlas-2", "mythos-preview"], endpoints: [] }, ent, catalog)).toEqual({ models: ["mythos-preview"], endpoints: [] });
  });
  it("does not let a list of GA models cover @ga itself (new GA models would widen it)", () => {
    expect(isWithin({ models: ["@ga"], endpoints: [] }, { models: ["atlas-2", "atlas-2-mini"], endpoints: ["*"] }, catalog)).toBe(false);
  });
  it("checks endpoints unless the outer set has every endpoint", () => {
    expect(uncovered({ models: [], endpoints: ["messages", "batches"] }, { models: [], endpoints: ["messages"] }, catalog).endpoints).toEqual(["batches"]);
    expect(isWithin({ models: [], endpoints: ["*"] }, { models: [], endpoints: ["messages"] }, catalog)).toBe(false);
  });
});

describe("the registration form", () => {
  const good = { keyId: "kw_live_7f3a9c", label: "CI runner", holderService: "github-actions", grantModels: "@ga", environment: "ci", storage: "ci_secret", issuedAt: "2026-11-01" };
  it("accepts a minimal registration and defaults endpoints to every endpoint", () => {
    const v = CredentialRegisterSchema.parse(good);
    expect(v.grantModels).toEqual(["@ga"]);
    expect(v.grantEndpoints).toEqual(["*"]);
    expect(v.sharedWith).toEqual([]);
  });
  it("refuses a secret-looking key id, a bad fingerprint and an expiry before issue", () => {
    expect(CredentialRegisterSchema.safeParse({ ...good, keyId: "sk live with spaces" }).success).toBe(false);
    expect(CredentialRegisterSchema.safeParse({ ...good, fingerprint: "abc" }).success).toBe(false);
    const r = CredentialRegisterSchema.safeParse({ ...good, expiresAt: "2026-10-01" });
    expect(r.error!.issues[0].path).toEqual(["expiresAt"]);
  });
  it("needs exactly one holder", () => {
    expect(CredentialRegisterSchema.safeParse({ ...good, holderService: "" }).success).toBe(false);
    expect(CredentialRegisterSchema.safeParse({ ...good, holderUserId: "u1" }).success).toBe(false);
  });
  it("lower-cases a fingerprint", () => {
    expect(CredentialRegisterSchema.parse({ ...good, fingerprint: "A".repeat(64) }).fingerprint).toBe("a".repeat(64));
  });
});
