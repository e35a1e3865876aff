import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth.server";
import { Badge } from "~/components/badge";
import { DataTable } from "~/components/data-table";
import { CredentialStatusBadge, RotationBadge } from "~/components/credential-badges";
import { SelectField } from "~/components/form";
import { UtcTime } from "~/components/utc-time";
import { ScheduleQuerySchema, SCHEDULE_WINDOWS } from "~/domain/credential-lifecycle";
import { listRotationSchedule, listScheduleOrgs } from "~/models/rotation-schedule.server";

export const meta: MetaFunction = () => [{ title: "Rotation schedule · Keyward" }];

const PER_ORG = 50;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:rotation");
  const params = new URL(request.url).searchParams;
  const { within, org } = ScheduleQuerySchema.parse({ within: params.get("within") ?? undefined, org: params.get("org") || undefined });
  const orgs = listScheduleOrgs(user);
  const orgSlug = org && orgs.some((o) => o.slug === org) ? org : undefined;
  const groups = listRotationSchedule(user, { withinDays: within, orgSlug, perOrg: PER_ORG });
  return json({
    within,
    org: orgSlug ?? "",
    orgs: orgs.length > 1 ? orgs : [],
    perOrg: PER_ORG,
    groups: groups.map((g) => ({ ...g, rows: g.rows.map((r) => ({ ...r, dueAt: r.dueAt.toISOString(), lastRotatedAt: r.lastRotatedAt?.toISOString() ?? null })) })),
  });
}

const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;
/** Days left (positive) or overdue, as credentialHygiene counts them (0 or less is overdue). */
const dueIn = (n: number) => (n > 0 ? `${days(n)} left` : n === 0 ? "due today" : `${days(-n)} overdue`);

export default function Rotations() {
  const { within, org, orgs, groups, perOrg } = useLoaderData<typeof loader>();
  const overdue = groups.reduce((n, g) => n + g.overdue, 0);
  const total = groups.reduce((n, g) => n + g.total, 0);
  return (
    <main>
      <div className="page-header">
        <h1>Rotation schedule</h1>
        <p className="muted">Live credentials whose rotation is overdue or due within {days(within)}, by organisation and due date.</p>
      </div>

      <Form method="get" className="filters" role="search" aria-label="Filter the rotation schedule">
        <SelectField label="Due within" name="within" defaultValue={String(within)} options={SCHEDULE_WINDOWS.map((d) => ({ value: String(d), label: `${d} days` }))} />
        {orgs.length ? <SelectField label="Organisation" name="org" defaultValue={org} placeholder="All organisations" options={orgs.map((o) => ({ value: o.slug, label: o.name }))} /> : null}
        <button type="submit">Show</button>
      </Form>

      <p className="rotation-summary" role="status">
        {total === 0 ? (
          "Nothing to rotate in this window."
        ) : (
          <>
            {total} credential{total === 1 ? "" : "s"} to rotate, <strong>{overdue} overdue</strong>, across {groups.length} organisation{groups.length === 1 ? "" : "s"}.
          </>
        )}
      </p>

      {groups.map((g) => (
        <section key={g.orgSlug} className="panel rotation-group" aria-labelledby={`org-${g.orgSlug}`}>
          <h2 id={`org-${g.orgSlug}`}>
            <Link to={`/orgs/${g.orgSlug}`}>{g.orgName}</Link> {g.overdue ? <Badge tone="bad">{g.overdue} overdue</Badge> : null}{" "}
            <span className="muted rotation-policy">
              {g.orgTier} tier · rotate every {days(g.maxAgeDays)}
            </span>
          </h2>
          <DataTable
            labelledBy={`org-${g.orgSlug}`}
            columns={["Credential", "Holder", "Status", { label: "Age", className: "num" }, "Due", { label: "Days", className: "num" }]}
            rows={g.rows}
            row={(r) => (
              <tr key={r.keyId} className={r.rotationState === "overdue" ? "rotation-overdue" : undefined}>
                <td>
                  <Link to={`/credentials/${encodeURIComponent(r.keyId)}`}>{r.label}</Link>
                  <div className="mono muted">{r.keyId}</div>
                </td>
                <td>{r.holder ?? <span className="muted">Unknown</span>}</td>
                <td>
                  <CredentialStatusBadge status={r.status} />
                </td>
                <td className="num">{days(r.ageDays)}</td>
                <td>
                  <UtcTime iso={r.dueAt} /> <RotationBadge state={r.rotationState} />
                </td>
                <td className="num">{dueIn(r.daysUntilRotation)}</td>
              </tr>
            )}
          />
          {g.total > g.rows.length ? (
            <p className="muted">
              Showing the {perOrg} most urgent of {g.total}. Rotate these first, or filter the <Link to={`/credentials?org=${g.orgSlug}`}>inventory</Link>.
            </p>
          ) : null}
        </section>
      ))}
    </main>
  );
}
