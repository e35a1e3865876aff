import { and, count, gte, inArray } from "drizzle-orm";
import { getDb } from "../../db/client";
import { flags, logImports } from "../../db/schema";
import type { Actor } from "~/domain/actor";
import { DAY_MS } from "~/domain/credential-policy";
import { flagsOverTime, policyLines } from "./dashboard-charts.server";
import { untimed, type Timer } from "./dashboard-timing.server";
import { countBy, oldestAsOf, rankedAttestationStatus, rankedRow } from "./dashboard-vendor.server";
import { OPEN_FLAG_STATUSES } from "./risk.server";
import { attestationStatusOverTime, rankedAgeBins, rankOrgRisks } from "./risk-snapshot.server";
import { scopeFor, scopeWhere } from "./scope.server";

/** The auditor's read-only overview: the state of the programme in numbers, with the evidence pack one click away. */
export function auditorDashboard(actor: Actor, now = new Date(), time: Timer = untimed) {
  const db = getDb();
  const scope = scopeFor(actor);
  const risks = time("rank", () => rankOrgRisks(actor, now));
  const status = time("attestations", () => rankedAttestationStatus(risks, now));
  const ageBins = time("ages", () => rankedAgeBins(actor, risks, now));
  const openFlags = time(
    "open_flags",
    () =>
      db
        .select({ n: count() })
        .from(flags)
        .where(and(inArray(flags.status, [...OPEN_FLAG_STATUSES]), scopeWhere(scope, flags.orgId)))
        .get()!.n
  );
  const imports30 = time(
    "imports",
    () =>
      db
        .select({ n: count() })
        .from(logImports)
        .where(gte(logImports.startedAt, new Date(now.getTime() - 30 * DAY_MS)))
        .get()!.n
  );
  return {
    orgCount: risks.length,
    asOf: oldestAsOf(risks),
    liveCredentials: ageBins.reduce((s, b) => s + b.count, 0), // every live credential falls in one age bin
    overdueRotations: risks.reduce((s, r) => s + r.overdueRotations, 0),
    openFlags,
    imports30,
    levels: countBy(risks.map((r) => r.level)),
    attestations: countBy(risks.map((r) => status.get(r.id)!.state)),
    ranked: risks.slice(0, 10).map(rankedRow),
    ageBins,
    policyLines: policyLines(),
    flagsOverTime: time("flags_over_time", () => flagsOverTime(scope, now)),
    attestationHistory: time("attestation_history", () => attestationStatusOverTime(scope, now)),
  };
}
