import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { requireUser } from "~/auth.server";
import { Badge, StatusBadge } from "~/components/badge";
import { DataTable } from "~/components/data-table";
import { OrgStatusActions, needsConfirmation, statusChangeLabel } from "~/components/org-status-actions";
import { fieldErrors, formValues } from "~/domain/form-errors";
import { capitalise } from "~/domain/labels";
import { allowedStatusChanges, OrgStatusChangeSchema, STATUS_LABELS, type OrgStatus } from "~/domain/organization";
import { can, type Permission } from "~/domain/permissions";
import { ROLE_LABELS } from "~/domain/roles";
import { getOrganization, listContractors, setOrganizationStatus } from "~/models/organization.server";
import { listOrgUsers } from "~/models/user.server";
import { describeEndpoints, describeModels } from "~/domain/credential";
import { getEntitlements } from "~/models/entitlement.server";
import { AttestationStateBadge } from "~/components/attestation-badges";
import { GapTable } from "~/components/attestation-gaps";
import { listAttestations, listGaps } from "~/models/attestation.server";
import { OrgRiskSection } from "~/components/org-risk-section";
import { orgRiskPanel } from "~/models/risk-panel.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.org.name ?? "Organisation"} · Keyward` }];

/** Approving a new organisation and the other status changes are separate permissions. */
function statusPermission(from: OrgStatus, to: OrgStatus): Permission {
  return from === "onboarding" && to === "active" ? "approve:org:any" : "update:org:any";
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:org");
  const org = getOrganization(user, params.slug ?? "");
  if (!org) throw new Response("Not found", { status: 404 });
  const { attestation: attestationStatus, ...risk } = orgRiskPanel(org); // the status its score read: one query
  return json({
    org,
    users: listOrgUsers(org.id),
    contractors: org.kind === "partner" ? listContractors(user, org.id) : [],
    statusChanges: allowedStatusChanges(org.status).filter((to) => can(user, statusPermission(org.status, to))),
    canManageStatus: can(user, "update:org:any") || can(user, "approve:org:any"),
    canEdit: can(user, "update:org:any"),
    canSponsor: can(user, "sponsor:org:own") && user.orgId === org.id,
    // A contractor's users cannot open their sponsor's page, so its name is shown without a link.
    linkSponsor: user.orgKind !== "contractor",
    entitlements: getEntitlements(org.id),
    canEditEntitlements: can(user, "update:entitlement:any"),
    canReadCredentials: can(user, "read:credential"),
    attestation: can(user, "read:attestation")
      ? {
          status: attestationStatus,
          latest: listAttestations(user, { orgId: org.id }, new Date(), 1).rows.map((a) => ({ id: a.id, status: a.status, periodEnd: a.periodEnd, dueDate: a.dueDate }))[0] ?? null,
          gaps: listGaps(user, { orgId: org.id, openOnly: true }),
          canEditGaps: can(user, "review:attestation:any") || (user.orgId === org.id && can(user, "submit:attestation:own")),
        }
      : null,
    risk, // issue 8: score, explanation, 90-day trend
  });
}

/** The status form: a transition, an optional reason, and a ticked confirmation for suspend/offboard. */
const StatusFormSchema = OrgStatusChangeSchema.extend({ confirm: z.string().optional() }).superRefine((v, ctx) => {
  if (needsConfirmation(v.status) && v.confirm !== "yes") ctx.addIssue({ code: "custom", path: ["confirm"], message: "Tick the box to confirm" });
});

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "read:org");
  const org = getOrganization(user, params.slug ?? "");
  if (!org) throw new Response("Not found", { status: 404 });
  if (!can(user, "update:org:any") && !can(user, "approve:org:any")) throw new Response("Only vendor managers change an organisation's status.", { status: 403 });
  const form = await request.formData();
  if (form.get("intent") !== "status") throw new Response("Unknown action", { status: 400 });
  const values = formValues(form);
  const parsed = StatusFormSchema.safeParse(values);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), values }, { status: 400 });
  const { status, reason } = parsed.data;
  if (!can(user, statusPermission(org.status, status))) throw new Response("Only vendor managers change an organisation's status.", { status: 403 });
  const result = setOrganizationStatus({ actor: user, ip: context.clientIp }, org, status, reason || undefined);
  if (!result.ok) return json({ errors: { [result.field]: [result.message] }, values }, { status: 400 });
  return redirect(`/orgs/${org.slug}?changed=${status}`);
}

