import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { requireUser } from "~/auth.server";
import { Badge } from "~/components/badge";
import { DataTable } from "~/components/data-table";
import { FormErrors, SelectField, TextArea, TextField } from "~/components/form";
import { ANSWER_KIND_LABELS, ANSWER_KINDS, CONTROL_NATURES, CONTROL_TYPES, ControlSchema, type Control } from "~/domain/attestation-template";
import { fieldErrors, formValues } from "~/domain/form-errors";
import { can } from "~/domain/permissions";
import { discardDraft, editDraft, getTemplate, publishDraft, renameDraft } from "~/models/attestation-template.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Template v${data?.template.version ?? ""} · Keyward` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:template:any");
  const t = getTemplate(params.id ?? "");
  if (!t) throw new Response("Not found", { status: 404 });
  return json({ template: { id: t.id, name: t.name, version: t.version, status: t.status, controls: t.controls }, canEdit: can(user, "update:template:any") && t.status === "draft" });
}

const MoveSchema = z.object({ id: z.string().min(1), direction: z.enum(["up", "down"]) });
const NameSchema = z.object({ name: z.string({ message: "Enter a name" }).trim().min(3, "At least 3 characters").max(120, "At most 120 characters") });

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "update:template:any");
  const t = getTemplate(params.id ?? "");
  if (!t) throw new Response("Not found", { status: 404 });
  const form = await request.formData();
  const values = formValues(form);
  const intent = String(form.get("intent") ?? "");
  const ctx = { actor: user, ip: context.clientIp };
  const fail = (errors: Record<string, string[]>) => json({ intent, errors, values }, { status: 400 });
  let r;
  switch (intent) {
    case "add":
    case "update": {
      const p = ControlSchema.safeParse(values);
      if (!p.success) return fail(fieldErrors(p.error));
      r = editDraft(ctx, t.id, { op: intent, control: p.data });
      break;
    }
    case "remove":
      r = editDraft(ctx, t.id, { op: "remove", id: String(form.get("id") ?? "") });
      break;
    case "move": {
      const p = MoveSchema.safeParse(values);
      if (!p.success) return fail(fieldErrors(p.error));
      r = editDraft(ctx, t.id, { op: "move", id: p.data.id, direction: p.data.direction });
      break;
    }
    case "rename": {
      const p = NameSchema.safeParse(values);
      if (!p.success) return fail(fieldErrors(p.error));
      r = renameDraft(ctx, t.id, p.data.name);
      break;
    }
    case "publish":
      r = publishDraft(ctx, t.id);
      if (r.ok) return redirect(`/attestations/templates/${t.id}?published=1`);
      break;
    case "discard":
      if (discardDraft(ctx, t.id)) return redirect("/attestations/templates");
      return fail({ form: ["Only a draft can be discarded."] });
    default:
      return fail({ form: ["Unknown action"] });
  }
  if (!r.ok) return fail({ [r.field]: [r.message] });
  return redirect(`/attestations/templates/${t.id}?saved=1`);
}

function ControlFields({ c, errors, typed }: { c?: Control; errors?: Record<string, string[]>; typed: (k: string) => string | undefined }) {
  return (
    <>
      <TextField label="Id" name="id" defaultValue={typed("id") ?? c?.id ?? ""} readOnly={Boolean(c)} errors={errors} hint={c ? undefined : "Such as AC-07"} />
      <TextArea label="Text" name="text" defaultValue={typed("text") ?? c?.text ?? ""} errors={errors} rows={2} />
      <SelectField label="Type" name="type" options={CONTROL_TYPES.map((v) => ({ value: v, label: v }))} defaultValue={typed("type") ?? c?.type ?? "preventive"} errors={errors} />
      <SelectField label="Nature" name="nature" options={CONTROL_NATURES.map((v) => ({ value: v, label: v }))} defaultValue={typed("nature") ?? c?.nature ?? "manual"} errors={errors} />
      <SelectField label="Answer kind" name="answerKind" options={ANSWER_KINDS.map((v) => ({ value: v, label: ANSWER_KIND_LABELS[v] }))} defaultValue={typed("answerKind") ?? c?.answerKind ?? "yes_no"} errors={errors} />
      <TextArea label="Choices (single choice only, one a line)" name="choices" defaultValue={typed("choices") ?? c?.choices?.join("\n") ?? ""} errors={errors} rows={3} />
      <SelectField
        label="Evidence required"
        name="evidenceRequired"
        options={[
          { value: "yes", label: "Yes" },
          { value: "no", label: "No" },
        ]}
        defaultValue={typed("evidenceRequired") ?? (c?.evidenceRequired ? "yes" : "no")}
        errors={errors}
      />
      <TextField label="Weight (1–10)" name="weight" type="number" min={1} max={10} defaultValue={typed("weight") ?? String(c?.weight ?? 1)} errors={errors} />
    </>
  );
}

