import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { requireUser } from "~/auth.server";
import { EvidencePackRequestSchema } from "~/domain/evidence-pack";
import { formValues } from "~/domain/form-errors";
import { buildEvidencePack } from "~/models/evidence-pack.server";

// POST /evidence.zip: the evidence pack form's target. Answers with the ZIP itself (a plain form post
// downloads it, no JavaScript needed); a bad request goes back to /evidence with what was typed, where
// the page shows the messages.

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, "export:evidence:any");
  return redirect("/evidence");
}

function back(values: Record<string, unknown>) {
  const q = new URLSearchParams({ check: "1" });
  for (const k of ["from", "to", "org"] as const) if (typeof values[k] === "string" && values[k]) q.set(k, String(values[k]).slice(0, 80));
  return redirect(`/evidence?${q}`);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "export:evidence:any");
  const values = formValues(await request.formData());
  const parsed = EvidencePackRequestSchema.safeParse(values);
  if (!parsed.success) return back(values);
  const result = await buildEvidencePack({ actor: user, ip: context.clientIp ?? null }, parsed.data);
  if (!result.ok) return back(values);
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
