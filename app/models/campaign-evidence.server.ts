import { buildReport, campaignsOverlapping, reportCsv } from "./campaign-report.server";

// For the evidence pack (issue 8): every campaign report overlapping the period, as CSV and JSON
// (the pack's manifest is signed by the pack itself). With orgId, only that organisation's items.

export function campaignEvidenceFiles(range: { from: Date; to: Date; orgId?: string }): { path: string; content: string }[] {
  const files: { path: string; content: string }[] = [];
  for (const c of campaignsOverlapping(range)) {
    const report = buildReport(c, range.orgId ?? null);
    if (range.orgId && report.items.length === 0) continue;
    const base = `access-reviews/${c.opensOn}-${c.id}`;
    files.push({ path: `${base}.csv`, content: reportCsv(report) });
    files.push({ path: `${base}.json`, content: `${JSON.stringify(report, null, 2)}\n` });
  }
  return files;
}
