import { Link } from "@remix-run/react";
import type { SerializeFrom } from "@remix-run/node";
import { AgeHistogram } from "~/components/charts/age-histogram";
import { SEVERITY_SERIES } from "~/components/charts/series";
import { StackedBars } from "~/components/charts/stacked-bars";
import type { auditorDashboard } from "~/models/dashboard-auditor.server";
import { AttestationHistoryChart } from "./attestation-history-chart";
import { Panel, Stat } from "./panels";
import { RankedOrgsTable } from "./ranked-orgs";
import { ScoresAsOf } from "./scores-as-of";

export type AuditorData = SerializeFrom<ReturnType<typeof auditorDashboard>>;

export function AuditorDashboard({ data, canExport }: { data: AuditorData; canExport: boolean }) {
  return (
    <>
      {canExport ? (
        <section className="panel" aria-labelledby="evidence">
          <h2 id="evidence">Evidence pack</h2>
          <p>Everything for a period in one signed ZIP: inventory, rotations, flags and their resolutions, the audit log extract, attestations and campaign reports.</p>
          <p>
            <Link to="/evidence" className="button">
              Download an evidence pack
            </Link>
          </p>
        </section>
      ) : null}
      <div className="grid">
        <Stat label="Organisations" value={data.orgCount} to="/orgs" />
        <Stat label="Live credentials" value={data.liveCredentials} to="/credentials" />
        <Stat label="Overdue rotations" value={data.overdueRotations} to="/rotations" />
        <Stat label="Open flags" value={data.openFlags} to="/flags" />
        <Stat label="Log imports (30 days)" value={data.imports30} to="/imports" />
        <Stat label="Attestations current" value={`${data.attestations.current ?? 0} / ${data.orgCount}`} to="/attestations" />
      </div>
      <Panel
        id="ranked"
        title="Highest risk organisations"
        action={
          <>
            <Link to="/dashboard/risk">Full ranking ({data.orgCount})</Link> · <Link to="/audit">Audit log</Link>
          </>
        }
      >
        <RankedOrgsTable labelledBy="ranked" rows={data.ranked} />
        <ScoresAsOf asOf={data.asOf} />
      </Panel>
      <Panel id="charts" title="Trends">
        <AgeHistogram id="age" bins={data.ageBins} policyLines={data.policyLines} />
        <StackedBars
          id="flags-over-time"
          title="Flags over time by severity"
          summary={`Flags first seen on each of the last ${data.flagsOverTime.length} days, stacked by severity.`}
          series={SEVERITY_SERIES}
          days={data.flagsOverTime}
        />
        <AttestationHistoryChart days={data.attestationHistory} />
      </Panel>
    </>
  );
}
