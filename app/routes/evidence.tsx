import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth.server";
import { FormErrors, SelectField, TextField } from "~/components/form";
import { EvidencePackRequestSchema, MAX_PERIOD_DAYS } from "~/domain/evidence-pack";
import { fieldErrors, formValues } from "~/domain/form-errors";
import { buildEvidencePack, listEvidenceOrgOptions } from "~/models/evidence-pack.server";

export const meta: MetaFunction = () => [{ title: "Evidence pack · Keyward" }];

const day = (d: Date) => d.toISOString().slice(0, 10);

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, "export:evidence:any");
  const now = new Date();
  return json({ orgs: listEvidenceOrgOptions(), defaults: { from: day(new Date(now.getTime() - 89 * 86_400_000)), to: day(now) } });
}

/** Builds the pack and answers with the ZIP itself (a plain form post downloads it; no JavaScript needed). */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "export:evidence:any");
  const form = await request.formData();
  const values = formValues(form);
  const parsed = EvidencePackRequestSchema.safeParse(values);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), values }, { status: 400 });
  const result = await buildEvidencePack({ actor: user, ip: context.clientIp ?? null }, parsed.data);
  if (!result.ok) return json({ errors: { [result.field]: [result.message] }, values }, { status: 400 });
  const { zip, fileName, manifestSha256 } = result.pack;
  return new Response(new Blob([zip as Uint8Array<ArrayBuffer>]), {
    headers: {
      "Content-Type": "application/zip",
      "Content-Disposition": `attachment; filename="${fileName}"`,
      "Content-Length": String(zip.byteLength),
      "Cache-Control": "no-store",
      "X-Keyward-Manifest-SHA256": manifestSha256,
    },
  });
}

export default function EvidencePage() {
  const { orgs, defaults } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const errors = data && "errors" in data ? data.errors : undefined;
  const values = (data && "values" in data ? data.values : {}) as Record<string, string | undefined>;
  return (
    <main>
      <div className="page-header">
        <h1>Evidence pack</h1>
      </div>
      <section className="panel" aria-labelledby="pack-form">
        <h2 id="pack-form">Download a pack</h2>
        <p>
          One ZIP for the period: organisations with their risk score, the credential inventory, rotations, flags and their resolutions, and the audit log extract, each as CSV and JSON,
          with a manifest of every file's SHA-256 signed by the portal. Narrow it to one organisation to give that organisation's auditor only its own data. Downloading a pack is recorded in the
          audit log.
        </p>
        <p className="muted">
          Check a pack with <code>keyward verify-pack &lt;file.zip&gt;</code> (optionally <code>--jwks</code> with a copy of <a href="/.well-known/jwks.json">the portal's public keys</a>).
        </p>
        <FormErrors errors={errors} />
        {/* reloadDocument: the answer is a file, not a page */}
        <Form method="post" reloadDocument>
          <TextField label="From" name="from" type="date" required defaultValue={values.from ?? defaults.from} errors={errors} />
          <TextField label="To" name="to" type="date" required defaultValue={values.to ?? defaults.to} errors={errors} hint={`Inclusive, UTC days; at most ${MAX_PERIOD_DAYS} days.`} />
          <SelectField
            label="Organisation"
            name="org"
            placeholder="Every organisation"
            options={orgs.map((o) => ({ value: o.slug, label: o.name }))}
            defaultValue={values.org ?? ""}
            errors={errors}
          />
          <button type="submit" className="primary">
            Download the evidence pack
          </button>
        </Form>
      </section>
    </main>
  );
}
