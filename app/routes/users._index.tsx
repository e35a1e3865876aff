import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { requireUser } from "~/auth.server";
import { StatusBadge } from "~/components/badge";
import { DataTable } from "~/components/data-table";
import { SelectField, TextField } from "~/components/form";
import { Pagination } from "~/components/pagination";
import { capitalise } from "~/domain/labels";
import { can } from "~/domain/permissions";
import { ROLE_LABELS, ROLES } from "~/domain/roles";
import { listUserOrgOptions, listUsers } from "~/models/user.server";
import { UtcTime } from "~/components/utc-time";

export const meta: MetaFunction = () => [{ title: "Users · Keyward" }];

const USER_STATUSES = ["invited", "active", "deactivated"] as const;

/** The Users page's query string; anything unrecognised is ignored rather than refused. */
const UserListQuerySchema = z.object({
  q: z.string().trim().max(120).optional().catch(undefined),
  role: z.enum(ROLES).optional().catch(undefined),
  status: z.enum(USER_STATUSES).optional().catch(undefined),
  org: z.string().trim().max(120).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:user");
  const query = UserListQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const list = listUsers(user, { q: query.q || undefined, role: query.role, status: query.status, orgSlug: query.org || undefined, page: query.page });
  return json({
    list: { ...list, rows: list.rows.map(({ orgId: _orgId, ...row }) => row) },
    orgs: listUserOrgOptions(user),
    canInvite: can(user, "invite:user"),
    internal: user.orgId === null,
  });
}

export default function Users() {
  const { list, orgs, canInvite, internal } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const filtered = ["q", "role", "status", "org"].some((k) => params.get(k));
  return (
    <main>
      <div className="page-header">
        <h1>Users</h1>
        {canInvite ? (
          <Link to="/users/new" className="button primary">
            Invite a user
          </Link>
        ) : null}
      </div>
      <Form method="get" className="filters" role="search" aria-label="Filter users">
        <TextField label="Search" name="q" type="search" placeholder="Name or email" defaultValue={params.get("q") ?? ""} />
        <SelectField label="Role" name="role" placeholder="Any role" options={ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))} defaultValue={params.get("role") ?? ""} />
        <SelectField label="Status" name="status" placeholder="Any status" options={USER_STATUSES.map((s) => ({ value: s, label: capitalise(s) }))} defaultValue={params.get("status") ?? ""} />
        {orgs.length > 1 || internal ? (
          <SelectField label="Organisation" name="org" placeholder="Any organisation" options={orgs.map((o) => ({ value: o.slug, label: o.name }))} defaultValue={params.get("org") ?? ""} />
        ) : null}
        <div className="actions">
          <button type="submit">Filter</button>
          {filtered ? <Link to="/users">Clear</Link> : null}
        </div>
      </Form>
      <DataTable
        label="Users"
        columns={["Name", "Email", "Role", "Organisation", "Status", "Last sign-in"]}
        rows={list.rows}
        empty={filtered ? "No users match these filters." : "No users yet."}
        row={(u) => (
          <tr key={u.id}>
            <td>
              <Link to={`/users/${u.id}`}>{u.name}</Link>
            </td>
            <td className="mono">{u.email}</td>
            <td>{ROLE_LABELS[u.role]}</td>
            <td>{u.orgSlug ? <Link to={`/orgs/${u.orgSlug}`}>{u.orgName}</Link> : <span className="muted">Internal</span>}</td>
            <td>
              <StatusBadge status={u.status} />
            </td>
            <td>{u.lastLoginAt ? <UtcTime iso={u.lastLoginAt} /> : <span className="muted">Never</span>}</td>
          </tr>
        )}
      />
      <Pagination page={list.page} pageCount={list.pageCount} total={list.total} noun="user" />
    </main>
  );
}

/** A timestamp shown the same on server and client (UTC), so hydration does not disagree. */
