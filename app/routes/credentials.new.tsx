import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/auth.server";
import { asList, CheckboxGroup } from "~/components/checkbox-group";
import { FingerprintField } from "~/components/fingerprint-field";
import { FormErrors, SelectField, TextField } from "~/components/form";
import type { Actor } from "~/domain/actor";
import { CredentialRegisterSchema, ENVIRONMENT_LABELS, ENVIRONMENTS, STORAGE_LABELS, STORAGES } from "~/domain/credential";
import { ALL_ENDPOINTS, ALL_GA } from "~/domain/grant";
import { fieldErrors, formValues } from "~/domain/form-errors";
import { listCredentialOrgOptions, registerCredential, registrationOptions, registrationTarget } from "~/models/credential-inventory.server";

export const meta: MetaFunction = () => [{ title: "Register a credential · Keyward" }];

/**
 * The organisation the form is for. Vendor managers choose one (?org= on the page, orgSlug in the
 * form); partner users always register into their own org. Another tenant's org answers 404 (it is not
 * found in their scope, so slugs cannot be probed); their own contractor's org, which they can see but
 * not act for, answers 403.
 */
function target(user: Actor, slug: string | undefined) {
  const t = registrationTarget(user, slug);
  if (t.ok) return t.org;
  if (t.reason === "not_found") throw new Response("Not found", { status: 404 });
  if (t.reason === "forbidden") throw new Response("You register credentials for your own organisation only.", { status: 403 });
  return null;
}

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "create:credential");
  const slug = new URL(request.url).searchParams.get("org")?.trim() || undefined;
  const org = target(user, slug);
  const today = new Date().toISOString().slice(0, 10);
  if (!org) {
    // Vendor manager without an organisation yet: the picker.
    return json({ org: null, options: null, today, orgChoices: listCredentialOrgOptions(user).map((o) => ({ value: o.slug, label: o.name })), canChoose: true });
  }
  return json({ org: { slug: org.slug, name: org.name, status: org.status }, options: registrationOptions(org), today, orgChoices: [], canChoose: user.orgId === null });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "create:credential");
  const values = formValues(await request.formData());
  const org = target(user, typeof values.orgSlug === "string" ? values.orgSlug.trim() || undefined : undefined);
  if (!org) return json({ errors: { orgSlug: ["Choose an organisation"] } as Record<string, string[]>, values }, { status: 400 });
  const parsed = CredentialRegisterSchema.safeParse(values);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), values }, { status: 400 });
  const result = registerCredential({ actor: user, ip: context.clientIp }, org, parsed.data);
  if (!result.ok) return json({ errors: result.errors, values }, { status: 400 });
  return redirect(`/credentials/${encodeURIComponent(result.keyId)}?registered=1`);
}

