import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireUser } from "~/auth.server";
import { MAX_EVIDENCE_BYTES } from "~/domain/evidence-file";
import { blankToUndefined } from "~/domain/form-errors";
import { can } from "~/domain/permissions";
import { getAttestationSummary, OPEN_FOR_ANSWERS } from "~/models/attestation.server";
import { getTemplate } from "~/models/attestation-template.server";
import { evidenceTempPath, storeEvidence } from "~/models/evidence.server";
import { discardUpload, receiveUpload, UploadError } from "~/upload.server";

// The evidence upload (multipart): received to a temporary file with the 10 MB cap, then checked by
// content and filed under its SHA-256 (models/evidence.server.ts). A refusal is a 400/413 page saying why.

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date such as 2026-01-31")
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "Not a real date");
const MetaSchema = z
  .object({
    controlId: z.preprocess(blankToUndefined, z.string().max(20).optional()),
    effectiveDate: z.string({ message: "Enter the evidence's effective date" }).pipe(day),
    expiresOn: z.preprocess(blankToUndefined, day.optional()),
  })
  .refine((m) => !m.expiresOn || m.expiresOn >= m.effectiveDate, { message: "The expiry is before the effective date", path: ["expiresOn"] });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:attestation");
  if (!getAttestationSummary(user, params.id ?? "")) throw new Response("Not found", { status: 404 });
  return json({ attestationId: params.id ?? "" });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "read:attestation");
  const att = getAttestationSummary(user, params.id ?? "");
  if (!att) throw new Response("Not found", { status: 404 });
  if (!can(user, "answer:attestation:own") || user.orgId !== att.orgId) throw new Response("Only the organisation's own users upload its evidence.", { status: 403 });
  if (!OPEN_FOR_ANSWERS.includes(att.status)) return json({ attestationId: att.id, message: `This attestation is ${att.status}: evidence can no longer be added.` }, { status: 400 });
  if (!/^multipart\/form-data/i.test(request.headers.get("Content-Type") ?? "")) return json({ attestationId: att.id, message: "Choose a file to upload." }, { status: 400 });
  let received;
  try {
    // One byte over the cap is enough to know it is too big.
    received = await receiveUpload(request, { fileField: "file", dest: evidenceTempPath(), maxBytes: MAX_EVIDENCE_BYTES });
  } catch (error) {
    if (error instanceof UploadError) {
      const message = error.status === 413 ? "The file is larger than the 10 MB limit for evidence: upload a smaller file (split or compress it)." : error.message.replace("a log file", "a file");
      return json({ attestationId: att.id, message }, { status: error.status });
    }
    throw error;
  }
  const { fields, file } = received;
  if (!file) return json({ attestationId: att.id, message: "Choose a file to upload." }, { status: 400 });
  const meta = MetaSchema.safeParse(fields);
  if (!meta.success) {
    await discardUpload(file);
    return json({ attestationId: att.id, message: meta.error.issues[0].message }, { status: 400 });
  }
  const controlIds = getTemplate(att.templateId)!.controls.map((c) => c.id);
  const r = await storeEvidence({ actor: user, ip: context.clientIp }, { id: att.id, orgId: att.orgId, controlIds }, file, { controlId: meta.data.controlId ?? null, effectiveDate: meta.data.effectiveDate, expiresOn: meta.data.expiresOn ?? null });
  if (!r.ok) return json({ attestationId: att.id, message: r.message }, { status: r.status });
  return redirect(`/attestations/${att.id}?uploaded=1`);
}

export default function EvidenceRefused() {
  const data = useActionData<typeof action>();
  const { attestationId } = useLoaderData<typeof loader>();
  return (
    <main>
      <h1>Evidence not uploaded</h1>
      <div className="alert error" role="alert">
        {data?.message ?? "Nothing was uploaded: use the form on the attestation's page."}
      </div>
      <p>
        <Link to={`/attestations/${attestationId}`}>← Back to the attestation</Link>
      </p>
    </main>
  );
}
