import { LineChart } from "./charts/line-chart";
import { SCORE_SERIES } from "./charts/series";
import { RiskBadge, RiskLines } from "./risk";
import type { RiskLevel, RiskLine } from "~/domain/risk-score";

/** The Risk section of an organisation's page: score, line-by-line explanation, 90-day trend. */
export function OrgRiskSection({ risk }: { risk: { score: number; level: RiskLevel; lines: RiskLine[]; trend: { day: string; score: number }[]; trendDays: number } }) {
  const first = risk.trend[0];
  return (
    <section className="panel" aria-labelledby="risk" id="risk-section">
      <h2 id="risk">
        Risk <RiskBadge score={risk.score} level={risk.level} />
      </h2>
      <RiskLines lines={risk.lines} score={risk.score} />
      <LineChart
        id="risk-trend"
        title={`Risk score over the last ${risk.trendDays} days`}
        summary={first ? `From ${first.score} on ${first.day} to ${risk.score} today (${risk.trend.length} daily snapshots).` : "No snapshots yet."}
        series={SCORE_SERIES}
        days={risk.trend}
        yMax={100}
      />
    </section>
  );
}
