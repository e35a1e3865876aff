import { Link } from "@remix-run/react";
import { DataTable } from "~/components/data-table";
import { RiskBadge } from "~/components/risk";

type RankedOrg = { slug: string; name: string; kind?: string; tier?: string; score: number; level: Parameters<typeof RiskBadge>[0]["level"]; top: string | null };

/** Organisations by risk score, highest first, each with its largest finding (vendor manager's and auditor's dashboards). */
export function RankedOrgsTable({ rows, labelledBy }: { rows: RankedOrg[]; labelledBy: string }) {
  return (
    <DataTable
      labelledBy={labelledBy}
      columns={["Organisation", "Risk", "Largest finding"]}
      rows={rows}
      empty="No organisations yet."
      row={(o) => (
        <tr key={o.slug}>
          <td>
            <Link to={`/orgs/${o.slug}#risk`}>{o.name}</Link>
            {o.kind && o.tier ? <span className="muted"> ({o.kind}, {o.tier})</span> : null}
          </td>
          <td>
            <RiskBadge score={o.score} level={o.level} />
          </td>
          <td>{o.top ?? <span className="muted">none</span>}</td>
        </tr>
      )}
    />
  );
}
