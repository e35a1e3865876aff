import { Link } from "@remix-run/react";
import type { SerializeFrom } from "@remix-run/node";
import { AgeHistogram } from "~/components/charts/age-histogram";
import { LineChart } from "~/components/charts/line-chart";
import { SOURCES_SERIES, USAGE_SERIES } from "~/components/charts/series";
import { DataTable } from "~/components/data-table";
import { AttestationBadge, RiskBadge, RiskLines } from "~/components/risk";
import { UtcTime } from "~/components/utc-time";
import type { partnerDashboard } from "~/models/dashboard-partner.server";
import { SeverityBadge } from "./severity-badge";
import { Panel, Stat } from "./panels";

export type PartnerData = SerializeFrom<ReturnType<typeof partnerDashboard>>;

export function PartnerDashboard({ data, ownSlug }: { data: PartnerData; ownSlug: string | null }) {
  const own = data.orgs.find((o) => o.slug === ownSlug) ?? data.orgs[0];
  const attestationsDue = data.orgs.filter((o) => o.attestation.state !== "current");
  return (
    <>
      <div className="grid">
        <Stat label="Attestations to do" value={attestationsDue.length} to="/attestations" />
        <Stat label="Rotations overdue" value={data.rotationTotals.overdue} to="/rotations" />
        <Stat label="Rotations due in 14 days" value={data.rotationTotals.due - data.rotationTotals.overdue} to="/rotations" />
        <Stat label="Review first passes" value={data.firstPasses.reduce((s, c) => s + c.pending, 0)} to="/reviews" />
        <Stat label="Open flags" value={data.openFlagCount} to="/flags" />
      </div>
      <div className="dash-columns">
        <Panel id="attestations" title="Attestations" action={<Link to="/attestations">Open attestations</Link>}>
          <DataTable
            labelledBy="attestations"
            columns={["Organisation", "Status", "Due", "Current until", { label: "Open gaps", className: "num" }]}
            rows={data.orgs}
            row={(o) => (
              <tr key={o.slug}>
                <td>
                  <Link to={`/orgs/${o.slug}`}>{o.name}</Link>
                </td>
                <td>
                  <AttestationBadge state={o.attestation.state} />
                </td>
                <td>{o.attestation.dueDate ?? "—"}</td>
                <td>{o.attestation.currentUntil ?? "—"}</td>
                <td className="num">{o.attestation.openGaps}</td>
              </tr>
            )}
          />
        </Panel>
        <Panel id="rotations" title="Rotations due and overdue" action={<Link to="/rotations">Rotation schedule</Link>}>
          <DataTable
            labelledBy="rotations"
            columns={["Credential", "Organisation", "Due", { label: "Age (days)", className: "num" }]}
            rows={data.rotations}
            empty="No rotation is due in the next 14 days."
            row={(r) => (
              <tr key={r.keyId}>
                <td>
                  <Link to={`/credentials/${r.keyId}`}>
                    <code>{r.keyId}</code>
                  </Link>{" "}
                  {r.rotationState === "overdue" ? <span className="badge badge-bad">overdue</span> : <span className="badge badge-warn">due soon</span>}
                </td>
                <td>{r.orgName}</td>
                <td>
                  <UtcTime iso={r.dueAt} />
                </td>
                <td className="num">{r.ageDays}</td>
              </tr>
            )}
          />
          {data.rotationTotals.due > data.rotations.length ? (
            <p className="muted">
              The {data.rotations.length} most urgent of {data.rotationTotals.due}: <Link to="/rotations">see them all</Link>.
            </p>
          ) : null}
        </Panel>
        <Panel id="first-passes" title="Access reviews waiting for your first pass" action={<Link to="/reviews">Access reviews</Link>}>
          {data.firstPasses.length === 0 ? (
            <p className="muted">Nothing waits for you.</p>
          ) : (
            <ul>
              {data.firstPasses.map((c) => (
                <li key={`${c.id}-${c.orgName}`}>
                  <Link to={`/reviews/${c.id}`}>{c.name}</Link>: {c.pending} to look at, due {c.dueDate} <span className="muted">({c.orgName})</span>
                </li>
              ))}
            </ul>
          )}
        </Panel>
        <Panel id="flags" title={data.canRespond ? "Flags to respond to" : "Open flags"} action={<Link to="/flags">All flags</Link>}>
          <DataTable
            labelledBy="flags"
            columns={["Flag", "Severity", "Credential", "Last seen"]}
            rows={data.flags}
            empty="No open flags."
            row={(f) => (
              <tr key={f.id}>
                <td>
                  <Link to={`/flags/${f.id}`}>{f.rule}</Link> <span className="muted">{f.summary}</span>
                </td>
                <td>
                  <SeverityBadge severity={f.severity} />
                </td>
                <td>{f.keyId ? <code>{f.keyId}</code> : "—"}</td>
                <td>
                  <UtcTime iso={f.lastSeen} />
                </td>
              </tr>
            )}
          />
        </Panel>
      </div>
      {own ? (
        <Panel id="risk" title={`${own.name}: risk score`} action={<Link to={`/orgs/${own.slug}#risk`}>Trend and details</Link>}>
          <p>
            <RiskBadge score={own.score} level={own.level} />
          </p>
          <RiskLines lines={own.lines} score={own.score} />
        </Panel>
      ) : null}
      <Panel id="charts" title="Your usage">
        <LineChart id="usage" title="Requests and errors per day" summary={`Your organisation's gateway requests and errors over the last ${data.usage.length} days.`} series={USAGE_SERIES} days={data.usage} />
        <LineChart id="usage-sources" title="Distinct source IPs per day" summary="Distinct source IP addresses your credentials were used from, per day." series={SOURCES_SERIES} days={data.usage} />
        <AgeHistogram id="age" bins={data.ageBins} policyLines={data.policyLines} />
      </Panel>
    </>
  );
}
