import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { requireUser } from "~/auth.server";
import { DataTable } from "~/components/data-table";
import { TextField } from "~/components/form";
import { fieldErrors } from "~/domain/form-errors";
import { AuditFilterSchema, listAudit, listAuditActions, verifyAuditChain } from "~/models/audit.server";

export const meta: MetaFunction = () => [{ title: "Audit log · Keyward" }];

const FILTER_KEYS = ["actor", "action", "target", "from", "to"] as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:audit:any");
  const params = new URL(request.url).searchParams;
  const typed = Object.fromEntries(FILTER_KEYS.map((k) => [k, params.get(k) ?? ""])) as Record<(typeof FILTER_KEYS)[number], string>;
  const parsed = AuditFilterSchema.safeParse({ ...typed, before: params.get("before") ?? "" });
  // Verifying walks the whole chain on each view: linear in the log's length (fine for now; cache when it grows).
  const chain = verifyAuditChain();
  const actions = listAuditActions();
  if (!parsed.success) return json({ chain, actions, typed, errors: fieldErrors(parsed.error), rows: [], nextBefore: null, before: null }, { status: 400 });
  const { rows, nextBefore } = listAudit(user, parsed.data);
  return json({
    chain,
    actions,
    typed,
    errors: null as Record<string, string[]> | null,
    rows: rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actorEmail: r.actorEmail,
      action: r.action,
      target: r.targetId ? `${r.targetType}:${r.targetId}` : r.targetType,
      org: r.orgSlug ?? r.orgId,
      details: r.details === "{}" ? "" : r.details,
      ip: r.ip,
    })),
    nextBefore,
    before: parsed.data.before ?? null,
  });
}

function entries(n: number) {
  return `${n} ${n === 1 ? "entry" : "entries"}`;
}

export default function Audit() {
  const { chain, actions, typed, errors, rows, nextBefore, before } = useLoaderData<typeof loader>();
  const { pathname, search } = useLocation();
  const pageHref = (b: number | null) => {
    const params = new URLSearchParams(search);
    if (b === null) params.delete("before");
    else params.set("before", String(b));
    const q = params.toString();
    return q ? `${pathname}?${q}` : pathname;
  };
  return (
    <main>
      <div className="page-header">
        <h1>Audit log</h1>
        <p className="muted">Every change, who made it, from where. Append-only and hash-chained.</p>
      </div>

      {chain.ok ? (
        <div className="alert success audit-chain" role="status">
          <span className="chain-ok">{`Chain intact: ${entries(chain.checked)} verified.`}</span>
        </div>
      ) : (
        <div className="alert error audit-chain" role="alert">
          <span className="chain-bad">{`Chain broken at row ${chain.badRowId}: ${chain.reason}.`}</span>
          <span>{`${entries(chain.checked)} verified before it. The log was altered outside the portal: keep a copy of the database and investigate.`}</span>
        </div>
      )}

      <Form method="get" className="filters" role="search" aria-label="Filter the audit log">
        <TextField label="Actor email contains" name="actor" type="search" defaultValue={typed.actor} errors={errors ?? undefined} />
        <TextField label="Action starts with" name="action" list="audit-actions" defaultValue={typed.action} errors={errors ?? undefined} />
        <datalist id="audit-actions">
          {actions.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <TextField label="Target (type:id) contains" name="target" type="search" defaultValue={typed.target} errors={errors ?? undefined} />
        <TextField label="From (UTC)" name="from" type="date" defaultValue={typed.from} errors={errors ?? undefined} />
        <TextField label="To (UTC)" name="to" type="date" defaultValue={typed.to} errors={errors ?? undefined} />
        <div className="actions">
          <button type="submit" className="primary">
            Filter
          </button>
          <Link to={pathname}>Clear</Link>
        </div>
      </Form>

      <DataTable
        label="Audit entries"
        className="audit-table"
        columns={["#", "Time (UTC)", "Actor", "Action", "Target", "Org", "Details", "IP"]}
        rows={rows}
        empty={errors ? "Correct the filters above." : "No entries match."}
        row={(r) => (
          <tr key={r.id}>
            <td className="num">{r.id}</td>
            <td className="mono audit-time">{r.at}</td>
            <td>{r.actorEmail ?? <span className="muted">system</span>}</td>
            <td className="mono audit-nowrap">{r.action}</td>
            <td className="mono audit-wrap">{r.target}</td>
            <td className="mono audit-wrap">{r.org ?? <span className="muted">—</span>}</td>
            <td>
              <Details json={r.details} />
            </td>
            <td className="mono audit-nowrap">{r.ip ?? <span className="muted">—</span>}</td>
          </tr>
        )}
      />
      <nav className="pagination" aria-label="Pagination">
        {before !== null ? <Link to={pageHref(null)}>Newest entries</Link> : null}
        {nextBefore !== null ? <Link to={pageHref(nextBefore)}>Older entries →</Link> : null}
      </nav>
    </main>
  );
}

const DETAILS_PREVIEW = 120;

/** Compact JSON; long details open on demand so one busy row does not swamp the page. */
function Details({ json }: { json: string }) {
  if (!json) return <span className="muted">—</span>;
  if (json.length <= DETAILS_PREVIEW) return <code className="mono audit-details">{json}</code>;
  return (
    <details className="audit-more">
      <summary>
        <code className="mono audit-details audit-preview">{`${json.slice(0, DETAILS_PREVIEW)}…`}</code>
        <span className="audit-less">Show less</span>
      </summary>
      <code className="mono audit-details">{json}</code>
    </details>
  );
}
