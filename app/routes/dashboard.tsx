import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth.server";
import { Badge } from "~/components/badge";
import { ROLE_LABELS } from "~/domain/roles";
import { dashboardSummary } from "~/models/dashboard.server";

export const meta: MetaFunction = () => [{ title: "Dashboard · Keyward" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:dashboard:any");
  return json({ role: user.role, name: user.name, orgName: user.orgName, orgSlug: user.orgSlug, summary: dashboardSummary(user) });
}

export default function Dashboard() {
  const { role, name, orgName, orgSlug, summary } = useLoaderData<typeof loader>();
  return (
    <main>
      <div className="page-header">
        <h1>Good to see you, {name.split(" ")[0]}</h1>
        <Badge tone="info">{ROLE_LABELS[role]}</Badge>
      </div>
      <div className="grid">
        <Stat label={orgName ? "Organisations you can see" : "Organisations"} value={summary.orgs.total} to="/orgs" />
        <Stat label="Active organisations" value={summary.orgs.active} to="/orgs?status=active" />
        <Stat label="Awaiting approval" value={summary.orgs.onboarding} to="/orgs?status=onboarding" />
        <Stat label="Users" value={summary.users.total} to="/users" />
        <Stat label="Invitations outstanding" value={summary.users.invited} to="/users?status=invited" />
      </div>
      {summary.awaitingApproval.length > 0 ? (
        <section className="panel" aria-labelledby="awaiting">
          <h2 id="awaiting">{role === "vendor_manager" ? "Organisations awaiting your approval" : "Organisations being onboarded"}</h2>
          <ul>
            {summary.awaitingApproval.map((o) => (
              <li key={o.slug}>
                <Link to={`/orgs/${o.slug}`}>{o.name}</Link> <span className="muted">({o.kind}{o.parentName ? `, sponsored by ${o.parentName}` : ""})</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {orgSlug ? (
        <section className="panel">
          <h2>Your organisation</h2>
          <p>
            <Link to={`/orgs/${orgSlug}`}>{orgName}</Link>: its users, contractors and agreement.
          </p>
        </section>
      ) : null}
      <section className="panel">
        <h2>Coming next</h2>
        <p className="muted">Credential inventory, attestations, access reviews, gateway-log imports and anomaly flags appear here as they land.</p>
      </section>
    </main>
  );
}

function Stat({ label, value, to }: { label: string; value: number; to: string }) {
  return (
    <Link to={to} className="stat">
      <div className="value">{value}</div>
      <div className="label">{label}</div>
    </Link>
  );
}
