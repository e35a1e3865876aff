import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth.server";
import { FormErrors, SelectField, TextField } from "~/components/form";
import { EvidencePackRequestSchema, MAX_PERIOD_DAYS } from "~/domain/evidence-pack";
import { fieldErrors } from "~/domain/form-errors";
import { listEvidenceOrgOptions } from "~/models/evidence-pack.server";

export const meta: MetaFunction = () => [{ title: "Evidence pack · Keyward" }];

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The form. It posts to /evidence.zip, which answers with the file; a request that does not validate
 * comes back here with `check=1` and the values typed, and the same schema explains what is wrong.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, "export:evidence:any");
  const url = new URL(request.url);
  const now = new Date();
  const orgs = listEvidenceOrgOptions();
  const typed = { from: url.searchParams.get("from") ?? "", to: url.searchParams.get("to") ?? "", org: url.searchParams.get("org") ?? "" };
  let errors: Record<string, string[] | undefined> | undefined;
  if (url.searchParams.get("check") === "1") {
    const parsed = EvidencePackRequestSchema.safeParse(typed);
    if (!parsed.success) errors = fieldErrors(parsed.error);
    else if (parsed.data.org && !orgs.some((o) => o.slug === parsed.data.org)) errors = { org: [`No organisation "${parsed.data.org}"`] };
  }
  const defaults = { from: day(new Date(now.getTime() - 89 * 86_400_000)), to: day(now), org: "" };
  return json({ orgs, errors, values: errors ? typed : defaults }, { status: errors ? 400 : 200 });
}

export default function EvidencePage() {
  const { orgs, errors, values } = useLoaderData<typeof loader>();
  return (
    <main>
      <div className="page-header">
        <h1>Evidence pack</h1>
      </div>
      <section className="panel" aria-labelledby="pack-form">
        <h2 id="pack-form">Download a pack</h2>
        <p>
          One ZIP for the period: organisations with their risk score, the credential inventory, rotations, flags and their resolutions, and the audit log extract, each as CSV and JSON,
          with a manifest of every file's SHA-256 signed by the portal. Narrow it to one organisation to give that organisation's auditor only its own data. Each download is recorded in the
          audit log.
        </p>
        <p className="muted">
          Check a pack with <code>keyward verify-pack &lt;file.zip&gt;</code> (optionally <code>--jwks</code> with a copy of <a href="/.well-known/jwks.json">the portal's public keys</a>).
        </p>
        <FormErrors errors={errors} />
        {/* A plain form: the answer is a file, not a page. */}
        <form method="post" action="/evidence.zip">
          <TextField label="From" name="from" type="date" required defaultValue={values.from} errors={errors} />
          <TextField label="To" name="to" type="date" required defaultValue={values.to} errors={errors} hint={`Inclusive, UTC days; at most ${MAX_PERIOD_DAYS} days.`} />
          <SelectField label="Organisation" name="org" placeholder="Every organisation" options={orgs.map((o) => ({ value: o.slug, label: o.name }))} defaultValue={values.org} errors={errors} />
          <button type="submit" className="primary">
            Download the evidence pack
          </button>
        </form>
      </section>
    </main>
  );
}
