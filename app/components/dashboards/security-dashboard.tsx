import { Link } from "@remix-run/react";
import type { SerializeFrom } from "@remix-run/node";
import { LineChart } from "~/components/charts/line-chart";
import { SEVERITY_SERIES, SOURCES_SERIES, USAGE_SERIES } from "~/components/charts/series";
import { StackedBars } from "~/components/charts/stacked-bars";
import { DataTable } from "~/components/data-table";
import { ImportStatusBadge } from "~/components/progress-bar";
import { UtcTime } from "~/components/utc-time";
import type { securityDashboard } from "~/models/dashboard-security.server";
import { SeverityBadge } from "./severity-badge";
import { Panel, Stat } from "./panels";

export type SecurityData = SerializeFrom<ReturnType<typeof securityDashboard>>;

export function SecurityDashboard({ data }: { data: SecurityData }) {
  const requests = data.usage.reduce((s, d) => s + d.requests, 0);
  const errors = data.usage.reduce((s, d) => s + d.errors, 0);
  return (
    <>
      <div className="grid">
        {SEVERITY_SERIES.slice(0, 4).map((s) => (
          <Stat key={s.key} label={`Open ${s.label.toLowerCase()} flags`} value={data.openBySeverity[s.key] ?? 0} to={`/flags?severity=${s.key}`} />
        ))}
      </div>
      <div className="dash-columns">
        <Panel id="flags-by-rule" title="Open flags by rule" action={<Link to="/flags">All flags ({data.openTotal} open)</Link>}>
          <DataTable
            labelledBy="flags-by-rule"
            columns={["Rule", "Severity", { label: "Open", className: "num" }]}
            rows={data.openByRule}
            empty="No open flags."
            row={(r) => (
              <tr key={`${r.rule}-${r.severity}`}>
                <td>
                  <Link to={`/flags?rule=${r.rule}`}>{r.rule}</Link>
                </td>
                <td>
                  <SeverityBadge severity={r.severity} />
                </td>
                <td className="num">{r.n}</td>
              </tr>
            )}
          />
        </Panel>
        <Panel id="most-flagged" title="Most-flagged credentials (30 days)">
          <DataTable
            labelledBy="most-flagged"
            columns={["Credential", "Organisation", "Worst", { label: "Flags", className: "num" }, { label: "Open", className: "num" }]}
            rows={data.mostFlagged}
            empty="No credential was flagged in the last 30 days."
            row={(m) => (
              <tr key={m.keyId}>
                <td>
                  <Link to={`/credentials/${m.keyId}`}>
                    <code>{m.keyId}</code>
                  </Link>
                </td>
                <td>
                  <Link to={`/orgs/${m.orgSlug}`}>{m.orgName}</Link>
                </td>
                <td>
                  <SeverityBadge severity={m.worst} />
                </td>
                <td className="num">{m.flags}</td>
                <td className="num">{m.open}</td>
              </tr>
            )}
          />
        </Panel>
      </div>
      <Panel id="imports" title="Recent imports and their health" action={<Link to="/imports">All imports</Link>}>
        <DataTable
          labelledBy="imports"
          columns={["Started", "Source", "Status", { label: "Lines", className: "num" }, { label: "Rejected", className: "num" }, { label: "Secrets stripped", className: "num" }, { label: "Unregistered keys", className: "num" }]}
          rows={data.imports}
          empty="No imports yet."
          row={(i) => (
            <tr key={i.id}>
              <td>
                <Link to={`/imports/${i.id}`}>
                  <UtcTime iso={i.startedAt} />
                </Link>
              </td>
              <td>
                {i.source} {i.fileName ? <span className="muted">{i.fileName}</span> : null}
              </td>
              <td>
                <ImportStatusBadge status={i.status} />
              </td>
              <td className="num">{i.lines}</td>
              <td className={i.rejected ? "num import-secrets" : "num"}>{i.rejected}</td>
              <td className={i.secretsStripped ? "num import-secrets" : "num"}>{i.secretsStripped}</td>
              <td className="num">{i.unregisteredKeys}</td>
            </tr>
          )}
        />
      </Panel>
      <Panel id="charts" title="Trends">
        <StackedBars id="flags-over-time" title="Flags over time by severity" summary={`Flags first seen on each of the last ${data.flagsOverTime.length} days, stacked by severity.`} series={SEVERITY_SERIES} days={data.flagsOverTime} />
        <LineChart id="requests-errors" title="Requests and errors per day" summary={`${requests} requests and ${errors} errors at the gateway over the last ${data.usage.length} days.`} series={USAGE_SERIES} days={data.usage} />
        <LineChart id="sources" title="Distinct source IPs per day" summary="Distinct source IP addresses seen per day across all credentials." series={SOURCES_SERIES} days={data.usage} />
      </Panel>
    </>
  );
}
