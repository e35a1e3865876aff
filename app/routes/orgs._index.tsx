import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth.server";
import { Badge, StatusBadge } from "~/components/badge";
import { DataTable } from "~/components/data-table";
import { SelectField, TextField } from "~/components/form";
import { Pagination } from "~/components/pagination";
import { capitalise } from "~/domain/labels";
import { can } from "~/domain/permissions";
import { ORG_KINDS, ORG_STATUSES, ORG_TIERS, STATUS_LABELS } from "~/domain/organization";
import { listOrganizations, OrgListQuerySchema } from "~/models/organization.server";

export const meta: MetaFunction = () => [{ title: "Organisations · Keyward" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:org");
  const filter = OrgListQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const result = listOrganizations(user, filter);
  return json({
    filter,
    result,
    canCreate: can(user, "create:org:any"),
    canSponsor: can(user, "sponsor:org:own"),
    // A contractor's users cannot open their sponsor's page (tenancy): show its name without a link.
    linkSponsor: user.orgKind !== "contractor",
  });
}

export default function Organisations() {
  const { filter, result, canCreate, canSponsor, linkSponsor } = useLoaderData<typeof loader>();
  const filtered = Boolean(filter.q || filter.kind || filter.tier || filter.status);
  return (
    <main>
      <div className="page-header">
        <h1>Organisations</h1>
        <div className="actions">
          {canCreate ? (
            <Link to="/orgs/new" className="button primary">
              New organisation
            </Link>
          ) : null}
          {canSponsor ? (
            <Link to="/orgs/new" className="button primary">
              Sponsor a contractor
            </Link>
          ) : null}
        </div>
      </div>

      <Form method="get" className="filters" role="search" aria-label="Filter organisations">
        <TextField label="Search" name="q" type="search" placeholder="Name or slug" defaultValue={filter.q ?? ""} />
        <SelectField label="Kind" name="kind" placeholder="Any kind" defaultValue={filter.kind ?? ""} options={ORG_KINDS.map((k) => ({ value: k, label: capitalise(k) }))} />
        <SelectField label="Tier" name="tier" placeholder="Any tier" defaultValue={filter.tier ?? ""} options={ORG_TIERS.map((t) => ({ value: t, label: capitalise(t) }))} />
        <SelectField label="Status" name="status" placeholder="Any status" defaultValue={filter.status ?? ""} options={ORG_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))} />
        <button type="submit">Filter</button>
        {filtered ? <Link to="/orgs">Clear</Link> : null}
      </Form>

      <DataTable
        label="Organisations"
        columns={["Name", "Kind", "Tier", "Status", "Sponsor", "Owner", { label: "Users", className: "num" }]}
        rows={result.rows}
        empty={filtered ? "No organisation matches these filters." : "No organisations yet."}
        row={(o) => (
          <tr key={o.id}>
            <td>
              <Link to={`/orgs/${o.slug}`}>{o.name}</Link>
              <div className="muted mono">{o.slug}</div>
            </td>
            <td>{capitalise(o.kind)}</td>
            <td>{o.tier === "restricted" ? <Badge tone="warn">Restricted</Badge> : "Standard"}</td>
            <td>
              <StatusBadge status={o.status} label={STATUS_LABELS[o.status]} />
            </td>
            <td>{o.parentSlug ? linkSponsor ? <Link to={`/orgs/${o.parentSlug}`}>{o.parentName}</Link> : o.parentName : <span className="muted">—</span>}</td>
            <td>{o.ownerName ?? <span className="muted">—</span>}</td>
            <td className="num">{o.userCount}</td>
          </tr>
        )}
      />
      <Pagination page={result.page} pageCount={result.pageCount} total={result.total} noun="organisation" />
    </main>
  );
}
