import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/auth.server";
import { FormErrors, SelectField, TextField } from "~/components/form";
import { Pagination } from "~/components/pagination";
import { ImportStatusBadge } from "~/components/progress-bar";
import { UtcTime } from "~/components/utc-time";
import { fieldErrors } from "~/domain/form-errors";
import { can } from "~/domain/permissions";
import { IMPORT_FORMATS, ImportListQuerySchema, listImports, queueUpload, startQueuedImport, uploadedLogPath, UploadFormSchema } from "~/models/log-import-history.server";
import { discardUpload, MAX_UPLOAD_BYTES, receiveUpload, UploadError } from "~/upload.server";

export const meta: MetaFunction = () => [{ title: "Imports · Keyward" }];

// Gateway log imports (issue 6, 3a): upload a log (streamed to disk), which is imported in the
// background; the history of every import (upload, CLI, push) with a link to its report.

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:import:any");
  const query = ImportListQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const list = listImports(user, query);
  return json({
    list: {
      ...list,
      rows: list.rows.map((r) => ({ ...r, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt?.toISOString() ?? null, by: r.by?.email ?? null })),
    },
    canUpload: can(user, "create:import:any"),
    maxUploadGb: MAX_UPLOAD_BYTES / 1024 ** 3,
    formats: [{ value: "auto", label: "Detect from the first lines" }, ...IMPORT_FORMATS.map((f) => ({ value: f, label: f }))],
  });
}

type ActionData = { errors: Record<string, string[]> | null; formError: string | null; values: { source: string; format: string } | null };

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "create:import:any");
  const id = crypto.randomUUID();
  let received: Awaited<ReturnType<typeof receiveUpload>>;
  try {
    received = await receiveUpload(request, { fileField: "file", dest: uploadedLogPath(id) });
  } catch (error) {
    if (error instanceof UploadError) return json<ActionData>({ errors: null, formError: error.message, values: null }, { status: error.status });
    throw error;
  }
  const { fields, file } = received;
  const values = { source: fields.source ?? "", format: fields.format ?? "auto" };
  const parsed = UploadFormSchema.safeParse(fields);
  if (!parsed.success) {
    await discardUpload(file);
    return json<ActionData>({ errors: fieldErrors(parsed.error), formError: null, values }, { status: 400 });
  }
  if (!file) return json<ActionData>({ errors: { file: ["Choose a log file to upload."] }, formError: null, values }, { status: 400 });
  if (file.sizeBytes === 0) {
    await discardUpload(file);
    return json<ActionData>({ errors: { file: [`${file.fileName || "The file"} is empty: there is nothing to import.`] }, formError: null, values }, { status: 400 });
  }
  const ctx = { actor: user, ip: context.clientIp };
  queueUpload(ctx, { id, fileName: file.fileName, sha256: file.sha256, sizeBytes: file.sizeBytes, source: parsed.data.source || file.fileName || "upload", format: parsed.data.format });
  void startQueuedImport(id, ctx); // in the background: the report page shows its progress
  return redirect(`/imports/${id}`);
}

export default function Imports() {
  const { list, canUpload, maxUploadGb, formats } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ActionData | undefined;
  const navigation = useNavigation();
  const uploading = navigation.state === "submitting" && navigation.formMethod?.toLowerCase() === "post";
  const errors = actionData?.errors ?? undefined;
  return (
    <main>
      <div className="page-header">
        <h1>Gateway log imports</h1>
      </div>
      {canUpload ? (
        <section className="panel import-upload" aria-labelledby="upload-heading">
          <h2 id="upload-heading">Import a log file</h2>
          <p className="muted">
            The restricted gateway's access log, plain or gzip, up to {maxUploadGb} GB (larger files: <span className="mono">keyward import-logs</span>). It is imported in the background; re-importing a
            file stores nothing twice.
          </p>
          <FormErrors errors={errors} formError={actionData?.formError} />
          <Form method="post" encType="multipart/form-data" className="stack">
            <div className="form-row">
              <TextField label="Log file" name="file" type="file" required errors={errors} />
              <TextField label="Source" name="source" maxLength={80} placeholder="the file's name" hint="Which gateway the log comes from, e.g. gateway-eu." defaultValue={actionData?.values?.source ?? ""} errors={errors} />
              <SelectField label="Format" name="format" options={formats} defaultValue={actionData?.values?.format ?? "auto"} errors={errors} />
            </div>
            <div>
              <button type="submit" className="primary" disabled={uploading}>
                {uploading ? "Uploading…" : "Upload and import"}
              </button>
            </div>
          </Form>
        </section>
      ) : null}
      <div className="table-wrap">
        <table aria-label="Imports" className="import-table">
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Source</th>
              <th scope="col">File</th>
              <th scope="col">Format</th>
              <th scope="col">Via</th>
              <th scope="col">Status</th>
              <th scope="col">Lines / parsed / rejected</th>
              <th scope="col">Matched / unmatched</th>
              <th scope="col">Secrets stripped</th>
              <th scope="col">By</th>
            </tr>
          </thead>
          <tbody>
            {list.rows.length === 0 ? (
              <tr>
                <td colSpan={10} className="empty">
                  No imports yet.
                </td>
              </tr>
            ) : (
              list.rows.map((r) => (
                <tr key={r.id}>
                  <td className="nowrap">
                    <Link to={`/imports/${r.id}`} aria-label={`Report of the import of ${r.fileName ?? r.source} started ${r.startedAt.slice(0, 16).replace("T", " ")} UTC`}>
                      <UtcTime iso={r.startedAt} />
                    </Link>
                  </td>
                  <td>{r.source}</td>
                  <td className="import-file">{r.fileName ?? <span className="muted">—</span>}</td>
                  <td>{r.format}</td>
                  <td>{r.via}</td>
                  <td>
                    <ImportStatusBadge status={r.status} />
                    {r.status === "running" ? <span className="muted"> {Math.floor(r.progress / 10)}%</span> : null}
                  </td>
                  <td className="num">
                    {r.lines.toLocaleString("en")} / {r.parsed.toLocaleString("en")} / {r.rejected ? <strong>{r.rejected.toLocaleString("en")}</strong> : 0}
                  </td>
                  <td className="num">
                    {r.matched.toLocaleString("en")} / {r.unmatched.toLocaleString("en")}
                  </td>
                  <td className="num">{r.secretsStripped ? <strong className="import-secrets">{r.secretsStripped.toLocaleString("en")}</strong> : 0}</td>
                  <td>{r.by ?? <span className="muted">{r.via === "upload" ? "—" : r.via === "cli" ? "CLI" : "API token"}</span>}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <Pagination page={list.page} pageCount={list.pageCount} total={list.total} noun="import" />
    </main>
  );
}
