import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/auth.server";
import { FormErrors, TextField } from "~/components/form";
import { fieldErrors, formValues } from "~/domain/form-errors";
import { ORG_TIERS, type OrgTier } from "~/domain/organization";
import { can } from "~/domain/permissions";
import { DEFAULT_POLICIES, POLICY_FIELDS, PolicySchema, type Policy } from "~/domain/policy";
import { listPolicies, updatePolicy } from "~/models/policy.server";

export const meta: MetaFunction = () => [{ title: "Policies · Keyward" }];

const TIER_LABELS: Record<OrgTier, string> = { restricted: "Restricted tier", standard: "Standard tier" };

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:policy:any");
  const params = new URL(request.url).searchParams;
  const saved = params.get("saved");
  return json({
    canEdit: can(user, "update:policy:any"),
    policies: listPolicies(),
    saved: saved && (ORG_TIERS as readonly string[]).includes(saved) ? (saved as OrgTier) : null,
    unchanged: params.get("unchanged") === "1",
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "update:policy:any");
  const values = formValues(await request.formData());
  const parsed = PolicySchema.safeParse(values);
  if (!parsed.success) return json({ tier: String(values.tier ?? ""), errors: fieldErrors(parsed.error), values }, { status: 400 });
  const { changed } = updatePolicy({ actor: user, ip: context.clientIp }, parsed.data);
  return redirect(`/settings?saved=${parsed.data.tier}${changed ? "" : "&unchanged=1"}`);
}

function unit(n: number, u: "days" | "hours") {
  return `${n} ${n === 1 ? u.slice(0, -1) : u}`;
}

export default function Settings() {
  const { canEdit, policies, saved, unchanged } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  return (
    <main>
      <div className="page-header">
        <h1>Policies</h1>
        <p className="muted">Credential hygiene, attestation and review cadences for each organisation tier.</p>
      </div>
      {saved ? (
        <div className="alert success" role="status">
          {unchanged ? `Nothing changed in the ${saved} tier's policy.` : `The ${saved} tier's policy was saved.`}
        </div>
      ) : null}
      {data && !ORG_TIERS.includes(data.tier as OrgTier) ? <FormErrors errors={data.errors} /> : null}

      <section className="panel" aria-labelledby="policy-summary">
        <h2 id="policy-summary">Current policy</h2>
        <div className="table-wrap">
          <table className="policy-table">
            <thead>
              <tr>
                <th scope="col">Setting</th>
                {policies.map((p) => (
                  <th scope="col" key={p.tier} className="num">
                    {TIER_LABELS[p.tier]}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {POLICY_FIELDS.map((f) => (
                <tr key={f.field}>
                  <th scope="row">{f.label}</th>
                  {policies.map((p) => (
                    <td key={p.tier} className="num">
                      {unit(p[f.field], f.unit)}
                      {p[f.field] !== DEFAULT_POLICIES[p.tier][f.field] ? (
                        <span className="muted policy-default"> (default {unit(DEFAULT_POLICIES[p.tier][f.field], f.unit)})</span>
                      ) : (
                        <span className="muted policy-default"> (default)</span>
                      )}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {!canEdit ? <p className="muted">Only vendor managers change these settings.</p> : null}
      </section>

      {canEdit ? (
        <div className="policy-forms">
          {policies.map((p) => (
            <PolicyForm key={p.tier} policy={p} data={data?.tier === p.tier ? data : undefined} />
          ))}
        </div>
      ) : null}
    </main>
  );
}

function PolicyForm({ policy, data }: { policy: Policy; data?: { errors: Record<string, string[]>; values: Record<string, string | string[]> } }) {
  const nav = useNavigation();
  const busy = nav.state === "submitting" && nav.formData?.get("tier") === policy.tier;
  const defaults = DEFAULT_POLICIES[policy.tier];
  const headingId = `policy-${policy.tier}`;
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{TIER_LABELS[policy.tier]}</h2>
      <FormErrors errors={data?.errors} />
      <Form method="post" className="stack" noValidate>
        <input type="hidden" name="tier" value={policy.tier} />
        {POLICY_FIELDS.map((f) => {
          const typed = data?.values[f.field];
          return (
            <TextField
              key={f.field}
              label={`${f.label} (${f.unit})`}
              name={f.field}
              type="number"
              inputMode="numeric"
              step={1}
              min={f.unit === "hours" ? 0 : 1}
              required
              defaultValue={typeof typed === "string" ? typed : String(policy[f.field])}
              hint={`${f.hint} Default: ${unit(defaults[f.field], f.unit)}.`}
              errors={data?.errors}
            />
          );
        })}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Save {policy.tier} policy
          </button>
        </div>
      </Form>
    </section>
  );
}
