import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { requireUser } from "~/auth.server";
import { DataTable } from "~/components/data-table";
import { FlagStatusBadge, SeverityBadge } from "~/components/flag-badges";
import { SelectField, TextField } from "~/components/form";
import { Pagination } from "~/components/pagination";
import { UtcTime } from "~/components/utc-time";
import { FLAG_STATUS_VALUES, FlagFilterSchema, SEVERITIES } from "~/domain/detection/triage";
import { RULE_IDS } from "~/domain/detection/types";
import { fieldErrors } from "~/domain/form-errors";
import { listFlagOrgs, listFlags } from "~/models/flag.server";

export const meta: MetaFunction = () => [{ title: "Flags · Keyward" }];

const FILTER_KEYS = ["severity", "rule", "org", "status", "from", "to"] as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:flag");
  const params = new URL(request.url).searchParams;
  const typed = Object.fromEntries(FILTER_KEYS.map((k) => [k, params.get(k) ?? ""])) as Record<(typeof FILTER_KEYS)[number], string>;
  const parsed = FlagFilterSchema.safeParse({ ...typed, page: params.get("page") ?? "" });
  const orgs = listFlagOrgs(user);
  const internal = user.orgId === null;
  if (!parsed.success) return json({ typed, orgs, internal, errors: fieldErrors(parsed.error), rows: [], total: 0, page: 1, pageCount: 1 }, { status: 400 });
  const { rows, total, page, pageCount } = listFlags(user, parsed.data);
  return json({
    typed,
    orgs,
    internal,
    errors: null as Record<string, string[]> | null,
    rows: rows.map((r) => ({ ...r, firstSeen: new Date(r.firstSeen).toISOString(), lastSeen: new Date(r.lastSeen).toISOString() })),
    total,
    page,
    pageCount,
  });
}

export default function Flags() {
  const { typed, orgs, internal, errors, rows, total, page, pageCount } = useLoaderData<typeof loader>();
  const { pathname } = useLocation();
  const e = errors ?? undefined;
  return (
    <main>
      <div className="page-header">
        <h1>Flags</h1>
        <p className="muted">
          {internal
            ? "What detection found in the gateway logs, most severe and most recent first. Open a flag to see its requests and act on it."
            : "Findings about your organisation's credentials. Open one to see what was seen and tell security what happened."}
        </p>
      </div>
      <Form method="get" className="filters" role="search" aria-label="Filter flags">
        <SelectField label="Severity" name="severity" defaultValue={typed.severity} placeholder="Any" options={[...SEVERITIES].reverse().map((s) => ({ value: s, label: s }))} errors={e} />
        <SelectField label="Rule" name="rule" defaultValue={typed.rule} placeholder="Any" options={RULE_IDS.map((r) => ({ value: r, label: r }))} errors={e} />
        {orgs.length > 1 || typed.org ? <SelectField label="Organisation" name="org" defaultValue={typed.org} placeholder="Any" options={orgs.map((o) => ({ value: o.slug, label: o.name }))} errors={e} /> : null}
        <SelectField
          label="Status"
          name="status"
          defaultValue={typed.status}
          placeholder="Needing attention"
          options={[...FLAG_STATUS_VALUES.map((s) => ({ value: s, label: s.replace(/_/g, " ") })), { value: "all", label: "all" }]}
          errors={e}
        />
        <TextField label="Seen from (UTC)" name="from" type="date" defaultValue={typed.from} errors={e} />
        <TextField label="Seen until (UTC)" name="to" type="date" defaultValue={typed.to} errors={e} />
        <div className="actions">
          <button type="submit" className="primary">
            Filter
          </button>
          <Link to={pathname}>Clear</Link>
        </div>
      </Form>
      <DataTable
        label="Flags"
        columns={["Severity", "Rule", "Subject", "Organisation", "Status", "Count", "Last seen", "Finding", internal && "Assignee"]}
        rows={rows}
        empty={errors ? "Correct the filters above." : "No flags match."}
        row={(r) => (
          <tr key={r.id}>
            <td>
              <SeverityBadge severity={r.severity} />
            </td>
            <td className="mono">
              <Link to={`/flags/${r.id}`}>{r.rule}</Link>
            </td>
            <td className="mono flag-path">{r.keyId ?? r.keyRef ?? r.srcIp ?? "—"}</td>
            <td>{r.orgName ?? <span className="muted">—</span>}</td>
            <td>
              <FlagStatusBadge status={r.status} />
            </td>
            <td className="num">{r.count}</td>
            <td>
              <UtcTime iso={r.lastSeen} />
            </td>
            <td>{r.summary}</td>
            {internal ? <td>{r.assignee ?? <span className="muted">—</span>}</td> : null}
          </tr>
        )}
      />
      <Pagination page={page} pageCount={pageCount} total={total} noun="flag" />
    </main>
  );
}
