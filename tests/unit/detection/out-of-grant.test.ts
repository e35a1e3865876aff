import { describe, expect, it } from "vitest";
import { anyOutsideGrant, createOutOfGrant, outsideGrant, rule } from "~/domain/detection/out-of-grant";
import type { CatalogModel, CredentialFacts, DetectionEvent, RuleContext } from "~/domain/detection/types";

const T0 = Date.UTC(2026, 3, 7, 12);
const H = 3_600_000;
const catalog: CatalogModel[] = [
  { name: "atlas-2", status: "ga", aliases: ["atlas"] },
  { name: "nova-1", status: "ga", aliases: [] },
  { name: "orion-x", status: "restricted", aliases: [] },
  { name: "mythos-preview", status: "unreleased", aliases: [] },
];
const gaOnly: CredentialFacts = { id: "cred-a", orgId: "org-1", status: "active", issuedAt: T0 - 86_400_000, expiresAt: null, grantModels: ["@ga"], grantEndpoints: ["*"] };
const narrow: CredentialFacts = { ...gaOnly, id: "cred-n", grantModels: ["nova-1"], grantEndpoints: ["messages"] };
function ev(over: Partial<DetectionEvent> = {}): DetectionEvent {
  return { ts: T0, keyRef: "kw_a", credentialId: "cred-a", srcIp: "203.0.113.9", userAgent: "python-requests/2.31", method: "POST", path: "/v1/models/orion-x/messages", endpoint: "messages", model: "orion-x", status: 403, ...over };
}
function ctx(over: Partial<RuleContext> = {}): RuleContext {
  const creds: Record<string, CredentialFacts> = { "cred-a": gaOnly, "cred-n": narrow };
  return { catalog, credential: (id) => creds[id] ?? null, baseline: () => null, isRegisteredKey: () => true, settings: rule.defaults, ...over };
}

describe("outsideGrant", () => {
  it("expands @ga to every GA model of the catalog and * to every endpoint", () => {
    expect(outsideGrant({ endpoint: "batches", model: "nova-1" }, gaOnly, catalog)).toEqual([]);
    expect(outsideGrant({ endpoint: "messages", model: "orion-x" }, gaOnly, catalog)).toEqual(["restricted model orion-x"]);
    expect(outsideGrant({ endpoint: "messages", model: "mythos-preview" }, gaOnly, catalog)).toEqual(["unreleased model mythos-preview"]);
  });
  it("checks named models and endpoints", () => {
    expect(outsideGrant({ endpoint: "messages", model: "nova-1" }, narrow, catalog)).toEqual([]);
    expect(outsideGrant({ endpoint: "messages", model: "atlas-2" }, narrow, catalog)).toEqual(["ga model atlas-2"]);
    expect(outsideGrant({ endpoint: "batches", model: "nova-1" }, narrow, catalog)).toEqual(["endpoint batches"]);
    expect(outsideGrant({ endpoint: "batches", model: "ATLAS" }, narrow, catalog)).toEqual(["endpoint batches", "ga model atlas-2"]);
  });
  it("skips what the event does not know, and model names the catalog does not have", () => {
    expect(outsideGrant({ endpoint: null, model: null }, narrow, catalog)).toEqual([]);
    expect(outsideGrant({ endpoint: null, model: "gpt-4o" }, narrow, catalog)).toEqual([]);
    expect(outsideGrant({ endpoint: "messages", model: null }, { ...narrow, grantEndpoints: [] }, catalog)).toEqual(["endpoint messages"]);
  });
  it("anyOutsideGrant (the allocation-free pre-test) agrees with outsideGrant on every combination", () => {
    const endpoints = [null, "messages", "batches"];
    const models = [null, "nova-1", "atlas-2", "ATLAS", "orion-x", "mythos-preview", "gpt-4o"];
    const creds = [gaOnly, narrow, { ...narrow, grantEndpoints: [] }, { ...gaOnly, grantModels: [] }, { ...narrow, grantModels: ["@ga", "orion-x"] }];
    let outside = 0;
    for (const endpoint of endpoints)
      for (const model of models)
        for (const c of creds) {
          const list = outsideGrant({ endpoint, model }, c, catalog);
          expect(anyOutsideGrant({ endpoint, model }, c, catalog), `${endpoint} ${model} ${c.grantModels} ${c.grantEndpoints}`).toBe(list.length > 0);
          if (list.length > 0) outside++;
        }
    expect(outside).toBeGreaterThan(20);
    expect(outside).toBeLessThan(endpoints.length * models.length * creds.length);
  });
});

