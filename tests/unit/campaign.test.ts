import { describe, expect, it } from "vitest";
import { CampaignCreateSchema, DecisionSchema, differentialSelection, factsDigest, inCampaignScope, isFinal, isOverdue, nextOccurrence, undecidedOutcome, type ReviewableFacts } from "~/domain/campaign";
import { campaignReminderKey, campaignReminderSchedule, campaignReminderStage } from "~/domain/campaign-reminders";

const catalog = [
  { name: "opus-4", status: "ga" as const },
  { name: "sonnet-4", status: "ga" as const },
  { name: "mythos-preview", status: "restricted" as const },
];
const cred = (o: Partial<{ orgId: string; orgTier: string; status: string; grantModels: string[] }> = {}) => ({ orgId: "a", orgTier: "standard", status: "active", grantModels: ["@ga"], ...o });
const none = { orgIds: [], tiers: [], models: [] };

describe("campaign scope selection", () => {
  it("an empty scope takes every active or suspended credential, never revoked or expired ones", () => {
    expect(inCampaignScope(cred(), none, catalog)).toBe(true);
    expect(inCampaignScope(cred({ status: "suspended" }), none, catalog)).toBe(true);
    expect(inCampaignScope(cred({ status: "revoked" }), none, catalog)).toBe(false);
    expect(inCampaignScope(cred({ status: "expired" }), none, catalog)).toBe(false);
  });
  it("limits by organisation and by tier, each criterion required", () => {
    expect(inCampaignScope(cred({ orgId: "b" }), { ...none, orgIds: ["a"] }, catalog)).toBe(false);
    expect(inCampaignScope(cred({ orgId: "a" }), { ...none, orgIds: ["a", "c"] }, catalog)).toBe(true);
    expect(inCampaignScope(cred({ orgTier: "standard" }), { ...none, tiers: ["restricted"] }, catalog)).toBe(false);
    expect(inCampaignScope(cred({ orgTier: "restricted", orgId: "b" }), { ...none, tiers: ["restricted"], orgIds: ["a"] }, catalog)).toBe(false);
  });
  it("limits by model, with @ga reaching every GA model but not a restricted one", () => {
    expect(inCampaignScope(cred({ grantModels: ["@ga"] }), { ...none, models: ["opus-4"] }, catalog)).toBe(true);
    expect(inCampaignScope(cred({ grantModels: ["@ga"] }), { ...none, models: ["mythos-preview"] }, catalog)).toBe(false);
    expect(inCampaignScope(cred({ grantModels: ["mythos-preview"] }), { ...none, models: ["mythos-preview"] }, catalog)).toBe(true);
    expect(inCampaignScope(cred({ grantModels: ["sonnet-4"] }), { ...none, models: ["opus-4"] }, catalog)).toBe(false);
  });
});

describe("differential mode", () => {
  const facts: ReviewableFacts = { keyId: "k1", holder: "svc", grantModels: ["opus-4", "@ga"], grantEndpoints: ["*"], storage: "secrets_manager", environment: "production", status: "active", sharedWith: ["c2", "c1"], lastRotatedAt: new Date("2026-01-01T00:00:00Z") };
  it("the digest ignores order and changes with any reviewable fact", () => {
    expect(factsDigest({ ...facts, grantModels: ["@ga", "opus-4"], sharedWith: ["c1", "c2"] })).toBe(factsDigest(facts));
    for (const change of [{ holder: "other" }, { grantModels: ["opus-4"] }, { storage: "shared_drive" }, { sharedWith: ["c1"] }, { status: "suspended" }, { lastRotatedAt: new Date("2026-02-01T00:00:00Z") }, { keyId: "k2" }])
      expect(factsDigest({ ...facts, ...change })).not.toBe(factsDigest(facts));
  });
  it("keeps only credentials new or changed since the last closed campaign of the series", () => {
    const candidates = [
      { credentialId: "same", digest: "d1" },
      { credentialId: "changed", digest: "d2-new" },
      { credentialId: "new", digest: "d3" },
    ];
    const previous = new Map([
      ["same", "d1"],
      ["changed", "d2-old"],
      ["gone", "d4"],
    ]);
    expect(differentialSelection(candidates, previous).map((c) => c.credentialId)).toEqual(["changed", "new"]);
  });
  it("with no closed campaign in the series, the first differential run reviews everything", () => {
    expect(differentialSelection([{ credentialId: "a", digest: "x" }], null)).toHaveLength(1);
  });
});

