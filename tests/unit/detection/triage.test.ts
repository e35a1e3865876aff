import { describe, expect, it } from "vitest";
import { FlagActionSchema, FlagFilterSchema, flagNotificationText, groupWithinHour, isNotifiable, nextStatus, timelineBuckets, triageRefusal } from "~/domain/detection/triage";
import { ruleSettingsSchema, ruleModule, overridesOf, thresholdLabel } from "~/domain/detection/rule-settings";

const H = 3_600_000;

describe("triage: status changes", () => {
  it("moves a flag along open → acknowledged → escalated → resolved / false positive, and refuses what makes no sense", () => {
    expect(nextStatus("acknowledge")).toBe("acknowledged");
    expect(nextStatus("note")).toBeNull();
    expect(triageRefusal("acknowledge", "open")).toBeNull();
    expect(triageRefusal("acknowledge", "escalated")).toMatch(/Only an open flag/);
    expect(triageRefusal("escalate", "escalated")).toMatch(/already escalated/);
    expect(triageRefusal("resolve", "false_positive")).toMatch(/closed/);
    expect(triageRefusal("respond", "resolved")).toBeNull();
    expect(triageRefusal("suspend", "resolved")).toBeNull();
  });

  it("validates each action's form", () => {
    expect(FlagActionSchema.safeParse({ intent: "resolve", reason: "  " }).success).toBe(false);
    expect(FlagActionSchema.safeParse({ intent: "false_positive", reason: "CI", suppress: "ip" }).success).toBe(false);
    expect(FlagActionSchema.safeParse({ intent: "false_positive", reason: "CI", suppress: "ip", days: "400" }).success).toBe(false);
    expect(FlagActionSchema.parse({ intent: "false_positive", reason: "CI", suppress: "", days: "" })).toMatchObject({ suppress: "none" });
    expect(FlagActionSchema.parse({ intent: "false_positive", reason: "CI", suppress: "credential", days: "7" })).toMatchObject({ days: 7 });
    expect(FlagActionSchema.safeParse({ intent: "revoke", reason: "leak" }).success).toBe(false);
    expect(FlagActionSchema.safeParse({ intent: "dance" }).success).toBe(false);
    expect(FlagFilterSchema.safeParse({ from: "2026-02-01", to: "2026-01-01" }).success).toBe(false);
    expect(FlagFilterSchema.parse({ severity: "", rule: "ip_probe", page: "2" })).toMatchObject({ rule: "ip_probe", page: 2 });
  });
});

describe("triage: the timeline's buckets", () => {
  it("counts each request once in its bucket, split by status class", () => {
    const t0 = 1_000_000;
    const b = timelineBuckets([{ ts: t0, status: 200 }, { ts: t0 + 1_000, status: 404 }, { ts: t0 + 59_000, status: 503 }, { ts: t0 + 120_000, status: 200 }], t0, t0 + 60_000, 6);
    expect(b).toHaveLength(6);
    expect(b[0]).toMatchObject({ ok: 1, clientError: 1 });
    expect(b[5]).toMatchObject({ serverError: 1 });
    expect(b.reduce((n, x) => n + x.ok + x.clientError + x.serverError, 0)).toBe(3); // the one outside the range is left out
  });
});

describe("triage: grouping a credential's flags within an hour", () => {
  it("puts flags last seen within an hour of each other in one group", () => {
    const g = groupWithinHour([{ lastSeen: 10 * H }, { lastSeen: 9.5 * H }, { lastSeen: 8.9 * H }, { lastSeen: 5 * H }]);
    expect(g.map((x) => x.flags.length)).toEqual([3, 1]);
    expect(g[0]).toMatchObject({ from: 8.9 * H, to: 10 * H });
  });
});

describe("notifications", () => {
  it("notifies high and critical only, with a one-line text", () => {
    expect(isNotifiable("high")).toBe(true);
    expect(isNotifiable("medium")).toBe(false);
    expect(flagNotificationText({ rule: "ip_probe", severity: "critical", summary: "S.", subject: "address 192.0.2.1", url: "https://k/flags/1" })).toBe("[CRITICAL] ip_probe on address 192.0.2.1: S. https://k/flags/1");
  });
});

describe("rule settings", () => {
  it("validates thresholds as whole numbers within bounds, durations in seconds, and stores only the changed keys", () => {
    const m = ruleModule("error_burst")!;
    const schema = ruleSettingsSchema(m);
    expect(schema.safeParse({ capacity: "0", leakMs: "10", highMultiplier: "3", repeatWindowMs: "600" }).success).toBe(false);
    expect(schema.safeParse({ capacity: "5.5", leakMs: "10", highMultiplier: "3", repeatWindowMs: "600" }).success).toBe(false);
    expect(schema.safeParse({ capacity: "", leakMs: "10", highMultiplier: "3", repeatWindowMs: "600" }).success).toBe(false);
    const ok = schema.parse({ capacity: "7", leakMs: "10", highMultiplier: "3", repeatWindowMs: "600" });
    expect(ok).toEqual({ capacity: 7, leakMs: 10_000, highMultiplier: 3, repeatWindowMs: 600_000 });
    expect(overridesOf(m, ok as Record<string, number>)).toEqual({ capacity: 7 });
    expect(thresholdLabel("sweepWindowMs")).toBe("sweep window (seconds)");
    expect(ruleModule("nope")).toBeNull();
  });
});
