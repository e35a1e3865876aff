import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { credentialShares, jobMarks } from "../../db/schema";
import { riskSnapshots } from "../../db/schema-dashboards";
import { attestationStatusFor } from "~/models/attestation-status.server";
import { rankedAttestationStatus } from "~/models/dashboard-vendor.server";
import { getOrgRisk, listOrgRisks } from "~/models/risk.server";
import { attestationStatusOverTime, rankOrgRisks, riskTrend, SNAPSHOT_FRESH_MS, takeRiskSnapshots } from "~/models/risk-snapshot.server";
import { scopeFor } from "~/models/scope.server";
import { acceptedAttestation } from "../support/attestation-factory";
import { createCredential, daysAgo, DAY } from "../support/credential-factory";
import { createFlag } from "../support/dashboard-factory";
import { actorFor, createOrg, tenancyWorld } from "../support/factories";
import { runKeyward } from "../support/run-process";

describe("risk inputs", () => {
  it("counts hygiene over live credentials only, open flags by severity and the contractor chain", async () => {
    const w = await tenancyWorld();
    const now = new Date();
    createCredential(w.partner.id, { issuedAt: daysAgo(100), lastUsedAt: daysAgo(1) }); // overdue (standard: 90 days)
    createCredential(w.partner.id, { issuedAt: daysAgo(40) }); // never used, issued past the 30-day threshold
    createCredential(w.partner.id, { issuedAt: daysAgo(5) }); // never used but too new to count
    createCredential(w.partner.id, { issuedAt: daysAgo(20), lastUsedAt: daysAgo(45), storage: "shared_drive" }); // unused, outside a secrets manager
    const shared = createCredential(w.partner.id, { issuedAt: daysAgo(10), lastUsedAt: daysAgo(1), storage: "local_file" });
    getDb().insert(credentialShares).values({ credentialId: shared.id, orgId: w.contractor.id }).run();
    createCredential(w.partner.id, { issuedAt: daysAgo(300), status: "revoked" }); // not live: ignored
    createCredential(w.partner.id, { issuedAt: daysAgo(300), expiresAt: daysAgo(1) }); // expired by date: ignored
    createFlag({ severity: "critical", orgId: w.partner.id });
    createFlag({ severity: "high", orgId: w.partner.id, status: "acknowledged" });
    createFlag({ severity: "high", orgId: w.partner.id, status: "resolved" }); // closed: ignored
    createFlag({ severity: "critical", orgId: w.other.id });

    const r = getOrgRisk(w.partner, now);
    expect(r.inputs).toEqual({
      liveCredentials: 5,
      overdueRotations: 1,
      neverUsed: 1,
      unused: 1,
      outsideSecretsManager: 2,
      sharedWithContractors: 1,
      attestation: "missing",
      openGaps: 0,
      openFlags: { critical: 1, high: 1 },
      kind: "partner",
      contractors: 1,
    });
    expect(r.risk.lines.map((l) => `+${l.points}: ${l.text}`)).toEqual([
      "+15: no attestation on record",
      "+15: 1 open critical flag",
      "+8: 1 open high flag",
      "+6: 2 credentials stored outside a secrets manager",
      "+5: 1 credential overdue for rotation",
      "+4: 1 credential shared with contractors",
      "+2: 1 credential never used",
      "+2: 1 credential unused past the policy's threshold",
      "+2: 1 sponsored contractor in the chain",
    ]);
    expect(r.risk.score).toBe(59);
    // a restricted tier's 30-day maximum makes a 40-day-old key overdue
    const restricted = createOrg({ tier: "restricted" });
    createCredential(restricted.id, { issuedAt: daysAgo(40), lastUsedAt: daysAgo(1) });
    expect(getOrgRisk(restricted, now).inputs.overdueRotations).toBe(1);
  });

  it("scores the attestation as it stands at the score's time, not the wall clock's", async () => {
    const w = await tenancyWorld();
    await acceptedAttestation(actorFor(w.vm.id), actorFor(w.partnerAdmin.id), w.partner.slug);
    const until = attestationStatusFor([w.partner.id]).get(w.partner.id)!.currentUntil!;
    expect(until).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const today = getOrgRisk(w.partner, new Date());
    expect(today.attestation.state).toBe("current");
    expect(today.inputs.attestation).toBe("current");
    const later = getOrgRisk(w.partner, new Date(Date.parse(`${until}T00:00:00Z`) + 2 * DAY));
    expect(later.attestation.state).toBe("overdue");
    expect(later.inputs.attestation).toBe("overdue");
  });

  it("ranks only the organisations in the actor's scope, riskiest first", async () => {
    const w = await tenancyWorld();
    createCredential(w.contractor.id, { issuedAt: daysAgo(200), storage: "shared_drive" });
    const partnerView = listOrgRisks(actorFor(w.partnerAdmin.id)).map((r) => r.slug);
    expect(partnerView).toEqual([w.contractor.slug, w.partner.slug]);
    expect(listOrgRisks(actorFor(w.contractorAdmin.id)).map((r) => r.slug)).toEqual([w.contractor.slug]);
    expect(listOrgRisks(actorFor(w.vm.id)).map((r) => r.slug)).toEqual(expect.arrayContaining([w.partner.slug, w.contractor.slug, w.other.slug]));
  });
});

