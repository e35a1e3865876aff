import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireUser } from "~/auth.server";
import { Badge } from "~/components/badge";
import { DataTable } from "~/components/data-table";
import { Pagination } from "~/components/pagination";
import { ProgressBar } from "~/components/progress-bar";
import { can } from "~/domain/permissions";
import { listCampaigns } from "~/models/campaign-progress.server";

export const meta: MetaFunction = () => [{ title: "Access reviews · Keyward" }];

const Query = z.object({ page: z.coerce.number().int().positive().optional().catch(undefined), status: z.enum(["scheduled", "open", "closed"]).optional().catch(undefined) });

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:campaign");
  const params = new URL(request.url).searchParams;
  const q = Query.parse({ page: params.get("page") ?? undefined, status: params.get("status") || undefined });
  const list = listCampaigns(user, q);
  return json({ ...list, status: q.status ?? "", canCreate: can(user, "create:campaign:any"), partner: !can(user, "read:campaign:any") });
}

const TONES = { scheduled: "info", open: "warn", closed: "good" } as const;

export default function Reviews() {
  const { rows, total, page, pageCount, canCreate, partner, status } = useLoaderData<typeof loader>();
  return (
    <main>
      <div className="page-header">
        <div>
          <h1>Access reviews</h1>
          <p className="muted">
            {partner
              ? "Campaigns asking your organisation for a first pass on its credentials: keep, revoke, narrow or unsure, before the internal reviewer decides."
              : "Every credential held outside the company, certified or revoked by a named reviewer on a cadence."}
          </p>
        </div>
        {canCreate ? (
          <Link className="button" to="/reviews/new">
            New campaign
          </Link>
        ) : null}
      </div>
      <nav className="actions" aria-label="Filter by status">
        {["", "open", "scheduled", "closed"].map((s) => (
          <Link key={s} to={s ? `?status=${s}` : "?"} aria-current={status === s ? "page" : undefined}>
            {s || "All"}
          </Link>
        ))}
      </nav>
      <DataTable
        label="Campaigns"
        columns={["Campaign", "Status", "Opens", "Due", "Progress", { label: "Overdue items", className: "num" }, { label: "Revocations", className: "num" }]}
        rows={rows}
        empty={partner ? "No campaign is asking for your first pass." : "No campaign yet."}
        row={(c) => (
          <tr key={c.id}>
            <td>
              <Link to={`/reviews/${c.id}`}>{c.name}</Link>
              <div className="muted">
                {c.mode === "differential" ? "Differential" : "Full"}
                {c.recurrenceDays ? ` · every ${c.recurrenceDays} days` : ""}
                {c.firstPass ? " · partner first pass" : ""}
              </div>
            </td>
            <td>
              <Badge tone={TONES[c.status]}>{c.status}</Badge>
            </td>
            <td>{c.opensOn}</td>
            <td>{c.dueDate}</td>
            <td>
              <ProgressBar label={`${c.decided} of ${c.total} decided`} value={c.decided} max={Math.max(1, c.total)} />
            </td>
            <td className="num">{c.overdueItems ? <Badge tone="bad">{c.overdueItems}</Badge> : 0}</td>
            <td className="num">{c.revocations}</td>
          </tr>
        )}
      />
      <Pagination page={page} pageCount={pageCount} total={total} noun="campaign" />
    </main>
  );
}
