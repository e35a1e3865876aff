import { Link } from "@remix-run/react";
import { DataTable } from "~/components/data-table";
import { RiskBadge } from "~/components/risk";

type RankedOrg = { slug: string; name: string; kind?: string; tier?: string; score: number; level: Parameters<typeof RiskBadge>[0]["level"]; top: string | null };

/** Organisations by risk score, highest first, each with its rank and largest finding (vendor manager's and auditor's dashboards, the full ranking). */
export function RankedOrgsTable({ rows, labelledBy, first = 1 }: { rows: RankedOrg[]; labelledBy: string; first?: number }) {
  return (
    <DataTable
      labelledBy={labelledBy}
      columns={[{ label: "#", className: "num" }, "Organisation", "Risk", "Largest finding"]}
      rows={rows.map((r, i) => ({ ...r, rank: first + i }))}
      empty="No organisations yet."
      row={(o) => (
        <tr key={o.slug}>
          <td className="num">{o.rank}</td>
          <td>
            <Link to={`/orgs/${o.slug}#risk`}>{o.name}</Link>
            {o.kind && o.tier ? (
              <span className="muted">
                {" "}
                ({o.kind}, {o.tier})
              </span>
            ) : null}
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
