import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth.server";
import { Badge } from "~/components/badge";
import { DataTable } from "~/components/data-table";
import { UtcTime } from "~/components/utc-time";
import { can } from "~/domain/permissions";
import { createDraft, currentTemplate, listTemplates } from "~/models/attestation-template.server";

export const meta: MetaFunction = () => [{ title: "Attestation templates · Keyward" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:template:any");
  currentTemplate({ actor: null, ip: null });
  return json({
    templates: listTemplates().map((t) => ({ id: t.id, name: t.name, version: t.version, status: t.status, controls: t.controls.length, publishedAt: t.publishedAt?.toISOString() ?? null })),
    canEdit: can(user, "update:template:any"),
  });
}

/** Starts a draft from the newest published version (or opens the existing draft). */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "update:template:any");
  const draft = createDraft({ actor: user, ip: context.clientIp });
  return redirect(`/attestations/templates/${draft.id}`);
}

export default function Templates() {
  const { templates, canEdit } = useLoaderData<typeof loader>();
  const hasDraft = templates.some((t) => t.status === "draft");
  return (
    <main>
      <p>
        <Link to="/attestations">← Attestations</Link>
      </p>
      <div className="page-header">
        <h1>Attestation templates</h1>
        {canEdit ? (
          <Form method="post" className="actions">
            <button type="submit" className="primary">
              {hasDraft ? "Open the draft" : "New draft version"}
            </button>
          </Form>
        ) : null}
      </div>
      <p className="muted">Published versions never change: attestations keep the version they were requested with. New requests use the newest published version.</p>
      <DataTable
        label="Template versions"
        columns={["Version", "Name", "Controls", "Status", "Published"]}
        rows={templates}
        row={(t) => (
          <tr key={t.id}>
            <td>
              <Link to={`/attestations/templates/${t.id}`}>v{t.version}</Link>
            </td>
            <td>{t.name}</td>
            <td>{t.controls}</td>
            <td>{t.status === "draft" ? <Badge tone="info">Draft</Badge> : <Badge tone="good">Published</Badge>}</td>
            <td>{t.publishedAt ? <UtcTime iso={t.publishedAt} /> : "—"}</td>
          </tr>
        )}
      />
    </main>
  );
}
