import { getOrgRisk } from "./risk.server";
import { riskTrend, TREND_DAYS } from "./risk-snapshot.server";

type OrgRef = Parameters<typeof getOrgRisk>[0];

/**
 * An organisation's Risk section: today's score with its explanation and the last 90 days' trend
 * (daily snapshots, with today's live score standing in for today's until the scheduler stores it).
 * The caller has already found the organisation within the actor's scope. `attestation` is the status
 * the score read (for the page's Attestation section, so it is not queried twice; not for every reader).
 */
export function orgRiskPanel(org: OrgRef, now = new Date()) {
  const { risk, attestation } = getOrgRisk(org, now);
  const today = now.toISOString().slice(0, 10);
  const trend = riskTrend(org.id, now).filter((p) => p.day !== today);
  trend.push({ day: today, score: risk.score, level: risk.level });
  return { score: risk.score, level: risk.level, lines: risk.lines, trend, trendDays: TREND_DAYS, attestation };
}