export default function TemplateVersion() {
  const { template, canEdit } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const errors = result?.errors;
  const typedFor = (intent: string, id?: string) => (k: string) =>
    result?.intent === intent && (!id || result.values.id === id) ? (result.values[k] as string | undefined) : undefined;
  return (
    <main>
      <p>
        <Link to="/attestations/templates">← Templates</Link>
      </p>
      <div className="page-header">
        <h1>
          {template.name} v{template.version} {template.status === "draft" ? <Badge tone="info">Draft</Badge> : <Badge tone="good">Published</Badge>}
        </h1>
        {canEdit ? (
          <div className="actions">
            <Form method="post">
              <input type="hidden" name="intent" value="publish" />
              <button type="submit" className="primary">
                Publish
              </button>
            </Form>
            <Form method="post">
              <input type="hidden" name="intent" value="discard" />
              <button type="submit" className="danger">
                Discard draft
              </button>
            </Form>
          </div>
        ) : null}
      </div>
      {params.get("published") ? (
        <div className="alert success" role="status">
          Published: new requests use version {template.version}.
        </div>
      ) : params.get("saved") ? (
        <div className="alert success" role="status">
          Draft saved.
        </div>
      ) : null}
      <FormErrors formError={errors?.form?.[0] ?? null} />
      {template.status === "published" ? <p className="muted">This version is published and cannot change. To change the questionnaire, start a new draft on the Templates page.</p> : null}
      {canEdit ? (
        <Form method="post" className="inline-form">
          <input type="hidden" name="intent" value="rename" />
          <TextField label="Name" name="name" defaultValue={typedFor("rename")("name") ?? template.name} errors={result?.intent === "rename" ? errors : undefined} />
          <button type="submit">Rename</button>
        </Form>
      ) : null}
      <DataTable
        label="Controls"
        columns={["#", "Control", "Type", "Nature", "Answer", "Evidence", "Weight", canEdit ? "Edit" : null]}
        rows={template.controls}
        row={(c) => (
          <tr key={c.id}>
            <td className="mono">{c.id}</td>
            <td>
              {c.text}
              {c.choices ? <div className="muted">Choices: {c.choices.join(" · ")}</div> : null}
            </td>
            <td>{c.type}</td>
            <td>{c.nature}</td>
            <td>{ANSWER_KIND_LABELS[c.answerKind]}</td>
            <td>{c.evidenceRequired ? "Required" : "Optional"}</td>
            <td>{c.weight}</td>
            {canEdit ? (
              <td>
                <Form method="post" className="inline-form">
                  <input type="hidden" name="intent" value="move" />
                  <input type="hidden" name="id" value={c.id} />
                  <button type="submit" name="direction" value="up" aria-label={`Move ${c.id} up`}>
                    ↑
                  </button>
                  <button type="submit" name="direction" value="down" aria-label={`Move ${c.id} down`}>
                    ↓
                  </button>
                </Form>
                <Form method="post" className="inline-form">
                  <input type="hidden" name="intent" value="remove" />
                  <input type="hidden" name="id" value={c.id} />
                  <button type="submit" className="danger" aria-label={`Remove ${c.id}`}>
                    Remove
                  </button>
                </Form>
                <details>
                  <summary>Change</summary>
                  <Form method="post">
                    <input type="hidden" name="intent" value="update" />
                    <ControlFields c={c} errors={result?.intent === "update" && result.values.id === c.id ? errors : undefined} typed={typedFor("update", c.id)} />
                    <button type="submit">Save {c.id}</button>
                  </Form>
                </details>
              </td>
            ) : null}
          </tr>
        )}
      />
      {canEdit ? (
        <section className="panel" aria-labelledby="add">
          <h2 id="add">Add a control</h2>
          <Form method="post">
            <input type="hidden" name="intent" value="add" />
            <ControlFields errors={result?.intent === "add" ? errors : undefined} typed={typedFor("add")} />
            <button type="submit" className="primary">
              Add control
            </button>
          </Form>
        </section>
      ) : null}
    </main>
  );
}
