import { describe, expect, it } from "vitest";
import { createRevokedCredentialUse, credentialUseVerdict, rule } from "~/domain/detection/revoked-credential-use";
import type { CredentialFacts, DetectionEvent, RuleContext } from "~/domain/detection/types";

const T0 = Date.UTC(2026, 3, 7, 12);
const H = 3_600_000;
const active: CredentialFacts = { id: "cred-a", orgId: "org-1", status: "active", issuedAt: T0 - 86_400_000, expiresAt: null, grantModels: ["@ga"], grantEndpoints: ["*"] };
function ev(over: Partial<DetectionEvent> = {}): DetectionEvent {
  return { ts: T0, keyRef: "kw_a", credentialId: "cred-a", srcIp: "203.0.113.9", userAgent: "python-requests/2.31", method: "POST", path: "/v1/models/atlas-2/messages", endpoint: "messages", model: "atlas-2", status: 401, ...over };
}
function ctx(c: Partial<CredentialFacts> | null, over: Partial<RuleContext> = {}): RuleContext {
  return { catalog: [], credential: (id) => (c ? { ...active, id, ...c } : null), baseline: () => null, isRegisteredKey: () => true, settings: rule.defaults, ...over };
}

describe("credentialUseVerdict", () => {
  it("is null for an active, unexpired, current key", () => {
    expect(credentialUseVerdict(active, T0)).toBeNull();
    expect(credentialUseVerdict({ ...active, expiresAt: T0 + 1 }, T0)).toBeNull();
    expect(credentialUseVerdict({ ...active, rotatedKeyGraceEndsAt: null }, T0)).toBeNull();
  });
  it("is critical for revoked, suspended and expired credentials, and at the expiry instant", () => {
    for (const status of ["revoked", "suspended", "expired"] as const) expect(credentialUseVerdict({ ...active, status }, T0)).toEqual({ severity: "critical", reason: `the credential is ${status}` });
    expect(credentialUseVerdict({ ...active, expiresAt: T0 }, T0)?.severity).toBe("critical");
    expect(credentialUseVerdict({ ...active, expiresAt: T0 - 1 }, T0)?.reason).toBe("the credential expired at 2026-04-07T11:59:59.999Z");
  });
  it("does not flag a use from before the credential was revoked (an old log imported late)", () => {
    expect(credentialUseVerdict({ ...active, status: "revoked", statusChangedAt: T0 + 1 }, T0)).toBeNull();
    expect(credentialUseVerdict({ ...active, status: "revoked", statusChangedAt: T0 }, T0)?.severity).toBe("critical");
  });
  it("is info within a rotated key's grace period and critical from its end", () => {
    expect(credentialUseVerdict({ ...active, rotatedKeyGraceEndsAt: T0 + 1 }, T0)?.severity).toBe("info");
    expect(credentialUseVerdict({ ...active, rotatedKeyGraceEndsAt: T0 }, T0)?.severity).toBe("critical");
    expect(credentialUseVerdict({ ...active, rotatedKeyGraceEndsAt: T0 - H }, T0)?.reason).toBe("the key was rotated away and its grace period ended at 2026-04-07T11:00:00Z");
  });
  it("ranks a revoked credential above a rotated key in grace", () => {
    expect(credentialUseVerdict({ ...active, status: "revoked", rotatedKeyGraceEndsAt: T0 + H }, T0)?.severity).toBe("critical");
  });
});

describe("revoked_credential_use", () => {
  it("fires critical on one use of a revoked credential, whatever the gateway answered", () => {
    for (const status of [200, 401, 403]) {
      const f = rule.create().observe(ev({ status }), ctx({ status: "revoked" }));
      expect(f).toHaveLength(1);
      expect(f[0]).toMatchObject({ rule: "revoked_credential_use", severity: "critical", credentialId: "cred-a", keyRef: "kw_a", windowMs: H });
      expect(f[0].summary).toBe(`Key kw_a from 203.0.113.9 was used (POST /v1/models/atlas-2/messages, answered ${status}) although the credential is revoked (threshold: 1 request; repeats within 1 h update this flag).`);
    }
  });

  it("never fires for an active credential, an unmatched event, or an unknown credential", () => {
    const r = rule.create();
    expect(r.observe(ev(), ctx({}))).toEqual([]);
    expect(r.observe(ev({ credentialId: null }), ctx({ status: "revoked" }))).toEqual([]);
    expect(r.observe(ev(), ctx(null))).toEqual([]);
  });

  it("fires info within the grace period, then critical once it has ended", () => {
    const r = rule.create();
    const c = ctx({ rotatedKeyGraceEndsAt: T0 + 10_000 });
    expect(r.observe(ev({ keyRef: "kw_old" }), c).map((f) => f.severity)).toEqual(["info"]);
    expect(r.observe(ev({ keyRef: "kw_old", ts: T0 + 9_999 }), c)).toEqual([]); // still in grace, same window
    expect(r.observe(ev({ keyRef: "kw_old", ts: T0 + 10_000 }), c).map((f) => f.severity)).toEqual(["critical"]);
    expect(r.observe(ev({ keyRef: "kw_old", ts: T0 + 20_000 }), c)).toEqual([]);
  });

  it("fires at most once per credential and key per window", () => {
    const r = rule.create();
    const c = ctx({ status: "suspended" });
    expect(r.observe(ev(), c)).toHaveLength(1);
    expect(r.observe(ev({ ts: T0 + H - 1 }), c)).toEqual([]);
    expect(r.observe(ev({ ts: T0 + H }), c)).toHaveLength(1);
    expect(r.observe(ev({ ts: T0 + H + 1, keyRef: "kw_other" }), c)).toHaveLength(1);
  });

  it("keeps memory bounded with many credentials", () => {
    const r = createRevokedCredentialUse({ maxSubjects: 100 });
    const c = ctx({ status: "revoked" });
    for (let i = 0; i < 10_000; i++) r.observe(ev({ ts: T0 + i, credentialId: `cred-${i}` }), c);
    expect(r.trackedSubjects()).toBeLessThanOrEqual(100);
  });
});
