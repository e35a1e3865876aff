import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/auth.server";
import { Badge, StatusBadge } from "~/components/badge";
import { asList, CheckboxGroup } from "~/components/checkbox-group";
import { DataTable } from "~/components/data-table";
import { FormErrors, SelectField, TextArea, TextField, type FieldErrors } from "~/components/form";
import { EndpointSchema, HTTP_METHODS, MODEL_STATUS_LABELS, MODEL_STATUSES, ModelSchema } from "~/domain/catalog";
import { fieldErrors, formValues } from "~/domain/form-errors";
import { can } from "~/domain/permissions";
import { deleteEndpoint, getEndpoint, getModel, listEndpoints, listModels, upsertEndpoint, upsertModel } from "~/models/catalog.server";

export const meta: MetaFunction = () => [{ title: "Catalog · Keyward" }];

const SAVED_MESSAGES: Record<string, string> = {
  "model-created": "Model added",
  "model-updated": "Model saved",
  "endpoint-created": "Endpoint added",
  "endpoint-updated": "Endpoint saved",
  "endpoint-deleted": "Endpoint deleted",
};

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:catalog:any");
  const canEdit = can(user, "update:catalog:any");
  const params = new URL(request.url).searchParams;
  const editModelName = canEdit ? params.get("model") : null;
  const editEndpointName = canEdit ? params.get("endpoint") : null;
  const editModel = editModelName ? getModel(editModelName) : null;
  const editEndpoint = editEndpointName ? getEndpoint(editEndpointName) : null;
  if ((editModelName && !editModel) || (editEndpointName && !editEndpoint)) throw new Response("Not found", { status: 404 });
  const saved = params.get("saved");
  return json({
    canEdit,
    models: listModels().map((m) => ({ name: m.name, status: m.status, aliases: m.aliases, description: m.description })),
    endpoints: listEndpoints().map((e) => ({ name: e.name, methods: e.methods, pathTemplate: e.pathTemplate, namesModel: e.namesModel })),
    editModel: editModel && { name: editModel.name, status: editModel.status, aliases: editModel.aliases.join(", "), description: editModel.description ?? "" },
    editEndpoint: editEndpoint && { name: editEndpoint.name, methods: editEndpoint.methods, pathTemplate: editEndpoint.pathTemplate },
    saved: saved && SAVED_MESSAGES[saved] ? { message: SAVED_MESSAGES[saved], name: params.get("name") ?? "" } : null,
  });
}

type Intent = "create-model" | "update-model" | "create-endpoint" | "update-endpoint" | "delete-endpoint";

function invalid(intent: Intent, errors: FieldErrors, values: Record<string, string | string[]>) {
  return json({ intent, errors, values, formError: null as string | null }, { status: 400 });
}

function done(saved: keyof typeof SAVED_MESSAGES, name: string) {
  return redirect(`/catalog?saved=${saved}&name=${encodeURIComponent(name)}`);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "update:catalog:any");
  const ctx = { actor: user, ip: context.clientIp };
  const form = await request.formData();
  const values = formValues(form);
  const intent = String(form.get("intent") ?? "") as Intent;
  switch (intent) {
    case "create-model":
    case "update-model": {
      const parsed = ModelSchema.safeParse(values);
      if (!parsed.success) return invalid(intent, fieldErrors(parsed.error), values);
      const result = upsertModel(ctx, parsed.data, { mode: intent === "create-model" ? "create" : "update" });
      if (!result.ok) return invalid(intent, { [result.field]: [result.message] }, values);
      return done(result.value.created ? "model-created" : "model-updated", parsed.data.name);
    }
    case "create-endpoint":
    case "update-endpoint": {
      const withMethods = { ...values, methods: form.getAll("methods").map(String) };
      const parsed = EndpointSchema.safeParse(withMethods);
      if (!parsed.success) return invalid(intent, fieldErrors(parsed.error), withMethods);
      const result = upsertEndpoint(ctx, parsed.data, { mode: intent === "create-endpoint" ? "create" : "update" });
      if (!result.ok) return invalid(intent, { [result.field]: [result.message] }, withMethods);
      return done(result.value.created ? "endpoint-created" : "endpoint-updated", parsed.data.name);
    }
    case "delete-endpoint": {
      const name = String(form.get("name") ?? "");
      if (!deleteEndpoint(ctx, name)) throw new Response("Not found", { status: 404 });
      return done("endpoint-deleted", name);
    }
    default:
      throw new Response("Unknown action", { status: 400 });
  }
}

const STATUS_OPTIONS = MODEL_STATUSES.map((s) => ({ value: s, label: MODEL_STATUS_LABELS[s] }));

