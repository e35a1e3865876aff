import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { jobMarks } from "../../db/schema";
import { orgUsageDaily, usageDailyTotals } from "../../db/schema-dashboards";
import { lastDays, usageOverTime } from "~/models/dashboard-charts.server";
import { scopeFor } from "~/models/scope.server";
import { orgUsageTotals, rollUpUsageTotals, usageTotals } from "~/models/usage-totals.server";
import { createCredential } from "../support/credential-factory";
import { recordUsage } from "../support/dashboard-factory";
import { actorFor, createOrg, tenancyWorld } from "../support/factories";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("daily usage totals", () => {
  it("rolls closed days up once an hour, recomputes the recent ones, and reads today live", () => {
    // Yesterday at 10:01 UTC: a minute into the hour, and the two hours after it stay in the same day (a
    // time taken from the clock failed between 23:00 and 00:00, when "the next hour" is tomorrow).
    const now = new Date(Math.floor(Date.now() / DAY) * DAY - DAY + 10 * HOUR + 60_000);
    const days = lastDays(now, 5); // [d-4 … today]
    const org = createOrg();
    const a = createCredential(org.id);
    const b = createCredential(org.id);
    recordUsage(a.id, days[0], 100, 5, ["192.0.2.1", "192.0.2.2"]);
    recordUsage(b.id, days[0], 50, 1, ["192.0.2.2"]);
    recordUsage(a.id, days[4], 7, 0, ["192.0.2.9"]);

    // nothing stored yet: every day computed live
    const live = usageTotals(days, now);
    expect(live[0]).toEqual({ day: days[0], requests: 150, errors: 6, sources: 2 });
    expect(live[4]).toEqual({ day: days[4], requests: 7, errors: 0, sources: 1 });

    expect(rollUpUsageTotals(now).days).toBe(90);
    // the same hour again: nothing to do (the scheduler runs every minute)
    expect(rollUpUsageTotals(new Date(now.getTime() + 30 * 60_000))).toEqual({ days: 0, skipped: true });
    expect(getDb().select().from(jobMarks).all().filter((m) => m.key.startsWith("usage-totals:"))).toHaveLength(1);
    // the next hour: only the recent days again
    expect(rollUpUsageTotals(new Date(now.getTime() + HOUR)).days).toBe(3);
    const stored = getDb().select().from(usageDailyTotals).all();
    expect(stored.find((r) => r.day === days[0])).toMatchObject({ requests: 150, errors: 6, sources: 2 });
    expect(stored.some((r) => r.day === days[4])).toBe(false); // today is never stored
    expect(getDb().select().from(orgUsageDaily).all().find((r) => r.orgId === org.id && r.day === days[0])).toMatchObject({ requests: 150, errors: 6, sources: 2 });

    // a late import adds to yesterday: recomputed by the next hour's run; today's numbers are always live
    recordUsage(b.id, days[3], 20, 2, ["192.0.2.3"]);
    recordUsage(b.id, days[4], 3, 1, ["192.0.2.9"]);
    rollUpUsageTotals(new Date(now.getTime() + 2 * HOUR));
    const again = usageTotals(days, now);
    expect(again[3]).toEqual({ day: days[3], requests: 20, errors: 2, sources: 1 });
    expect(again[4]).toEqual({ day: days[4], requests: 10, errors: 1, sources: 1 });
    expect(again[0]).toEqual(live[0]);
    expect(orgUsageTotals(days, [org.id], { now })).toEqual(again);
  });

  it("keeps per-organisation totals, counting a partner family's distinct sources once", async () => {
    getDb().delete(usageDailyTotals).run(); // not rolled up yet (the first test stored these days)
    getDb().delete(orgUsageDaily).run();
    const w = await tenancyWorld();
    const now = new Date();
    const days = lastDays(now, 3); // [d-2, d-1, today]
    const p = createCredential(w.partner.id);
    const c = createCredential(w.contractor.id);
    const o = createCredential(w.other.id);
    for (const d of days) {
      recordUsage(p.id, d, 10, 1, ["198.51.100.1", "198.51.100.2"]);
      recordUsage(c.id, d, 5, 0, ["198.51.100.2"]); // the same address as the partner's second
      recordUsage(o.id, d, 1000, 100, ["203.0.113.7"]);
    }
    const family = { orgIds: [w.partner.id, w.contractor.id], family: w.partner.id };
    const partnerScope = scopeFor(actorFor(w.partnerAdmin.id));
    const before = usageOverTime(partnerScope, now, { days: 3, ...family }); // nothing rolled up: live
    rollUpUsageTotals(now, { force: true });
    const after = usageOverTime(partnerScope, now, { days: 3, ...family });
    expect(after).toEqual(before);
    expect(after.map((d) => [d.requests, d.errors, d.sources])).toEqual([
      [15, 1, 2],
      [15, 1, 2],
      [15, 1, 2],
    ]);
    // narrowed to the contractor (its own users' scope): its own numbers only
    expect(usageOverTime(scopeFor(actorFor(w.contractorAdmin.id)), now, { days: 3 }).map((d) => d.requests)).toEqual([5, 5, 5]);
    // an organisation outside the scope is ignored even when asked for
    expect(usageOverTime(partnerScope, now, { days: 3, orgIds: [w.other.id] }).map((d) => d.requests)).toEqual([0, 0, 0]);
  });
});
