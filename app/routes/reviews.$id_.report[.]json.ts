import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth.server";
import { campaignReport, signedReportJson } from "~/models/campaign-report.server";

/** /reviews/<id>/report.json: the report with a JWS over its digest (portal key), checked by `keyward verify-report`. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:campaign");
  const report = campaignReport(user, params.id!);
  if (!report) throw new Response("Not found", { status: 404 });
  return new Response(await signedReportJson(report), {
    headers: { "Content-Type": "application/json; charset=utf-8", "Content-Disposition": `attachment; filename="access-review-${report.campaign.id}.json"`, "Cache-Control": "no-store" },
  });
}
