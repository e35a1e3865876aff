import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/auth.server";
import { asList, CheckboxGroup } from "~/components/checkbox-group";
import { StatusBadge } from "~/components/badge";
import { FormErrors } from "~/components/form";
import type { Actor } from "~/domain/actor";
import { describeEndpoints, describeModels, EntitlementsSchema } from "~/domain/credential";
import { ALL_ENDPOINTS, ALL_GA } from "~/domain/grant";
import { MODEL_STATUS_LABELS } from "~/domain/catalog";
import { fieldErrors, formValues } from "~/domain/form-errors";
import { can } from "~/domain/permissions";
import { listEndpoints, listModels } from "~/models/catalog.server";
import { getEntitlements, updateEntitlements } from "~/models/entitlement.server";
import { getOrganization } from "~/models/organization.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Entitlements of ${data?.org.name ?? "organisation"} · Keyward` }];

// Not nested under the detail page (the `_` in the file name): a page of its own.

/** Looked up in scope first (another tenant's org is 404), then the role (403 for one's own org). */
async function editable(request: Request, slug: string | undefined): Promise<{ user: Actor; org: NonNullable<ReturnType<typeof getOrganization>> }> {
  const user = await requireUser(request, "read:org");
  const org = getOrganization(user, slug ?? "");
  if (!org) throw new Response("Not found", { status: 404 });
  if (!can(user, "update:entitlement:any")) throw new Response("Only vendor managers change entitlements.", { status: 403 });
  return { user, org };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await editable(request, params.slug);
  const sponsor = org.kind === "contractor" && org.parentId && org.parentSlug ? { name: org.parentName, ...getEntitlements(org.parentId) } : null;
  return json({
    org: { slug: org.slug, name: org.name, kind: org.kind },
    current: getEntitlements(org.id),
    sponsor: sponsor ? { name: sponsor.name, models: describeModels(sponsor.models), endpoints: describeEndpoints(sponsor.endpoints) } : null,
    models: listModels().map((m) => ({ name: m.name, status: m.status })),
    endpoints: listEndpoints().map((e) => ({ name: e.name, pathTemplate: e.pathTemplate })),
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, org } = await editable(request, params.slug);
  const values = formValues(await request.formData());
  const parsed = EntitlementsSchema.safeParse(values);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), values }, { status: 400 });
  const result = updateEntitlements({ actor: user, ip: context.clientIp }, org, parsed.data);
  if (!result.ok) return json({ errors: { [result.field]: [result.message] } as Record<string, string[]>, values }, { status: 400 });
  return redirect(`/orgs/${org.slug}?saved=entitlements`);
}

export default function Entitlements() {
  const { org, current, sponsor, models, endpoints } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors = actionData?.errors;
  const checked = (k: "models" | "endpoints") => (actionData?.values ? asList(actionData.values[k]) : current[k]);
  return (
    <main className="page narrow">
      <p>
        <Link to={`/orgs/${org.slug}`}>← {org.name}</Link>
      </p>
      <h1>Entitlements of {org.name}</h1>
      <p>
        What {org.name} may use. Every credential it registers is granted a subset of these
        {org.kind === "partner" ? ", and so are its contractors’ entitlements" : ""}. Narrowing is refused while a contractor or a live credential would fall
        outside: narrow or revoke those first.
      </p>
      {sponsor ? (
        <div className="alert info">
          A contractor’s entitlements stay within its sponsor’s. {sponsor.name} may use models: {sponsor.models}; endpoints: {sponsor.endpoints}.
        </div>
      ) : null}
      <FormErrors errors={errors} formError={errors?._form?.[0]} />
      <Form method="post" className="panel stack entitlements-form" noValidate>
        <CheckboxGroup
          legend="Models"
          name="models"
          options={[
            { value: ALL_GA, label: "Every GA model (@ga), including ones released later" },
            ...models.map((m) => ({
              value: m.name,
              label: (
                <>
                  <span className="mono">{m.name}</span> <StatusBadge status={m.status} label={MODEL_STATUS_LABELS[m.status]} />
                </>
              ),
            })),
          ]}
          checked={checked("models")}
          errors={errors}
        />
        <CheckboxGroup
          legend="Endpoints"
          name="endpoints"
          options={[
            { value: ALL_ENDPOINTS, label: "Every endpoint (*)" },
            ...endpoints.map((e) => ({
              value: e.name,
              label: (
                <>
                  <span className="mono">{e.name}</span> <span className="muted mono">{e.pathTemplate}</span>
                </>
              ),
            })),
          ]}
          checked={checked("endpoints")}
          errors={errors}
        />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Saving…" : "Save entitlements"}
          </button>
          <Link to={`/orgs/${org.slug}`}>Cancel</Link>
        </div>
      </Form>
    </main>
  );
}
