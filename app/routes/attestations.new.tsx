import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireUser } from "~/auth.server";
import { FormErrors, SelectField, TextField, useFormState } from "~/components/form";
import { addDays, isoDay } from "~/domain/attestation-schedule";
import { blankToUndefined, fieldErrors, formValues } from "~/domain/form-errors";
import { ORG_TIERS } from "~/domain/organization";
import { requestAttestations, requestTargets } from "~/models/attestation.server";
import { currentTemplate } from "~/models/attestation-template.server";

export const meta: MetaFunction = () => [{ title: "Request an attestation · Keyward" }];

const day = (label: string) =>
  z
    .string({ message: `Enter the ${label}` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${label[0].toUpperCase()}${label.slice(1)}: use a date such as 2026-01-31`)
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "Not a real date");

const RequestSchema = z
  .object({
    target: z.enum(["org", "tier"], { message: "Choose one organisation or a whole tier" }),
    org: z.preprocess(blankToUndefined, z.string().optional()),
    tier: z.preprocess(blankToUndefined, z.enum(ORG_TIERS).optional()),
    periodStart: day("period start"),
    periodEnd: day("period end"),
    dueDate: day("due date"),
  })
  .superRefine((v, ctx) => {
    if (v.target === "org" && !v.org) ctx.addIssue({ code: "custom", path: ["org"], message: "Choose an organisation" });
    if (v.target === "tier" && !v.tier) ctx.addIssue({ code: "custom", path: ["tier"], message: "Choose a tier" });
    if (v.periodEnd < v.periodStart) ctx.addIssue({ code: "custom", path: ["periodEnd"], message: "The period ends before it starts" });
    if (v.dueDate < isoDay(new Date())) ctx.addIssue({ code: "custom", path: ["dueDate"], message: "The due date is in the past" });
  });

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, "request:attestation:any");
  const today = isoDay(new Date());
  const template = currentTemplate();
  return json({ orgs: requestTargets({ tier: "restricted" }).concat(requestTargets({ tier: "standard" })).sort((a, b) => a.name.localeCompare(b.name)), today, defaults: { periodStart: today, periodEnd: addDays(today, 89), dueDate: addDays(today, 30) }, template: { version: template.version, name: template.name, controls: template.controls.length } });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "request:attestation:any");
  const form = await request.formData();
  const values = formValues(form);
  const parsed = RequestSchema.safeParse(values);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), values, formError: null }, { status: 400 });
  const { target, org, tier, ...input } = parsed.data;
  const result = requestAttestations({ actor: user, ip: context.clientIp }, target === "org" ? { orgSlug: org } : { tier }, input);
  if (result.created.length === 0) {
    const formError = result.skipped.length ? "Every organisation chosen already has an open attestation." : "No active organisation matches.";
    return json({ errors: null, values, formError }, { status: 400 });
  }
  if (target === "org") return redirect(`/attestations/${result.created[0].id}?requested=1`);
  return redirect(`/attestations?requested=${result.created.length}&skipped=${result.skipped.length}`);
}

export default function RequestAttestation() {
  const { orgs, defaults, template } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { busy, errors, typed } = useFormState(result);
  return (
    <main>
      <p>
        <Link to="/attestations">← Attestations</Link>
      </p>
      <h1>Request an attestation</h1>
      <p className="muted">
        Uses the current template, {template.name} version {template.version} ({template.controls} controls). Organisations that already have an open attestation are skipped.
      </p>
      <FormErrors errors={errors} formError={result?.formError} />
      <Form method="post" className="panel org-form">
        <fieldset>
          <legend>From</legend>
          <label className="checkbox-option">
            <input type="radio" name="target" value="org" defaultChecked={(typed("target") ?? "org") === "org"} /> One organisation
          </label>
          <label className="checkbox-option">
            <input type="radio" name="target" value="tier" defaultChecked={typed("target") === "tier"} /> Every active organisation of a tier
          </label>
        </fieldset>
        <SelectField label="Organisation" name="org" placeholder="Choose…" options={orgs.map((o) => ({ value: o.slug, label: o.name }))} defaultValue={typed("org") ?? ""} errors={errors} />
        <SelectField label="Tier" name="tier" placeholder="Choose…" options={ORG_TIERS.map((t) => ({ value: t, label: t === "restricted" ? "Restricted" : "Standard" }))} defaultValue={typed("tier") ?? ""} errors={errors} />
        <TextField label="Period start" name="periodStart" type="date" defaultValue={typed("periodStart") ?? defaults.periodStart} errors={errors} />
        <TextField label="Period end" name="periodEnd" type="date" defaultValue={typed("periodEnd") ?? defaults.periodEnd} errors={errors} />
        <TextField label="Due date" name="dueDate" type="date" defaultValue={typed("dueDate") ?? defaults.dueDate} errors={errors} hint="Reminders go out 30, 7 and 1 days before, and daily once overdue." />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Request
          </button>
        </div>
      </Form>
    </main>
  );
}
