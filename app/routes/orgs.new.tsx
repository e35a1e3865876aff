import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth.server";
import { FormErrors, SelectField, TextField, useFormState } from "~/components/form";
import { fieldErrors, formValues } from "~/domain/form-errors";
import { capitalise } from "~/domain/labels";
import { ORG_KINDS, ORG_TIERS, OrganizationCreateSchema, slugify, SponsorContractorSchema } from "~/domain/organization";
import { can } from "~/domain/permissions";
import { createOrganization, getOrganization, listPartnerOptions, sponsorContractor } from "~/models/organization.server";
import { listInternalUsers } from "~/models/user.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.mode === "sponsor" ? "Sponsor a contractor" : "New organisation"} · Keyward` },
];

/**
 * Vendor managers create partners and contractors here; a partner's admin sees the sponsor form
 * instead (a contractor under its own partner). Everyone else is refused.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  if (can(user, "create:org:any")) {
    return json({
      mode: "create" as const,
      partners: listPartnerOptions(),
      owners: listInternalUsers("vendor_manager").map((u) => ({ value: u.id, label: `${u.name} (${u.email})` })),
      defaultOwnerId: user.id,
      partner: null,
    });
  }
  if (can(user, "sponsor:org:own") && user.orgSlug) {
    const partner = getOrganization(user, user.orgSlug);
    if (!partner) throw new Response("Not found", { status: 404 });
    return json({ mode: "sponsor" as const, partners: [], owners: [], defaultOwnerId: null, partner: { name: partner.name, slug: partner.slug, tier: partner.tier } });
  }
  throw new Response("Your role does not allow creating or sponsoring organisations.", { status: 403 });
}

type Values = Record<string, string | string[]>;
const badRequest = (errors: Record<string, string[]>, values: Values) => json({ errors, values }, { status: 400 });

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await request.formData();
  const intent = form.get("intent") === "sponsor" ? "sponsor" : "create";
  if (!can(user, intent === "sponsor" ? "sponsor:org:own" : "create:org:any")) {
    throw new Response(intent === "sponsor" ? "Only a partner's admin can sponsor a contractor." : "Only vendor managers create organisations.", { status: 403 });
  }
  const values = formValues(form);
  // A blank slug is derived from the name; the schema still validates whatever results.
  const input = { ...values, slug: values.slug || slugify(String(values.name ?? "")) };
  const ctx = { actor: user, ip: context.clientIp };

  if (intent === "sponsor") {
    const parsed = SponsorContractorSchema.safeParse(input);
    if (!parsed.success) return badRequest(fieldErrors(parsed.error), values);
    const result = sponsorContractor(ctx, parsed.data);
    if (!result.ok) return badRequest({ [result.field]: [result.message] }, values);
    return redirect(`/orgs/${result.value.slug}?sponsored=1`);
  }

  const parsed = OrganizationCreateSchema.safeParse(input);
  if (!parsed.success) return badRequest(fieldErrors(parsed.error), values);
  const result = createOrganization(ctx, parsed.data);
  if (!result.ok) return badRequest({ [result.field]: [result.message] }, values);
  return redirect(`/orgs/${result.value.slug}?created=1`);
}

const SLUG_HINT = "Lowercase letters, digits and dashes; it appears in URLs and cannot be changed later. Leave blank to derive it from the name.";

export default function NewOrganisation() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { busy, errors, typed } = useFormState(actionData);

  if (data.mode === "sponsor" && data.partner) {
    return (
      <main className="page narrow">
        <p>
          <Link to={`/orgs/${data.partner.slug}`}>← {data.partner.name}</Link>
        </p>
        <h1>Sponsor a contractor</h1>
        <p className="muted">
          The contractor joins under {data.partner.name} in its <strong>{data.partner.tier}</strong> tier. It stays <em>onboarding</em> until a vendor
          manager approves it; until then nobody can act for it.
        </p>
        <FormErrors errors={errors} />
        <Form method="post" className="panel stack org-form" noValidate>
          <input type="hidden" name="intent" value="sponsor" />
          <TextField label="Contractor name" name="name" required maxLength={120} defaultValue={typed("name") ?? ""} errors={errors} autoFocus />
          <TextField label="Slug" name="slug" maxLength={48} defaultValue={typed("slug") ?? ""} errors={errors} hint={SLUG_HINT} />
          <TextField label="Contact email" name="contactEmail" type="email" defaultValue={typed("contactEmail") ?? ""} errors={errors} />
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? "Sponsoring…" : "Sponsor contractor"}
            </button>
            <Link to={`/orgs/${data.partner.slug}`}>Cancel</Link>
          </div>
        </Form>
      </main>
    );
  }

  return (
    <main className="page narrow">
      <p>
        <Link to="/orgs">← Organisations</Link>
      </p>
      <h1>New organisation</h1>
      <p className="muted">
        New organisations start <em>onboarding</em>; approve them from their page once the agreement is in place.
      </p>
      <FormErrors errors={errors} />
      <Form method="post" className="panel stack org-form" noValidate>
        <input type="hidden" name="intent" value="create" />
        <TextField label="Name" name="name" required maxLength={120} defaultValue={typed("name") ?? ""} errors={errors} autoFocus />
        <TextField label="Slug" name="slug" maxLength={48} defaultValue={typed("slug") ?? ""} errors={errors} hint={SLUG_HINT} />
        <div className="form-row">
          <SelectField label="Kind" name="kind" required defaultValue={typed("kind") ?? "partner"} errors={errors} options={ORG_KINDS.map((k) => ({ value: k, label: capitalise(k) }))} />
          <SelectField
            label="Sponsoring partner"
            name="parentSlug"
            placeholder="None (a partner has no sponsor)"
            defaultValue={typed("parentSlug") ?? ""}
            errors={errors}
            hint="Required for a contractor."
            options={data.partners.map((p) => ({ value: p.slug, label: p.name }))}
          />
        </div>
        <SelectField label="Tier" name="tier" required defaultValue={typed("tier") ?? "standard"} errors={errors} options={ORG_TIERS.map((t) => ({ value: t, label: capitalise(t) }))} />
        <div className="form-row">
          <TextField label="Agreement start" name="agreementStart" type="date" defaultValue={typed("agreementStart") ?? ""} errors={errors} />
          <TextField label="Agreement end" name="agreementEnd" type="date" defaultValue={typed("agreementEnd") ?? ""} errors={errors} />
        </div>
        <TextField label="Contact email" name="contactEmail" type="email" defaultValue={typed("contactEmail") ?? ""} errors={errors} />
        <SelectField label="Owner" name="ownerId" defaultValue={typed("ownerId") ?? data.defaultOwnerId ?? ""} errors={errors} hint="The vendor manager accountable for this organisation." options={data.owners} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Creating…" : "Create organisation"}
          </button>
          <Link to="/orgs">Cancel</Link>
        </div>
      </Form>
    </main>
  );
}
