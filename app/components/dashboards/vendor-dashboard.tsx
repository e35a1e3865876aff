import { Link } from "@remix-run/react";
import type { SerializeFrom } from "@remix-run/node";
import { AgeHistogram } from "~/components/charts/age-histogram";
import { DataTable } from "~/components/data-table";
import { ProgressBar } from "~/components/progress-bar";
import { AttestationBadge } from "~/components/risk";
import type { vendorDashboard } from "~/models/dashboard-vendor.server";
import { AttestationHistoryChart } from "./attestation-history-chart";
import { Panel, Stat } from "./panels";
import { RankedOrgsTable } from "./ranked-orgs";
import { ScoresAsOf } from "./scores-as-of";

export type VendorData = SerializeFrom<ReturnType<typeof vendorDashboard>>;

export function VendorDashboard({ data }: { data: VendorData }) {
  return (
    <>
      <div className="grid">
        <Stat label="Organisations at high or critical risk" value={(data.levels.high ?? 0) + (data.levels.critical ?? 0)} to="/orgs" />
        <Stat label="Attestations outstanding" value={data.attestations.total} to="/attestations" />
        <Stat label="Credentials overdue for rotation" value={data.rotations.overdue} to="/rotations" />
        <Stat label="Contractors awaiting approval" value={data.awaitingContractors.length} to="/orgs?status=onboarding&kind=contractor" />
      </div>
      <div className="dash-columns">
        <Panel id="ranked" title="Organisations ranked by risk" action={<Link to="/dashboard/risk">Full ranking ({data.orgCount})</Link>}>
          <RankedOrgsTable labelledBy="ranked" rows={data.ranked} />
          <ScoresAsOf asOf={data.asOf} />
        </Panel>
        <Panel id="attestations" title="Outstanding attestations" action={<Link to="/attestations">Attestations</Link>}>
          <DataTable
            labelledBy="attestations"
            columns={["Organisation", "Status", "Due", "Open gaps"]}
            rows={data.attestations.outstanding}
            empty="Every organisation's attestation is current."
            row={(a) => (
              <tr key={a.slug}>
                <td>
                  <Link to={`/orgs/${a.slug}`}>{a.name}</Link>
                </td>
                <td>
                  <AttestationBadge state={a.state} />
                </td>
                <td>{a.dueDate ?? "—"}</td>
                <td className="num">{a.openGaps}</td>
              </tr>
            )}
          />
          {data.attestations.total > data.attestations.outstanding.length ? <p className="muted">and {data.attestations.total - data.attestations.outstanding.length} more.</p> : null}
        </Panel>
        <Panel id="rotations" title="Overdue rotations" action={<Link to="/rotations">Rotation schedule</Link>}>
          <DataTable
            labelledBy="rotations"
            columns={["Organisation", { label: "Overdue", className: "num" }]}
            rows={data.rotations.orgs}
            empty="No credential is overdue for rotation."
            row={(o) => (
              <tr key={o.slug}>
                <td>
                  <Link to={`/rotations?org=${o.slug}`}>{o.name}</Link>
                </td>
                <td className="num">{o.overdue}</td>
              </tr>
            )}
          />
        </Panel>
        <Panel id="campaigns" title="Open review campaigns" action={<Link to="/reviews">Access reviews</Link>}>
          {data.campaigns.length === 0 ? (
            <p className="muted">No campaign is open.</p>
          ) : (
            data.campaigns.map((c) => (
              <div key={c.id}>
                <Link to={`/reviews/${c.id}`}>{c.name}</Link> <span className="muted">due {c.dueDate}</span>
                <ProgressBar label={`${c.decided} of ${c.total} decided`} value={c.decided} max={Math.max(1, c.total)} detail={c.overdueItems ? `${c.overdueItems} overdue` : undefined} />
              </div>
            ))
          )}
        </Panel>
        <Panel id="contractors" title="Contractors awaiting approval">
          {data.awaitingContractors.length === 0 ? (
            <p className="muted">No contractor is waiting.</p>
          ) : (
            <ul>
              {data.awaitingContractors.map((o) => (
                <li key={o.slug}>
                  <Link to={`/orgs/${o.slug}`}>{o.name}</Link> {o.parentName ? <span className="muted">sponsored by {o.parentName}</span> : null}
                </li>
              ))}
            </ul>
          )}
        </Panel>
      </div>
      <Panel id="charts" title="Trends">
        <AgeHistogram id="age" bins={data.ageBins} policyLines={data.policyLines} />
        <AttestationHistoryChart days={data.attestationHistory} />
      </Panel>
    </>
  );
}
