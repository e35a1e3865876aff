import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth.server";
import { campaignReport, reportCsv } from "~/models/campaign-report.server";

/** /reviews/<id>/report.csv: every item visible to the reader with its snapshot and decision (cells guarded against formula injection). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:campaign");
  const report = campaignReport(user, params.id!);
  if (!report) throw new Response("Not found", { status: 404 });
  return new Response(reportCsv(report), {
    headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="access-review-${report.campaign.id}.csv"`, "Cache-Control": "no-store" },
  });
}
