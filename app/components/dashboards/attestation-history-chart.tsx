import { ATTESTATION_SERIES } from "~/components/charts/series";
import { StackedBars } from "~/components/charts/stacked-bars";

/** Organisations by attestation status per snapshot day (the vendor manager's and the auditor's dashboards). */
export function AttestationHistoryChart({ days }: { days: Parameters<typeof StackedBars>[0]["days"] }) {
  return (
    <StackedBars
      id="attestation-history"
      title="Attestation status over time (organisations)"
      summary={`Organisations by attestation status on each of the last ${days.length} snapshot days.`}
      series={ATTESTATION_SERIES}
      days={days}
    />
  );
}