export default function RegisterCredential() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors = actionData?.errors;
  const values = actionData?.values;
  const str = (k: string, fallback = "") => {
    const v = values?.[k];
    return typeof v === "string" ? v : fallback;
  };
  const checked = (k: string, fallback: string[]) => (values ? asList(values[k]) : fallback);

  if (!data.org || !data.options) {
    return (
      <main className="page narrow">
        <p>
          <Link to="/credentials">← Credentials</Link>
        </p>
        <h1>Register a credential</h1>
        <Form method="get" className="panel stack">
          <SelectField label="Organisation" name="org" required placeholder="Choose the organisation that holds it" options={data.orgChoices} errors={errors} />
          <div className="actions">
            <button type="submit" className="primary">
              Continue
            </button>
          </div>
        </Form>
      </main>
    );
  }

  const { org, options, today } = data;
  const entitledToAll = options.endpoints.includes(ALL_ENDPOINTS);
  return (
    <main className="page narrow">
      <p>
        <Link to="/credentials">← Credentials</Link>
      </p>
      <h1>Register a credential for {org.name}</h1>
      {data.canChoose ? (
        <p className="muted">
          <Link to="/credentials/new">Choose another organisation</Link>
        </p>
      ) : null}
      <p>Record a key your organisation holds for the restricted API. Keyward never stores the key itself: only its public key id and, if you paste it below, its SHA-256 fingerprint computed in your browser.</p>
      {options.closed ? (
        <div className="alert error" role="alert">
          {org.name} is {org.status}: it cannot register credentials.
        </div>
      ) : options.models.length === 0 ? (
        <div className="alert warn" role="status">
          {org.name} has no model entitlements yet, so no grant is possible. A vendor manager grants them on the organisation’s entitlements page.
        </div>
      ) : null}
      <FormErrors errors={errors} formError={errors?._form?.[0]} />
      <Form method="post" className="panel stack credential-form" noValidate>
        <input type="hidden" name="orgSlug" value={org.slug} />
        <TextField
          label="Key id"
          name="keyId"
          required
          autoComplete="off"
          spellCheck={false}
          className="mono"
          defaultValue={str("keyId")}
          errors={errors}
          hint="The public identifier your gateway logs (for example kw_live_7f3a9c), never the secret."
        />
        <TextField label="Label" name="label" required maxLength={120} defaultValue={str("label")} errors={errors} hint="What it is for, e.g. “Nightly evaluation runner”." />
        <div className="form-row">
          <SelectField
            label="Holder"
            name="holderUserId"
            placeholder="A service (name it on the right)"
            options={options.holders.map((h) => ({ value: h.id, label: `${h.name} (${h.email})` }))}
            defaultValue={str("holderUserId")}
            errors={errors}
          />
          <TextField label="or a named service" name="holderService" maxLength={120} defaultValue={str("holderService")} errors={errors} hint="e.g. github-actions, eval-cluster" />
        </div>
        <CheckboxGroup
          legend="Models it may call"
          name="grantModels"
          options={options.models.map((m) => ({ value: m.name, label: m.name === ALL_GA ? "Every GA model (@ga)" : <span className="mono">{m.name}</span> }))}
          checked={checked("grantModels", [])}
          errors={errors}
          hint="Limited to the organisation’s entitlements."
        />
        <CheckboxGroup
          legend="Endpoints"
          name="grantEndpoints"
          options={options.endpoints.map((e) => ({ value: e, label: e === ALL_ENDPOINTS ? "Every endpoint (*)" : <span className="mono">{e}</span> }))}
          checked={checked("grantEndpoints", entitledToAll ? [ALL_ENDPOINTS] : [])}
          errors={errors}
          hint={entitledToAll ? "Leave all unticked for every endpoint." : "Limited to the organisation’s entitlements."}
        />
        <div className="form-row">
          <SelectField
            label="Environment"
            name="environment"
            required
            placeholder="Choose…"
            options={ENVIRONMENTS.map((e) => ({ value: e, label: ENVIRONMENT_LABELS[e] }))}
            defaultValue={str("environment")}
            errors={errors}
          />
          <SelectField
            label="Stored in"
            name="storage"
            required
            placeholder="Choose…"
            options={STORAGES.map((s) => ({ value: s, label: STORAGE_LABELS[s] }))}
            defaultValue={str("storage")}
            errors={errors}
          />
        </div>
        {options.contractors.length ? (
          <CheckboxGroup
            legend="Shared with"
            name="sharedWith"
            options={options.contractors.map((c) => ({ value: c.slug, label: c.name }))}
            checked={checked("sharedWith", [])}
            errors={errors}
            hint="Only contractors your organisation sponsors. Sharing a key is a risk: prefer a key of their own."
          />
        ) : errors?.sharedWith ? (
          <p className="field-error" role="alert">
            {errors.sharedWith[0]}
          </p>
        ) : null}
        <div className="form-row">
          <TextField label="Issued on" name="issuedAt" type="date" required defaultValue={str("issuedAt", today)} errors={errors} />
          <TextField label="Expires on (optional)" name="expiresAt" type="date" defaultValue={str("expiresAt")} errors={errors} />
        </div>
        <FingerprintField defaultValue={str("fingerprint")} errors={errors} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || options.closed}>
            {busy ? "Registering…" : "Register credential"}
          </button>
          <Link to="/credentials">Cancel</Link>
        </div>
      </Form>
    </main>
  );
}