describe("campaign reminder schedule", () => {
  it("sends weekly while open, 3 days and 1 day before, on the due date and daily while overdue, each once", () => {
    const stages = campaignReminderSchedule("2026-01-01", "2026-01-22", new Date("2026-01-24T12:00:00Z"));
    expect(stages).toEqual([
      { stage: "week-1", at: "2026-01-08T00:00:00.000Z" },
      { stage: "week-2", at: "2026-01-15T00:00:00.000Z" },
      { stage: "due-in-3d", at: "2026-01-19T00:00:00.000Z" },
      { stage: "due-in-1d", at: "2026-01-21T00:00:00.000Z" },
      { stage: "due", at: "2026-01-22T00:00:00.000Z" },
      { stage: "overdue-d1", at: "2026-01-23T00:00:00.000Z" },
      { stage: "overdue-d2", at: "2026-01-24T00:00:00.000Z" },
    ]);
  });
  it("a weekly reminder that would fall in the last 3 days gives way to the due-date reminders", () => {
    const stages = campaignReminderSchedule("2026-01-01", "2026-01-10", new Date("2026-01-10T01:00:00Z")).map((s) => s.stage);
    expect(stages).toEqual(["due-in-3d", "due-in-1d", "due"]);
  });
  it("nothing before opening or in the first week; the key names the campaign and the stage", () => {
    expect(campaignReminderStage("2026-01-01", "2026-02-01", new Date("2025-12-31T23:00:00Z"))).toBeNull();
    expect(campaignReminderStage("2026-01-01", "2026-02-01", new Date("2026-01-07T23:59:59Z"))).toBeNull();
    expect(campaignReminderKey("c1", "due")).toBe("campaign-reminder:c1:due");
  });
});

describe("campaign rules", () => {
  it("the form requires a due date after opening and a recurrence longer than the campaign", () => {
    const base = { name: "Q1 review", opensOn: "2026-01-01", dueOn: "2026-01-15", mode: "full", undecidedRule: "keep" };
    expect(CampaignCreateSchema.safeParse(base).success).toBe(true);
    expect(CampaignCreateSchema.safeParse({ ...base, dueOn: "2026-01-01" }).success).toBe(false);
    expect(CampaignCreateSchema.safeParse({ ...base, recurrenceDays: "10" }).success).toBe(false);
    expect(CampaignCreateSchema.safeParse({ ...base, recurrenceDays: "90", tiers: "restricted", orgs: ["a", "b"] }).data).toMatchObject({ recurrenceDays: 90, tiers: ["restricted"], orgs: ["a", "b"] });
  });
  it("revoke and unsure need a comment; narrow needs the models kept", () => {
    expect(DecisionSchema.safeParse({ decision: "keep" }).success).toBe(true);
    expect(DecisionSchema.safeParse({ decision: "revoke", comment: " " }).success).toBe(false);
    expect(DecisionSchema.safeParse({ decision: "unsure" }).success).toBe(false);
    expect(DecisionSchema.safeParse({ decision: "narrow", comment: "x" }).success).toBe(false);
    expect(DecisionSchema.safeParse({ decision: "narrow", models: "opus-4" }).data).toMatchObject({ models: ["opus-4"] });
    expect(DecisionSchema.safeParse({ decision: "narrow", models: "opus-4, sonnet-4", endpoints: "messages" }).data).toMatchObject({ models: ["opus-4", "sonnet-4"], endpoints: ["messages"] });
  });
  it("unsure is not final; items are overdue from the day after the due date; undecided items follow the rule", () => {
    expect(isFinal("unsure")).toBe(false);
    expect(isFinal(null)).toBe(false);
    expect(isFinal("narrow")).toBe(true);
    expect(isOverdue("2026-01-10", new Date("2026-01-10T23:59:59Z"))).toBe(false);
    expect(isOverdue("2026-01-10", new Date("2026-01-11T00:00:00Z"))).toBe(true);
    expect(undecidedOutcome("revoke").action).toBe("revoke");
    expect(nextOccurrence({ opensOn: "2026-01-01", dueOn: "2026-01-15", recurrenceDays: 90 })).toEqual({ opensOn: "2026-04-01", dueOn: "2026-04-15" });
  });
});