export default function Catalog() {
  const { canEdit, models, endpoints, editModel, editEndpoint, saved } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  return (
    <main>
      <div className="page-header">
        <h1>Catalog</h1>
        <p className="muted">The restricted API's surface: how a logged path becomes an endpoint and a model.</p>
      </div>
      {saved ? (
        <div className="alert success" role="status">
          {saved.message}: <strong>{saved.name}</strong>.
        </div>
      ) : null}

      <section aria-labelledby="models-heading">
        <h2 id="models-heading">Models</h2>
        <DataTable
          labelledBy="models-heading"
          columns={["Name", "Status", "Aliases and codenames", "Description", canEdit && { label: "Actions", visuallyHidden: true }]}
          rows={models}
          empty="No models in the catalog yet."
          row={(m) => (
            <tr key={m.name}>
              <td className="mono">{m.name}</td>
              <td>
                <StatusBadge status={m.status} label={MODEL_STATUS_LABELS[m.status]} />
              </td>
              <td>{m.aliases.length ? <span className="mono">{m.aliases.join(", ")}</span> : <span className="muted">none</span>}</td>
              <td>{m.description ?? <span className="muted">—</span>}</td>
              {canEdit ? (
                <td>
                  <Link to={`/catalog?model=${encodeURIComponent(m.name)}#model-form`} aria-label={`Edit model ${m.name}`}>
                    Edit
                  </Link>
                </td>
              ) : null}
            </tr>
          )}
        />
      </section>

      <section aria-labelledby="endpoints-heading">
        <h2 id="endpoints-heading">Endpoints</h2>
        <DataTable
          labelledBy="endpoints-heading"
          columns={["Name", "Methods", "Path template", "Names a model", canEdit && { label: "Actions", visuallyHidden: true }]}
          rows={endpoints}
          empty="No endpoints in the catalog yet."
          row={(e) => (
            <tr key={e.name}>
              <td className="mono">{e.name}</td>
              <td>
                <span className="catalog-methods">
                  {e.methods.map((m) => (
                    <Badge key={m} tone="info">
                      {m}
                    </Badge>
                  ))}
                </span>
              </td>
              <td className="mono">{e.pathTemplate}</td>
              <td>{e.namesModel ? "Yes" : "No"}</td>
              {canEdit ? (
                <td>
                  <div className="actions catalog-row-actions">
                    <Link to={`/catalog?endpoint=${encodeURIComponent(e.name)}#endpoint-form`} aria-label={`Edit endpoint ${e.name}`}>
                      Edit
                    </Link>
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="intent" value="delete-endpoint" />
                      <input type="hidden" name="name" value={e.name} />
                      <button type="submit" className="danger" aria-label={`Delete endpoint ${e.name}`}>
                        Delete
                      </button>
                    </Form>
                  </div>
                </td>
              ) : null}
            </tr>
          )}
        />
      </section>

      {canEdit ? (
        <div className="catalog-forms">
          <ModelForm key={`model-${editModel?.name ?? "new"}`} edit={editModel} data={data?.intent === "create-model" || data?.intent === "update-model" ? data : undefined} />
          <EndpointForm
            key={`endpoint-${editEndpoint?.name ?? "new"}`}
            edit={editEndpoint}
            data={data?.intent === "create-endpoint" || data?.intent === "update-endpoint" ? data : undefined}
          />
        </div>
      ) : null}
    </main>
  );
}

type ActionData = { errors: FieldErrors; values: Record<string, string | string[]>; formError: string | null };

function str(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(", ") : v;
}

function ModelForm({ edit, data }: { edit: { name: string; status: string; aliases: string; description: string } | null; data?: ActionData }) {
  const busy = useNavigation().state === "submitting";
  const v = data?.values;
  return (
    <section className="panel" id="model-form" aria-labelledby="model-form-heading">
      <h2 id="model-form-heading">{edit ? `Edit model ${edit.name}` : "Add a model"}</h2>
      <FormErrors errors={data?.errors} formError={data?.formError} />
      <Form method="post" className="stack" noValidate>
        <input type="hidden" name="intent" value={edit ? "update-model" : "create-model"} />
        <div className="form-row">
          <TextField
            label="Name"
            name="name"
            required
            readOnly={Boolean(edit)}
            defaultValue={str(v?.name) ?? edit?.name ?? ""}
            hint={edit ? "A model's name cannot change; add the old name as an alias of a new model instead." : "As it appears in request paths and bodies, e.g. atlas-2"}
            errors={data?.errors}
          />
          <SelectField label="Status" name="status" options={STATUS_OPTIONS} defaultValue={str(v?.status) ?? edit?.status ?? "ga"} errors={data?.errors} />
        </div>
        <TextField
          label="Aliases and codenames"
          name="aliases"
          defaultValue={str(v?.aliases) ?? edit?.aliases ?? ""}
          hint="Separated by commas. Requests naming any of them count as this model."
          errors={data?.errors}
        />
        <TextArea label="Description" name="description" defaultValue={str(v?.description) ?? edit?.description ?? ""} maxLength={500} errors={data?.errors} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {edit ? "Save model" : "Add model"}
          </button>
          {edit ? <Link to="/catalog">Cancel</Link> : null}
        </div>
      </Form>
    </section>
  );
}

function EndpointForm({ edit, data }: { edit: { name: string; methods: string[]; pathTemplate: string } | null; data?: ActionData }) {
  const busy = useNavigation().state === "submitting";
  const v = data?.values;
  return (
    <section className="panel" id="endpoint-form" aria-labelledby="endpoint-form-heading">
      <h2 id="endpoint-form-heading">{edit ? `Edit endpoint ${edit.name}` : "Add an endpoint"}</h2>
      <FormErrors errors={data?.errors} formError={data?.formError} />
      <Form method="post" className="stack" noValidate>
        <input type="hidden" name="intent" value={edit ? "update-endpoint" : "create-endpoint"} />
        <TextField label="Name" name="name" required readOnly={Boolean(edit)} defaultValue={str(v?.name) ?? edit?.name ?? ""} hint="e.g. messages" errors={data?.errors} />
        <CheckboxGroup
          className="catalog-methods-field"
          legend="Methods"
          name="methods"
          options={HTTP_METHODS.map((m) => ({ value: m, label: m }))}
          checked={v ? asList(v.methods) : (edit?.methods ?? [])}
          errors={data?.errors}
        />
        <TextField
          label="Path template"
          name="pathTemplate"
          required
          defaultValue={str(v?.pathTemplate) ?? edit?.pathTemplate ?? ""}
          hint="Starts with /; placeholders in braces, e.g. /v1/models/{model}/messages. {model} marks where the model name goes."
          errors={data?.errors}
        />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {edit ? "Save endpoint" : "Add endpoint"}
          </button>
          {edit ? <Link to="/catalog">Cancel</Link> : null}
        </div>
      </Form>
    </section>
  );
}
