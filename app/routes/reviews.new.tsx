import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth.server";
import { asList, CheckboxGroup } from "~/components/checkbox-group";
import { FormErrors, SelectField, TextField, useFormState } from "~/components/form";
import { addDays, CampaignCreateSchema, isoDay } from "~/domain/campaign";
import { fieldErrors, formValues } from "~/domain/form-errors";
import { ORG_TIERS } from "~/domain/organization";
import { listModels } from "~/models/catalog.server";
import { createCampaign, listReviewerOptions, listScopeOrgs } from "~/models/campaign.server";

export const meta: MetaFunction = () => [{ title: "New access review · Keyward" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, "create:campaign:any");
  const today = isoDay(new Date());
  return json({
    orgs: listScopeOrgs().map((o) => ({ value: o.slug, label: o.name })),
    models: listModels().map((m) => ({ value: m.name, label: `${m.name} (${m.status})` })),
    reviewers: listReviewerOptions().map((u) => ({ value: u.id, label: `${u.name} (${u.email})` })),
    today,
    due: addDays(today, 14),
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "create:campaign:any");
  const values = formValues(await request.formData());
  const parsed = CampaignCreateSchema.safeParse(values);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), values }, { status: 400 });
  const result = createCampaign({ actor: user, ip: context.clientIp }, parsed.data);
  if (!result.ok) return json({ errors: result.errors, values }, { status: result.status });
  return redirect(`/reviews/${result.value.id}`);
}

export default function NewCampaign() {
  const { orgs, models, reviewers, today, due } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { busy, errors, typed } = useFormState(actionData);
  const values = actionData?.values;
  return (
    <main className="page narrow">
      <h1>New access review</h1>
      <p className="muted">Opening snapshots every credential in scope; each item goes to its reviewer with the facts beside it.</p>
      <Form method="post" noValidate>
        <FormErrors errors={errors} />
        <TextField label="Name" name="name" required defaultValue={typed("name")} errors={errors} hint="For example: Q1 2027 restricted-tier review" />
        <fieldset>
          <legend>Scope</legend>
          <p className="hint">Leave everything unticked to review all active credentials. Each criterion ticked must hold.</p>
          <CheckboxGroup legend="Organisations" name="orgs" options={orgs} checked={asList(values?.orgs)} errors={errors} />
          <CheckboxGroup legend="Tiers" name="tiers" options={ORG_TIERS.map((t) => ({ value: t, label: t }))} checked={asList(values?.tiers)} errors={errors} />
          <CheckboxGroup legend="Models (the grant reaches one of them)" name="models" options={models} checked={asList(values?.models)} errors={errors} />
        </fieldset>
        <SelectField label="Reviewer" name="reviewer" placeholder="Each organisation's owning vendor manager" options={reviewers} defaultValue={typed("reviewer")} errors={errors} hint="Items can be reassigned later, one by one or in bulk." />
        <CheckboxGroup legend="Partner first pass" name="firstPass" options={[{ value: "yes", label: "Ask each partner's admin for a first pass on its own credentials" }]} checked={asList(values?.firstPass)} errors={errors} />
        <SelectField
          label="Mode"
          name="mode"
          defaultValue={typed("mode") ?? "full"}
          options={[
            { value: "full", label: "Full: every credential in scope" },
            { value: "differential", label: "Differential: only credentials new or changed since the series' last closed campaign" },
          ]}
          errors={errors}
        />
        <TextField label="Opens on" name="opensOn" type="date" required defaultValue={typed("opensOn") ?? today} errors={errors} hint="Today opens it now; a later date is opened by the scheduler." />
        <TextField label="Due on" name="dueOn" type="date" required defaultValue={typed("dueOn") ?? due} errors={errors} />
        <TextField label="Recurrence (days)" name="recurrenceDays" type="number" min={7} max={730} defaultValue={typed("recurrenceDays")} errors={errors} hint="Leave blank for a one-off campaign. The scheduler opens the next one this many days after the opening date." />
        <SelectField
          label="Undecided items at close"
          name="undecidedRule"
          defaultValue={typed("undecidedRule") ?? "keep"}
          options={[
            { value: "keep", label: "Keep them (recorded as undecided)" },
            { value: "revoke", label: "Revoke them (do not renew)" },
          ]}
          errors={errors}
        />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Creating…" : "Create campaign"}
        </button>
      </Form>
    </main>
  );
}
