import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/auth.server";
import type { Actor } from "~/domain/actor";
import { FormErrors, SelectField, TextField } from "~/components/form";
import { fieldErrors, formValues } from "~/domain/form-errors";
import { capitalise } from "~/domain/labels";
import { ORG_TIERS, OrganizationUpdateSchema } from "~/domain/organization";
import { can } from "~/domain/permissions";
import { getOrganization, updateOrganization } from "~/models/organization.server";
import { listInternalUsers } from "~/models/user.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Edit ${data?.org.name ?? "organisation"} · Keyward` }];

// Not nested under the detail page (the `_` in the file name): /orgs/<slug>/edit is a page of its own.

/**
 * The organisation is looked up in the actor's scope before the role is checked, so another tenant's
 * organisation answers 404 (as on its detail page) and only one's own answers 403.
 */
async function editableOrganization(request: Request, slug: string | undefined): Promise<{ user: Actor; org: NonNullable<ReturnType<typeof getOrganization>> }> {
  const user = await requireUser(request, "read:org");
  const org = getOrganization(user, slug ?? "");
  if (!org) throw new Response("Not found", { status: 404 });
  if (!can(user, "update:org:any")) throw new Response("Only vendor managers edit organisations.", { status: 403 });
  return { user, org };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await editableOrganization(request, params.slug);
  return json({
    org: {
      slug: org.slug,
      name: org.name,
      kind: org.kind,
      tier: org.tier,
      parentName: org.parentName,
      agreementStart: org.agreementStart,
      agreementEnd: org.agreementEnd,
      contactEmail: org.contactEmail,
      ownerId: org.ownerId,
    },
    owners: listInternalUsers("vendor_manager").map((u) => ({ value: u.id, label: `${u.name} (${u.email})` })),
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, org } = await editableOrganization(request, params.slug);
  const values = formValues(await request.formData());
  const parsed = OrganizationUpdateSchema.safeParse(values);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), values }, { status: 400 });
  const result = updateOrganization({ actor: user, ip: context.clientIp }, org, parsed.data);
  if (!result.ok) return json({ errors: { [result.field]: [result.message] }, values }, { status: 400 });
  return redirect(`/orgs/${org.slug}?saved=1`);
}

export default function EditOrganisation() {
  const { org, owners } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors = actionData?.errors;
  const value = (name: string, saved: string | null) => {
    const v = actionData?.values?.[name];
    return typeof v === "string" ? v : (saved ?? "");
  };
  return (
    <main className="page narrow">
      <p>
        <Link to={`/orgs/${org.slug}`}>← {org.name}</Link>
      </p>
      <h1>Edit {org.name}</h1>
      <dl className="facts org-fixed-facts">
        <dt>Slug</dt>
        <dd className="mono">{org.slug}</dd>
        <dt>Kind</dt>
        <dd>
          {capitalise(org.kind)}
          {org.parentName ? `, sponsored by ${org.parentName}` : ""}
        </dd>
      </dl>
      <p className="muted">The slug and kind are fixed once an organisation exists.</p>
      <FormErrors errors={errors} />
      <Form method="post" className="panel stack org-form" noValidate>
        <TextField label="Name" name="name" required maxLength={120} defaultValue={value("name", org.name)} errors={errors} />
        <SelectField label="Tier" name="tier" required defaultValue={value("tier", org.tier)} errors={errors} options={ORG_TIERS.map((t) => ({ value: t, label: capitalise(t) }))} />
        <div className="form-row">
          <TextField label="Agreement start" name="agreementStart" type="date" defaultValue={value("agreementStart", org.agreementStart)} errors={errors} />
          <TextField label="Agreement end" name="agreementEnd" type="date" defaultValue={value("agreementEnd", org.agreementEnd)} errors={errors} />
        </div>
        <TextField label="Contact email" name="contactEmail" type="email" defaultValue={value("contactEmail", org.contactEmail)} errors={errors} />
        <SelectField
          label="Owner"
          name="ownerId"
          placeholder="Keep the current owner"
          defaultValue={value("ownerId", org.ownerId)}
          errors={errors}
          hint="The vendor manager accountable for this organisation."
          options={owners}
        />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Saving…" : "Save changes"}
          </button>
          <Link to={`/orgs/${org.slug}`}>Cancel</Link>
        </div>
      </Form>
    </main>
  );
}