describe("risk snapshots", () => {
  it("stores one row per organisation and day, replaced on a rerun, and reads the trend and attestation history", async () => {
    const w = await tenancyWorld();
    const day1 = new Date(Date.now() - 2 * DAY);
    const day2 = new Date(Date.now() - DAY);
    takeRiskSnapshots(day1);
    createCredential(w.partner.id, { issuedAt: daysAgo(100) });
    takeRiskSnapshots(day2);
    takeRiskSnapshots(day2); // same day again: replaced, not added
    const trend = riskTrend(w.partner.id);
    expect(trend.map((p) => p.day)).toEqual([day1, day2].map((d) => d.toISOString().slice(0, 10)));
    expect(trend[1].score - trend[0].score).toBe(7); // +5 overdue, +2 never used
    const rows = getDb().select().from(riskSnapshots).all().filter((r) => r.orgId === w.partner.id);
    expect(rows).toHaveLength(2);
    const history = attestationStatusOverTime(scopeFor(actorFor(w.partnerAdmin.id)));
    expect(history.map((h) => h.missing)).toEqual([2, 2]); // the partner and its contractor, no other tenant
  });
});

describe("ranking from snapshots", () => {
  const HOUR = 3_600_000;

  it("takes the snapshot at most once an hour, or on demand", async () => {
    await tenancyWorld();
    const now = new Date(Math.floor(Date.now() / HOUR) * HOUR + 60_000);
    const first = takeRiskSnapshots(now);
    expect(first.orgs).toBeGreaterThan(0);
    expect(takeRiskSnapshots(new Date(now.getTime() + 58 * 60_000))).toMatchObject({ orgs: 0, skipped: true }); // the scheduler's next runs in the hour
    expect(takeRiskSnapshots(new Date(now.getTime() + 30 * 60_000), { force: true }).orgs).toBe(first.orgs); // on demand
    expect(takeRiskSnapshots(new Date(now.getTime() + HOUR)).orgs).toBe(first.orgs); // the next hour
    expect(getDb().select().from(jobMarks).all().filter((m) => m.key.startsWith("risk-snapshots:")).length).toBeGreaterThanOrEqual(2);
  });

  it("ranks from each organisation's fresh snapshot, scores the others live, and keeps to the actor's scope", async () => {
    const w = await tenancyWorld();
    const now = new Date();
    takeRiskSnapshots(now, { force: true });
    // a change after the snapshot: the ranking shows the snapshot's score until the next take
    createCredential(w.partner.id, { issuedAt: daysAgo(200), storage: "shared_drive" });
    const snap = rankOrgRisks(actorFor(w.vm.id), now).find((r) => r.id === w.partner.id)!;
    expect(snap.asOf?.getTime()).toBe(now.getTime());
    const live = getOrgRisk(w.partner, now);
    expect(snap.score).toBeLessThan(live.risk.score);
    // an organisation created since is scored live
    const fresh = createOrg({ name: "Created After The Snapshot" });
    createCredential(fresh.id, { issuedAt: daysAgo(200) });
    const ranked = rankOrgRisks(actorFor(w.vm.id), now);
    const newcomer = ranked.find((r) => r.id === fresh.id)!;
    expect(newcomer).toMatchObject({ asOf: null, score: getOrgRisk(fresh, now).risk.score, overdueRotations: 1, top: getOrgRisk(fresh, now).risk.lines[0].text });
    expect(ranked.map((r) => r.score)).toEqual([...ranked.map((r) => r.score)].sort((a, b) => b - a));
    // the live score brings the attestation status it read; a snapshot's row has none
    expect(newcomer.attestation).toEqual(attestationStatusFor([fresh.id]).get(fresh.id));
    expect(ranked.find((r) => r.id === w.partner.id)!.attestation).toBeNull();
    // a snapshot older than SNAPSHOT_FRESH_MS is not used: live again
    const later = new Date(now.getTime() + SNAPSHOT_FRESH_MS + 60_000);
    const stale = rankOrgRisks(actorFor(w.vm.id), later).find((r) => r.id === w.partner.id)!;
    expect(stale).toMatchObject({ asOf: null, score: getOrgRisk(w.partner, later).risk.score, overdueRotations: 1 });
    // the next take brings the snapshot up to date
    takeRiskSnapshots(later, { force: true });
    expect(rankOrgRisks(actorFor(w.vm.id), later).find((r) => r.id === w.partner.id)).toMatchObject({ asOf: later, score: stale.score, overdueRotations: 1 });
    // a partner sees its own family only, from the same snapshots
    expect(rankOrgRisks(actorFor(w.partnerAdmin.id), later).map((r) => r.slug).sort()).toEqual([w.partner.slug, w.contractor.slug].sort());
  });
});