const date = (d: string | null) => (d ? new Date(d).toISOString().slice(0, 10) : null);

function Flash() {
  const [params] = useSearchParams();
  let message: string | null = null;
  if (params.get("created")) message = "Organisation created. It stays onboarding until you approve it.";
  else if (params.get("sponsored")) message = "Contractor sponsored. It stays onboarding until a vendor manager approves it.";
  else if (params.get("saved")) message = "Changes saved.";
  else {
    const changed = params.get("changed");
    if (changed && changed in STATUS_LABELS) message = `Status changed to ${STATUS_LABELS[changed as OrgStatus].toLowerCase()}.`;
  }
  return message ? (
    <div className="alert success" role="status">
      {message}
    </div>
  ) : null;
}

export default function OrganisationDetail() {
  const { org, users, contractors, statusChanges, canManageStatus, canEdit, canSponsor, linkSponsor, entitlements, canEditEntitlements, canReadCredentials, attestation, risk } =
    useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <main>
      <p>
        <Link to="/orgs">← Organisations</Link>
      </p>
      <div className="page-header">
        <h1>
          {org.name} <StatusBadge status={org.status} label={STATUS_LABELS[org.status]} />
        </h1>
        <div className="actions">
          {canEdit ? (
            <Link to={`/orgs/${org.slug}/edit`} className="button">
              Edit
            </Link>
          ) : null}
          {canSponsor && org.kind === "partner" ? (
            <Link to="/orgs/new" className="button primary">
              Sponsor a contractor
            </Link>
          ) : null}
        </div>
      </div>
      <Flash />
      {org.status === "onboarding" ? (
        <div className="alert info">
          {canManageStatus ? "This organisation is awaiting your approval." : "This organisation is awaiting approval by a vendor manager."}
        </div>
      ) : null}

      <div className="cols">
        <div>
          <section className="panel" aria-labelledby="facts">
            <h2 id="facts">Details</h2>
            <dl className="facts">
              <dt>Slug</dt>
              <dd className="mono">{org.slug}</dd>
              <dt>Kind</dt>
              <dd>{capitalise(org.kind)}</dd>
              <dt>Tier</dt>
              <dd>{org.tier === "restricted" ? <Badge tone="warn">Restricted</Badge> : "Standard"}</dd>
              <dt>Status</dt>
              <dd>{STATUS_LABELS[org.status]}</dd>
              {org.kind === "contractor" ? (
                <>
                  <dt>Sponsor</dt>
                  <dd>{org.parentSlug ? linkSponsor ? <Link to={`/orgs/${org.parentSlug}`}>{org.parentName}</Link> : org.parentName : "—"}</dd>
                </>
              ) : null}
              <dt>Owner</dt>
              <dd>{org.ownerName ? `${org.ownerName} (${org.ownerEmail})` : <span className="muted">None</span>}</dd>
              <dt>Agreement</dt>
              <dd>
                {org.agreementStart || org.agreementEnd ? (
                  <>
                    {org.agreementStart ?? "…"} to {org.agreementEnd ?? "…"}
                  </>
                ) : (
                  <span className="muted">Not recorded</span>
                )}
              </dd>
              <dt>Contact</dt>
              <dd>{org.contactEmail ? <a href={`mailto:${org.contactEmail}`}>{org.contactEmail}</a> : <span className="muted">None</span>}</dd>
              <dt>Created</dt>
              <dd>{date(org.createdAt)}</dd>
            </dl>
          </section>

          <OrgRiskSection risk={risk} />

          <section className="panel" aria-labelledby="entitlements">
            <h2 id="entitlements">Entitlements</h2>
            <dl className="facts">
              <dt>Models</dt>
              <dd>{describeModels(entitlements.models)}</dd>
              <dt>Endpoints</dt>
              <dd>{describeEndpoints(entitlements.endpoints)}</dd>
            </dl>
            <p className="actions entitlements-links">
              {canEditEntitlements ? <Link to={`/orgs/${org.slug}/entitlements`}>Edit entitlements</Link> : null}
              {canReadCredentials ? <Link to={`/credentials?org=${encodeURIComponent(org.slug)}`}>Credentials of {org.name}</Link> : null}
            </p>
          </section>

          {attestation ? (
            <section className="panel" aria-labelledby="attestation">
              <h2 id="attestation">Attestation</h2>
              <dl className="facts">
                <dt>Status</dt>
                <dd>
                  <AttestationStateBadge state={attestation.status.state} />
                </dd>
                <dt>Current until</dt>
                <dd>{attestation.status.currentUntil ?? <span className="muted">No accepted attestation</span>}</dd>
                <dt>Due</dt>
                <dd>{attestation.status.dueDate ?? <span className="muted">Nothing requested</span>}</dd>
                <dt>Open gaps</dt>
                <dd>{attestation.status.openGaps}</dd>
              </dl>
              {attestation.latest ? (
                <p>
                  <Link to={`/attestations/${attestation.latest.id}`}>Latest attestation</Link> ({attestation.latest.status.replace("_", " ")}, period ending {attestation.latest.periodEnd})
                </p>
              ) : null}
              {attestation.gaps.length ? <GapTable gaps={attestation.gaps} editable={attestation.canEditGaps} /> : null}
            </section>
          ) : null}

          <section className="panel" aria-labelledby="users">
            <h2 id="users">Users</h2>
            {users.length === 0 ? (
              <p className="muted">No users yet.</p>
            ) : (
              <DataTable
                labelledBy="users"
                columns={["Name", "Email", "Role", "Status", "Last sign-in"]}
                rows={users}
                row={(u) => (
                  <tr key={u.id}>
                    <td>{u.name}</td>
                    <td className="mono">{u.email}</td>
                    <td>{ROLE_LABELS[u.role]}</td>
                    <td>
                      <StatusBadge status={u.status} />
                    </td>
                    <td>{date(u.lastLoginAt) ?? <span className="muted">Never</span>}</td>
                  </tr>
                )}
              />
            )}
          </section>

          {org.kind === "partner" ? (
            <section className="panel" aria-labelledby="contractors">
              <h2 id="contractors">Contractors</h2>
              {contractors.length === 0 ? (
                <p className="muted">This partner sponsors no contractors.</p>
              ) : (
                <DataTable
                  labelledBy="contractors"
                  columns={["Name", "Tier", "Status"]}
                  rows={contractors}
                  row={(c) => (
                    <tr key={c.id}>
                      <td>
                        <Link to={`/orgs/${c.slug}`}>{c.name}</Link>
                      </td>
                      <td>{capitalise(c.tier)}</td>
                      <td>
                        <StatusBadge status={c.status} label={STATUS_LABELS[c.status]} />
                      </td>
                    </tr>
                  )}
                />
              )}
            </section>
          ) : null}
        </div>

        {canManageStatus ? (
          <aside className="panel" aria-labelledby="status-actions">
            <h2 id="status-actions">Status</h2>
            <p>
              Currently <strong>{STATUS_LABELS[org.status].toLowerCase()}</strong>.
              {statusChanges.length ? ` You can ${statusChanges.map((to) => statusChangeLabel(org.status, to).toLowerCase()).join(" or ")} it.` : ""}
            </p>
            <OrgStatusActions from={org.status} changes={statusChanges} orgName={org.name} errors={actionData?.errors} values={actionData?.values} />
          </aside>
        ) : null}
      </div>
    </main>
  );
}
