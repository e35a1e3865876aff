import { describe, expect, it } from "vitest";
import { credentialHygiene, DAY_MS, type CredentialFacts } from "~/domain/credential-policy";

const now = new Date("2026-11-24T12:00:00Z");
const daysAgo = (d: number) => new Date(now.getTime() - d * DAY_MS);
const policy = { maxCredentialAgeDays: 90, unusedThresholdDays: 30 };
const base: CredentialFacts = { status: "active", issuedAt: daysAgo(10), lastRotatedAt: null, lastUsedAt: daysAgo(1), expiresAt: null };

describe("credential policy arithmetic", () => {
  it("ages a never-rotated credential from its issue date", () => {
    const h = credentialHygiene({ ...base, issuedAt: daysAgo(40) }, policy, now);
    expect(h.ageDays).toBe(40);
    expect(h.rotationState).toBe("ok");
    expect(h.daysUntilRotation).toBe(50);
  });

  it("restarts the age at rotation: rotated today is age 0 and ok", () => {
    const h = credentialHygiene({ ...base, issuedAt: daysAgo(400), lastRotatedAt: now }, policy, now);
    expect(h.ageDays).toBe(0);
    expect(h.rotationState).toBe("ok");
    expect(h.rotationDueAt!.toISOString()).toBe(new Date(now.getTime() + 90 * DAY_MS).toISOString());
  });

  it("is due soon within 14 days of the maximum age, and overdue exactly at it", () => {
    expect(credentialHygiene({ ...base, issuedAt: daysAgo(76) }, policy, now).rotationState).toBe("due_soon");
    expect(credentialHygiene({ ...base, issuedAt: daysAgo(75) }, policy, now).rotationState).toBe("ok");
    expect(credentialHygiene({ ...base, issuedAt: daysAgo(90) }, policy, now).rotationState).toBe("overdue");
    expect(credentialHygiene({ ...base, issuedAt: new Date(daysAgo(90).getTime() + 1) }, policy, now).rotationState).toBe("due_soon");
  });

  it("uses the tier's policy: 30 days for restricted", () => {
    expect(credentialHygiene({ ...base, issuedAt: daysAgo(31) }, { ...policy, maxCredentialAgeDays: 30 }, now).rotationState).toBe("overdue");
  });

  it("tells never used from unused past the threshold, exactly at the threshold counting as unused", () => {
    expect(credentialHygiene({ ...base, lastUsedAt: null }, policy, now).usageState).toBe("never_used");
    expect(credentialHygiene({ ...base, lastUsedAt: daysAgo(29) }, policy, now).usageState).toBe("in_use");
    const at = credentialHygiene({ ...base, lastUsedAt: daysAgo(30) }, policy, now);
    expect(at.usageState).toBe("unused");
    expect(at.daysSinceUse).toBe(30);
  });

  it("marks an expired credential expired and needing no rotation", () => {
    const h = credentialHygiene({ ...base, issuedAt: daysAgo(200), expiresAt: daysAgo(1) }, policy, now);
    expect(h.expiryState).toBe("expired");
    expect(h.effectiveStatus).toBe("expired");
    expect(h.rotationState).toBe("not_applicable");
    expect(credentialHygiene({ ...base, expiresAt: new Date(now.getTime() + 5 * DAY_MS) }, policy, now).expiryState).toBe("expiring_soon");
    expect(credentialHygiene({ ...base, expiresAt: now }, policy, now).expiryState).toBe("expired");
  });

  it("needs no rotation for a revoked credential, however old", () => {
    const h = credentialHygiene({ ...base, status: "revoked", issuedAt: daysAgo(500) }, policy, now);
    expect(h.rotationState).toBe("not_applicable");
    expect(h.rotationDueAt).toBeNull();
    expect(h.effectiveStatus).toBe("revoked");
  });

  it("keeps rotating a suspended credential on schedule", () => {
    expect(credentialHygiene({ ...base, status: "suspended", issuedAt: daysAgo(95) }, policy, now).rotationState).toBe("overdue");
  });
});