describe("rankedAttestationStatus", () => {
  it("queries the snapshot-ranked organisations' status and reuses the live-scored ones', read at the same time", async () => {
    const w = await tenancyWorld();
    const now = new Date();
    takeRiskSnapshots(now, { force: true });
    const fresh = createOrg({ name: "Scored Live" });
    const ranked = rankOrgRisks(actorFor(w.vm.id), now);
    expect(ranked.filter((r) => r.attestation !== null).map((r) => r.id)).toEqual([fresh.id]);
    const all = attestationStatusFor(ranked.map((r) => r.id), now);
    expect(rankedAttestationStatus(ranked, now)).toEqual(all);
    // the live-scored one's status comes from its score (not queried again), its state as of `now`
    const until = new Date(now.getTime() + 200 * DAY).toISOString().slice(0, 10);
    const read = { state: "missing" as const, currentUntil: until, dueDate: null, openGaps: 2 };
    const statuses = rankedAttestationStatus(ranked.map((r) => (r.id === fresh.id ? { ...r, attestation: read } : r)), now);
    expect(statuses.get(fresh.id)).toEqual({ state: "current", currentUntil: until, dueDate: null, openGaps: 2 });
    expect(statuses.get(w.partner.id)).toEqual(all.get(w.partner.id));
  });
});

describe("keyward risk-snapshot", () => {
  it("takes today's snapshot on demand, even when the hour's is taken", async () => {
    const w = await tenancyWorld();
    takeRiskSnapshots(new Date()); // the scheduler's take this hour
    createCredential(w.partner.id, { issuedAt: daysAgo(200) });
    const run = await runKeyward(["risk-snapshot", "--json", "--usage"]);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ day: new Date().toISOString().slice(0, 10), usageDays: expect.any(Number) });
    expect(out.orgs).toBeGreaterThanOrEqual(3);
    const ranked = rankOrgRisks(actorFor(w.vm.id)).find((r) => r.id === w.partner.id)!;
    expect(ranked.asOf).not.toBeNull();
    expect(ranked.overdueRotations).toBe(1); // the change made after the scheduler's take
  });
});
