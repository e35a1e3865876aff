import type { ReactNode } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { requireUser } from "~/auth.server";
import { AttestationStateBadge, AttestationStatusBadge } from "~/components/attestation-badges";
import { DataTable } from "~/components/data-table";
import { Pagination } from "~/components/pagination";
import { nextStep } from "~/domain/attestation-labels";
import { blankToUndefined } from "~/domain/form-errors";
import { ORG_TIERS } from "~/domain/organization";
import { can } from "~/domain/permissions";
import { listGatingPolicies, setGatingPolicy } from "~/models/attestation-policy.server";
import { listAttestations, listOutstanding } from "~/models/attestation.server";

export const meta: MetaFunction = () => [{ title: "Attestations · Keyward" }];

const QuerySchema = z.object({
  page: z.preprocess(blankToUndefined, z.coerce.number().int().positive().optional()).catch(undefined),
  state: z.enum(["current", "due_soon", "overdue", "missing"]).optional().catch(undefined),
});

const summary = (a: ReturnType<typeof listAttestations>["rows"][number]) => ({
  id: a.id,
  orgName: a.orgName,
  orgSlug: a.orgSlug,
  status: a.status,
  periodStart: a.periodStart,
  periodEnd: a.periodEnd,
  dueDate: a.dueDate,
  templateVersion: a.templateVersion,
  submittedAt: a.submittedAt?.toISOString() ?? null,
  score: a.score,
});

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:attestation");
  const q = QuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const now = new Date();
  const internal = user.orgId === null;
  const outstanding = listOutstanding(user, { page: q.page, state: q.state }, now);
  return json({
    internal,
    canRequest: can(user, "request:attestation:any"),
    canEditTemplates: can(user, "read:template:any"),
    canSubmit: can(user, "submit:attestation:own"),
    queue: internal
      ? {
          submitted: listAttestations(user, { status: "submitted" }, now, 50).rows.map(summary),
          overdue: listAttestations(user, { status: "overdue" }, now, 50).rows.map(summary),
          dueSoon: listAttestations(user, { status: "due_soon" }, now, 50).rows.map(summary),
        }
      : null,
    mine: internal ? null : listAttestations(user, {}, now, 50).rows.map(summary),
    outstanding,
    gating: listGatingPolicies(),
  });
}

const GatingSchema = z.object({ intent: z.literal("gating"), tier: z.enum(ORG_TIERS), enforce: z.enum(["yes", "no"]) });

/** Vendor managers switch the attestation gate per tier. */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "request:attestation:any");
  const parsed = GatingSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return json({ error: "Choose a tier and whether to enforce." }, { status: 400 });
  setGatingPolicy({ actor: user, ip: context.clientIp }, parsed.data.tier, parsed.data.enforce === "yes");
  return redirect("/attestations?gating=saved");
}

type AttestationRow = ReturnType<typeof summary>;

/** Attestations as rows (organisation, period, due, status) with one last column of the caller's. */
function AttestationTable({ labelledBy, rows, empty, last, lastCell }: { labelledBy: string; rows: AttestationRow[]; empty: string; last: string; lastCell: (a: AttestationRow) => ReactNode }) {
  return (
    <DataTable
      labelledBy={labelledBy}
      columns={["Organisation", "Period", "Due", "Status", last]}
      rows={rows}
      empty={empty}
      row={(a) => (
        <tr key={a.id}>
          <td>
            <Link to={`/attestations/${a.id}`}>{a.orgName}</Link>
          </td>
          <td>
            {a.periodStart} to {a.periodEnd}
          </td>
          <td>{a.dueDate}</td>
          <td>
            <AttestationStatusBadge status={a.status} />
          </td>
          <td>{lastCell(a)}</td>
        </tr>
      )}
    />
  );
}

function Queue({ title, rows, empty }: { title: string; rows: ReturnType<typeof summary>[]; empty: string }) {
  const id = title.toLowerCase().replace(/\W+/g, "-");
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id}>
        {title} ({rows.length})
      </h2>
      <AttestationTable labelledBy={id} rows={rows} empty={empty} last="Score" lastCell={(a) => (a.score === null ? "—" : `${a.score}%`)} />
    </section>
  );
}

