import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth.server";
import { Badge } from "~/components/badge";
import { AuditorDashboard } from "~/components/dashboards/auditor-dashboard";
import { PartnerDashboard } from "~/components/dashboards/partner-dashboard";
import { SecurityDashboard } from "~/components/dashboards/security-dashboard";
import { VendorDashboard } from "~/components/dashboards/vendor-dashboard";
import { can } from "~/domain/permissions";
import { ROLE_LABELS } from "~/domain/roles";
import { auditorDashboard } from "~/models/dashboard-auditor.server";
import { serverTimer } from "~/models/dashboard-timing.server";
import { partnerDashboard } from "~/models/dashboard-partner.server";
import { securityDashboard } from "~/models/dashboard-security.server";
import { vendorDashboard } from "~/models/dashboard-vendor.server";

export const meta: MetaFunction = () => [{ title: "Dashboard · Keyward" }];

/** One page, one dashboard per role: the loader computes only the signed-in role's panels, within its tenant scope. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:dashboard:any");
  const head = {
    role: user.role,
    name: user.name,
    orgName: user.orgName,
    orgSlug: user.orgSlug,
    canExport: can(user, "export:evidence:any"),
  };
  const timer = serverTimer();
  const now = new Date();
  // Each panel's time in a Server-Timing header (the browser's network panel, the benchmark).
  const answer = <T,>(data: T) => json(data, { headers: { "Server-Timing": timer.header() } });
  switch (user.role) {
    case "vendor_manager":
      return answer({
        ...head,
        view: "vendor" as const,
        vendor: vendorDashboard(user, now, timer.time),
      });
    case "security":
      return answer({
        ...head,
        view: "security" as const,
        security: securityDashboard(user, now, timer.time),
      });
    case "auditor":
      return answer({
        ...head,
        view: "auditor" as const,
        auditor: auditorDashboard(user, now, timer.time),
      });
    default:
      return answer({
        ...head,
        view: "partner" as const,
        partner: partnerDashboard(user, now, timer.time),
      });
  }
}

export const headers: HeadersFunction = ({ loaderHeaders }) => ({
  "Server-Timing": loaderHeaders.get("Server-Timing") ?? "",
});

export default function Dashboard() {
  const data = useLoaderData<typeof loader>();
  return (
    <main>
      <div className="page-header">
        <h1>Good to see you, {data.name.split(" ")[0]}</h1>
        <Badge tone="info">{ROLE_LABELS[data.role]}</Badge>
        {data.orgName ? <span className="muted">{data.orgName}</span> : null}
        {data.canExport && data.view !== "auditor" ? (
          <div className="actions">
            <Link to="/evidence" className="button">
              Evidence pack
            </Link>
          </div>
        ) : null}
      </div>
      {data.view === "vendor" ? <VendorDashboard data={data.vendor} /> : null}
      {data.view === "security" ? <SecurityDashboard data={data.security} /> : null}
      {data.view === "auditor" ? <AuditorDashboard data={data.auditor} canExport={data.canExport} /> : null}
      {data.view === "partner" ? <PartnerDashboard data={data.partner} ownSlug={data.orgSlug} /> : null}
    </main>
  );
}
