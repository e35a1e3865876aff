import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth.server";
import { DataTable } from "~/components/data-table";
import { DECISION_LABELS, describeGrant, type Decision } from "~/domain/campaign";
import { campaignReport } from "~/models/campaign-report.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Report: ${data?.report.campaign.name ?? "access review"} · Keyward` }];

/** The printable report: every item with its snapshot, decision, reviewer, comment and time. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:campaign");
  const report = campaignReport(user, params.id!);
  if (!report) throw new Response("Not found", { status: 404 });
  return json({ report });
}

export default function CampaignReportPage() {
  const { report } = useLoaderData<typeof loader>();
  const { campaign: c, summary: s } = report;
  return (
    <main className="report">
      <div className="page-header">
        <div>
          <h1>Access review report: {c.name}</h1>
          <p className="muted">
            {c.status === "closed" ? `Closed ${c.closedAt?.slice(0, 16).replace("T", " ")} UTC` : `${c.status}: this report is not final until the campaign is closed`} · opened {c.openedAt?.slice(0, 10) ?? "not yet"} · due {c.dueOn} · owner {c.owner ?? "unknown"} · {c.mode} review · undecided at close: {c.undecidedRule}
          </p>
        </div>
        <div className="actions">
          <Link to={`/reviews/${c.id}`}>Back to the campaign</Link>
          <a href={`/reviews/${c.id}/report.csv`}>CSV</a>
          <a href={`/reviews/${c.id}/report.json`}>Signed JSON</a>
        </div>
      </div>
      <p>
        {s.total} items: {s.decided} decided ({s.kept} kept, {s.narrowed} narrowed), {s.revoked} revoked in all, {s.unsure} unsure, {s.undecided} undecided. The signed JSON can be checked with{" "}
        <code>keyward verify-report &lt;file&gt;</code> or against <code>/.well-known/jwks.json</code>.
      </p>
      <DataTable
        label="Report items"
        columns={["Organisation", "Credential", "Holder", "Grant", "Age", "Last use", "Flags · attestation · shared · storage", "First pass", "Reviewer", "Decision", "Comment", "Decided", "Outcome"]}
        rows={report.items}
        row={(i) => (
          <tr key={i.itemId}>
            <td>{i.orgName}</td>
            <td>
              {i.label}
              <div className="mono">{i.keyId}</div>
            </td>
            <td>{i.holder ?? "unknown"}</td>
            <td>{describeGrant(i.grantModels, i.grantEndpoints)}</td>
            <td>
              {i.ageDays} / {i.maxAgeDays} d
            </td>
            <td>{i.neverUsed ? "never used" : `${i.lastUsedAt?.slice(0, 10)} ${i.lastUsedIp ?? ""}`}</td>
            <td>
              {i.openFlags} · {i.attestation} · {i.sharedWith.join(", ") || "not shared"} · {i.storage}
            </td>
            <td>{i.firstPass ? `${DECISION_LABELS[i.firstPass as Decision]}${i.firstPassComment ? `: ${i.firstPassComment}` : ""}` : ""}</td>
            <td>{i.reviewer}</td>
            <td>{i.decision ? DECISION_LABELS[i.decision as Decision] : "undecided"}</td>
            <td>{i.comment}</td>
            <td>
              {i.decidedBy} {i.decidedAt?.slice(0, 16).replace("T", " ")}
            </td>
            <td>{i.outcome}</td>
          </tr>
        )}
      />
    </main>
  );
}