describe("out_of_grant", () => {
  it("fires medium on one refused request outside the grant", () => {
    const f = rule.create().observe(ev(), ctx());
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: "out_of_grant", severity: "medium", credentialId: "cred-a", windowMs: H });
    expect(f[0].summary).toBe(
      "Key kw_a from 203.0.113.9 called POST /v1/models/orion-x/messages (restricted model orion-x), outside its grant (models: every GA model; endpoints: every endpoint), the gateway answered 403.",
    );
  });

  it("fires critical when the gateway answered 2xx", () => {
    for (const status of [200, 201, 299]) {
      const f = rule.create().observe(ev({ status }), ctx());
      expect(f[0].severity).toBe("critical");
      expect(f[0].summary).toContain("it let the request through");
    }
    expect(rule.create().observe(ev({ status: 300 }), ctx())[0].severity).toBe("medium");
    expect(rule.create().observe(ev({ status: 199 }), ctx())[0].severity).toBe("medium");
  });

  it("never fires within the grant, without a credential, or for an unknown credential", () => {
    const r = rule.create();
    expect(r.observe(ev({ model: "atlas-2", path: "/v1/models/atlas-2/messages" }), ctx())).toEqual([]);
    expect(r.observe(ev({ credentialId: null }), ctx())).toEqual([]);
    expect(r.observe(ev({ credentialId: "cred-gone" }), ctx())).toEqual([]);
  });

  it("escalates to high at the 4th request within 1 h (more than 3), not at the 3rd", () => {
    const r = rule.create();
    const sev = (ts: number) => r.observe(ev({ ts }), ctx()).map((x) => x.severity);
    expect(sev(T0)).toEqual(["medium"]);
    expect(sev(T0 + 1000)).toEqual([]); // 2: same severity inside the window
    expect(sev(T0 + 2000)).toEqual([]); // 3
    const f = r.observe(ev({ ts: T0 + H - 1 }), ctx()); // 4 within the hour
    expect(f.map((x) => x.severity)).toEqual(["high"]);
    expect(f[0].summary).toContain("4 such requests within 1 h (threshold: more than 3)");
    expect(sev(T0 + H)).toEqual([]); // 4 in the window (T0 left it): still high, already reported
  });

  it("does not escalate when the requests are spread beyond 1 h", () => {
    const r = rule.create();
    const all = [0, 20, 40, 60, 80].flatMap((min) => r.observe(ev({ ts: T0 + min * 60_000 }), ctx()).map((x) => x.severity));
    expect(all).toEqual(["medium", "medium"]); // at 0 and at 60 min (a new window); never 4 within one hour
  });

  it("a 2xx after medium findings escalates to critical at once; critical is not repeated within the window", () => {
    const r = rule.create();
    const sev = (ts: number, status: number) => r.observe(ev({ ts, status }), ctx()).map((x) => x.severity);
    expect(sev(T0, 403)).toEqual(["medium"]);
    expect(sev(T0 + 1, 200)).toEqual(["critical"]);
    expect(sev(T0 + 2, 200)).toEqual([]);
    expect(sev(T0 + 3, 403)).toEqual([]);
    expect(sev(T0 + 4, 403)).toEqual([]); // high (5 in 1 h) ranks below critical
  });

  it("counts per credential and takes thresholds from settings", () => {
    const r = rule.create();
    const c = ctx({ settings: { repeatThreshold: 1, windowMs: 60_000 } });
    expect(r.observe(ev(), c)[0].severity).toBe("medium");
    expect(r.observe(ev({ credentialId: "cred-n", model: "atlas-2" }), c)[0].severity).toBe("medium");
    expect(r.observe(ev({ ts: T0 + 59_999 }), c)[0].severity).toBe("high");
  });

  it("keeps memory bounded with many credentials", () => {
    const r = createOutOfGrant({ maxSubjects: 300 });
    const c = ctx({ credential: (id) => ({ ...gaOnly, id }) });
    for (let i = 0; i < 20_000; i++) r.observe(ev({ ts: T0 + i, credentialId: `cred-${i}` }), c);
    expect(r.trackedSubjects()).toBeLessThanOrEqual(300);
  });
});
