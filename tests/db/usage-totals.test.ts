import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { usageDailyTotals } from "../../db/schema-dashboards";
import { lastDays } from "~/models/dashboard-charts.server";
import { rollUpUsageTotals, usageTotals } from "~/models/usage-totals.server";
import { createCredential } from "../support/credential-factory";
import { recordUsage } from "../support/dashboard-factory";
import { createOrg } from "../support/factories";

describe("daily usage totals", () => {
  it("rolls closed days up once, recomputes the recent ones, and reads today live", () => {
    const now = new Date();
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
    expect(rollUpUsageTotals(now).days).toBe(3); // only the recent ones again
    const stored = getDb().select().from(usageDailyTotals).all();
    expect(stored.find((r) => r.day === days[0])).toMatchObject({ requests: 150, errors: 6, sources: 2 });
    expect(stored.some((r) => r.day === days[4])).toBe(false); // today is never stored

    // a late import adds to yesterday: recomputed by the next run; today's numbers are always live
    recordUsage(b.id, days[3], 20, 2, ["192.0.2.3"]);
    recordUsage(b.id, days[4], 3, 1, ["192.0.2.9"]);
    rollUpUsageTotals(new Date(now.getTime() + 60_000));
    const again = usageTotals(days, now);
    expect(again[3]).toEqual({ day: days[3], requests: 20, errors: 2, sources: 1 });
    expect(again[4]).toEqual({ day: days[4], requests: 10, errors: 1, sources: 1 });
    expect(again[0]).toEqual(live[0]);
  });
});
