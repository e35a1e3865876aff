import { isNull } from "drizzle-orm";
import { expect, test } from "vitest";
import { getDb } from "../../db/client";
import { users } from "../../db/schema";
import { seedDemo } from "~/models/demo-seed.server";
import { listCampaigns, openCampaignProgress } from "~/models/campaign-progress.server";
import { campaignReport } from "~/models/campaign-report.server";
import { actorFor } from "../support/factories";

test("the demo has a closed review with its report and an open one about half decided", async () => {
  const now = new Date("2026-11-24T10:00:00.000Z");
  await seedDemo({ actor: null, ip: null, now });
  const vm = actorFor(getDb().select().from(users).where(isNull(users.orgId)).all().find((u) => u.role === "vendor_manager")!.id);
  const { rows } = listCampaigns(vm, {}, now);
  expect(rows.map((r) => r.status).sort()).toEqual(["closed", "open"]);
  const [open] = openCampaignProgress(now);
  expect(open.total).toBeGreaterThan(20);
  expect(open.decided / open.total).toBeGreaterThan(0.35);
  expect(open.decided / open.total).toBeLessThan(0.6);
  const closed = campaignReport(vm, rows.find((r) => r.status === "closed")!.id)!;
  expect(closed.summary.total).toBeGreaterThan(20);
  expect(closed.items.some((i) => i.outcome === "kept at close (undecided)")).toBe(true);
});
