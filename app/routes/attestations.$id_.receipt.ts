import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth.server";
import { getAttestationSummary } from "~/models/attestation.server";
import { ensureReceipt } from "~/models/attestation-receipt.server";

/** The accepted attestation's signed receipt (a compact JWS) as a .jws download. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:attestation");
  const att = getAttestationSummary(user, params.id ?? "");
  if (!att) throw new Response("Not found", { status: 404 });
  const receipt = await ensureReceipt(att.id);
  if (!receipt) throw new Response("This attestation has no receipt: only accepted attestations do.", { status: 404 });
  return new Response(receipt, {
    headers: {
      "Content-Type": "application/jose; charset=utf-8",
      "Content-Disposition": `attachment; filename="receipt-${att.orgSlug}-${att.periodEnd}.jws"`,
      "Cache-Control": "private, no-store",
    },
  });
}
