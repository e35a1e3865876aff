import { and, count, gte, inArray } from "drizzle-orm";
import { getDb } from "../../db/client";
import { credentials, flags, logImports } from "../../db/schema";
import type { Actor } from "~/domain/actor";
import { DAY_MS } from "~/domain/credential-policy";
import { credentialAgeBins, flagsOverTime, policyLines } from "./dashboard-charts.server";
import { countBy } from "./dashboard-vendor.server";
import { liveCredential, listOrgRisks, OPEN_FLAG_STATUSES } from "./risk.server";
import { attestationStatusOverTime } from "./risk-snapshot.server";
import { scopeFor, scopeWhere } from "./scope.server";

/** The auditor's read-only overview: the state of the programme in numbers, with the evidence pack one click away. */
export function auditorDashboard(actor: Actor, now = new Date()) {
  const db = getDb();
  const scope = scopeFor(actor);
  const risks = listOrgRisks(actor, now);
  const live = db.select({ n: count() }).from(credentials).where(and(liveCredential(now), scopeWhere(scope, credentials.orgId))).get()!.n;
  const openFlags = db.select({ n: count() }).from(flags).where(and(inArray(flags.status, [...OPEN_FLAG_STATUSES]), scopeWhere(scope, flags.orgId))).get()!.n;
  const imports30 = db.select({ n: count() }).from(logImports).where(gte(logImports.startedAt, new Date(now.getTime() - 30 * DAY_MS))).get()!.n;
  return {
    orgCount: risks.length,
    liveCredentials: live,
    overdueRotations: risks.reduce((s, r) => s + r.inputs.overdueRotations, 0),
    openFlags,
    imports30,
    levels: countBy(risks.map((r) => r.risk.level)),
    attestations: countBy(risks.map((r) => r.attestation.state)),
    ranked: risks.slice(0, 10).map((r) => ({ slug: r.slug, name: r.name, score: r.risk.score, level: r.risk.level, top: r.risk.lines[0]?.text ?? null })),
    ageBins: credentialAgeBins(scope, now),
    policyLines: policyLines(),
    flagsOverTime: flagsOverTime(scope, now),
    attestationHistory: attestationStatusOverTime(scope, now),
  };
}