export default function Attestations() {
  const { internal, canRequest, canEditTemplates, canSubmit, queue, mine, outstanding, gating } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  return (
    <main>
      <div className="page-header">
        <h1>Attestations</h1>
        <div className="actions">
          <Link to="/receipts/verify" className="button">
            Verify a receipt
          </Link>
          {canEditTemplates ? (
            <Link to="/attestations/templates" className="button">
              Templates
            </Link>
          ) : null}
          {canRequest ? (
            <Link to="/attestations/new" className="button primary">
              Request an attestation
            </Link>
          ) : null}
        </div>
      </div>
      {params.get("requested") ? (
        <div className="alert success" role="status">
          Requested from {params.get("requested")} organisation(s){Number(params.get("skipped")) ? `; ${params.get("skipped")} skipped (an attestation is already open)` : ""}.
        </div>
      ) : null}
      {params.get("gating") ? (
        <div className="alert success" role="status">
          Gating policy saved.
        </div>
      ) : null}

      {queue ? (
        <>
          <Queue title="Submitted, awaiting review" rows={queue.submitted} empty="Nothing to review." />
          <Queue title="Overdue" rows={queue.overdue} empty="Nothing overdue." />
          <Queue title="Due within 7 days" rows={queue.dueSoon} empty="Nothing due soon." />
        </>
      ) : null}

      {mine ? (
        <section className="panel" aria-labelledby="mine">
          <h2 id="mine">Your attestations</h2>
          <AttestationTable
            labelledBy="mine"
            rows={mine}
            empty="No attestation has been requested from your organisation yet."
            last="What to do next"
            lastCell={(a) => nextStep(a.status, canSubmit)}
          />
        </section>
      ) : null}

      <section className="panel" aria-labelledby="outstanding">
        <h2 id="outstanding">Outstanding by organisation</h2>
        <Form method="get" className="filters" aria-label="Filter by state">
          <div className="field">
            <label htmlFor="state">State</label>
            <select id="state" name="state" defaultValue={params.get("state") ?? ""}>
              <option value="">Any state</option>
              <option value="overdue">Overdue</option>
              <option value="missing">Attestation missing</option>
              <option value="due_soon">Due soon</option>
              <option value="current">Current</option>
            </select>
          </div>
          <div className="actions">
            <button type="submit">Filter</button>
          </div>
        </Form>
        <DataTable
          labelledBy="outstanding"
          columns={["Organisation", "Tier", "State", "Current until", "Due", "Open gaps"]}
          rows={outstanding.rows}
          empty="No organisations."
          row={(o) => (
            <tr key={o.id}>
              <td>
                <Link to={`/orgs/${o.slug}`}>{o.name}</Link>
              </td>
              <td>{o.tier === "restricted" ? "Restricted" : "Standard"}</td>
              <td>
                <AttestationStateBadge state={o.state} />
              </td>
              <td>{o.currentUntil ?? "—"}</td>
              <td>{o.dueDate ?? "—"}</td>
              <td>{o.openGaps}</td>
            </tr>
          )}
        />
        <Pagination page={outstanding.page} pageCount={outstanding.pageCount} total={outstanding.total} noun="organisation" />
      </section>

      {internal ? (
        <section className="panel" aria-labelledby="gating">
          <h2 id="gating">Access gating</h2>
          <p className="muted">
            When a tier enforces, its restricted-tier organisations without a current accepted attestation cannot register credentials granting a restricted model. The
            cadence of requests is each tier&apos;s attestation cadence in Settings.
          </p>
          <ul>
            {(["restricted"] as const).map((tier) => (
              <li key={tier}>
                {tier === "restricted" ? "Restricted" : "Standard"} tier: {gating[tier] ? "enforced" : "not enforced"}
                {canRequest ? (
                  <Form method="post" className="inline-form">
                    <input type="hidden" name="intent" value="gating" />
                    <input type="hidden" name="tier" value={tier} />
                    <input type="hidden" name="enforce" value={gating[tier] ? "no" : "yes"} />
                    <button type="submit">{gating[tier] ? "Stop enforcing" : "Enforce"}</button>
                  </Form>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </main>
  );
}
