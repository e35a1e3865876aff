import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData, useNavigation, useRevalidator, useSearchParams } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { z } from "zod";
import { requireUser } from "~/auth.server";
import { Pagination } from "~/components/pagination";
import { ImportStatusBadge, ProgressBar } from "~/components/progress-bar";
import { UtcTime } from "~/components/utc-time";
import { can } from "~/domain/permissions";
import { getImport, ImportListQuerySchema, listMatchedCredentials, listUnregisteredKeys, resumeImport } from "~/models/log-import-history.server";
import type { loader as progressLoader } from "./imports.$id_.progress";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Import ${data?.report.fileName ?? data?.report.source ?? ""} · Keyward` }];

// One import's report (issue 6, 3a): progress while it runs (polled every second), then its counters,
// time range, rejected lines, secrets stripped, unregistered key references and the credentials it saw.

const POLL_MS = 1000;
const iso = (d: Date | null) => (d ? d.toISOString() : null);
const notFound = () => new Response("Not found", { status: 404 });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:import:any");
  const report = getImport(user, params.id ?? "");
  if (!report) throw notFound();
  const query = ImportListQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const keys = listUnregisteredKeys(user, report.id, query);
  return json({
    report: {
      id: report.id,
      source: report.source,
      fileName: report.fileName,
      format: report.format,
      via: report.via,
      sha256: report.sha256,
      sizeBytes: report.sizeBytes,
      status: report.status,
      progress: report.progress,
      lines: report.lines,
      parsed: report.parsed,
      rejected: report.rejected,
      duplicates: report.duplicates,
      matched: report.matched,
      unmatched: report.unmatched,
      secretsStripped: report.secretsStripped,
      secretFields: Object.entries(report.secretFields).sort((a, b) => b[1] - a[1]),
      flagsRaised: report.flagsRaised,
      rejectedSamples: report.rejectedSamples,
      firstEventAt: iso(report.firstEventAt),
      lastEventAt: iso(report.lastEventAt),
      startedAt: report.startedAt.toISOString(),
      finishedAt: iso(report.finishedAt),
      error: report.error,
      by: report.by?.email ?? null,
      earlierImport: report.earlierImport ? { id: report.earlierImport.id, finishedAt: iso(report.earlierImport.finishedAt) } : null,
    },
    keys: { ...keys, rows: keys.rows.map((k) => ({ ...k, firstSeen: k.firstSeen.toISOString(), lastSeen: k.lastSeen.toISOString() })) },
    matched: listMatchedCredentials(user, report.id).map((m) => ({ ...m, lastSeen: m.lastSeen.toISOString() })),
    canResume: report.resumable && can(user, "create:import:any"),
    fileGone: report.via === "upload" && !report.fileOnDisk && (report.status === "failed" || report.status === "interrupted"),
  });
}

const IntentSchema = z.object({ intent: z.literal("resume") });

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "create:import:any");
  const form = IntentSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!form.success) return json({ error: "Unknown action." }, { status: 400 });
  const result = resumeImport({ actor: user, ip: context.clientIp }, params.id ?? "");
  if (!result.ok) {
    if (result.message === "Not found") throw notFound();
    return json({ error: result.message }, { status: 400 });
  }
  return redirect(`/imports/${params.id}?resumed=1`);
}

const LIVE = new Set(["queued", "running"]);
const n = (v: number) => v.toLocaleString("en");

function duration(fromIso: string, toIso: string) {
  const s = Math.max(0, (Date.parse(toIso) - Date.parse(fromIso)) / 1000);
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function bytes(v: number) {
  if (v < 1024) return `${v} B`;
  if (v < 1024 ** 2) return `${(v / 1024).toFixed(1)} KB`;
  if (v < 1024 ** 3) return `${(v / 1024 ** 2).toFixed(1)} MB`;
  return `${(v / 1024 ** 3).toFixed(2)} GB`;
}

/** While the import is queued or running, polls its progress every second; reloads the report once it is done. */
function useLiveProgress(id: string, status: string) {
  const fetcher = useFetcher<typeof progressLoader>();
  const revalidator = useRevalidator();
  const load = useRef(fetcher.load);
  load.current = fetcher.load;
  const live = LIVE.has(status);
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => load.current(`/imports/${id}/progress`), POLL_MS);
    return () => clearInterval(timer);
  }, [id, live]);
  const data = fetcher.data && fetcher.data.id === id ? fetcher.data : null;
  const finished = Boolean(data?.done) && live;
  useEffect(() => {
    if (finished && revalidator.state === "idle") revalidator.revalidate();
  }, [finished, revalidator]);
  return live ? data : null;
}

export default function ImportReport() {
  const { report, keys, matched, canResume, fileGone } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const live = useLiveProgress(report.id, report.status);
  const r = { ...report, ...(live ?? {}) };
  const running = LIVE.has(r.status);
  const bar = r.status === "queued" ? null : r.status === "completed" ? 1000 : r.progress;
  const title = report.fileName ?? report.source;

  return (
    <main>
      <p className="muted import-crumb">
        <Link to="/imports">Imports</Link> /
      </p>
      <div className="page-header">
        <h1>
          Import of <span className="import-title">{title}</span>
        </h1>
        <div className="actions" role="status" aria-live="polite">
          <span className="muted">Status</span> <ImportStatusBadge status={r.status} />
        </div>
      </div>

      {params.get("resumed") && running ? <div className="alert success">Resuming the import from its last committed batch.</div> : null}
      {actionData && "error" in actionData ? (
        <div className="alert error" role="alert">
          {actionData.error}
        </div>
      ) : null}
      {report.earlierImport?.finishedAt ? (
        <div className="alert info">
          This file from {report.source} was already imported on <UtcTime iso={report.earlierImport.finishedAt} /> (<Link to={`/imports/${report.earlierImport.id}`}>that report</Link>). Importing it
          again stores nothing twice: its events count as duplicates here.
        </div>
      ) : null}

      <section className="panel import-progress" aria-labelledby="progress-heading">
        <h2 id="progress-heading">Progress</h2>
        <ProgressBar
          label={r.status === "queued" ? "Waiting to start" : r.status === "running" ? "Importing" : r.status === "completed" ? "Imported" : "Stopped"}
          value={bar}
          detail={`${n(r.lines)} lines read`}
        />
        {r.status === "failed" || r.status === "interrupted" ? (
          <div className="alert error import-error" role="alert">
            <p>
              {r.status === "interrupted" && !r.error
                ? "The import was interrupted (the process running it stopped). The events committed so far are stored."
                : (r.error ?? "The import failed.")}
            </p>
            {canResume ? (
              <Form method="post" className="inline-form">
                <input type="hidden" name="intent" value="resume" />
                <button type="submit" className="primary" disabled={navigation.state !== "idle"}>
                  Resume
                </button>
                <span className="muted"> continues after the last committed batch; nothing is stored twice.</span>
              </Form>
            ) : fileGone ? (
              <p className="muted">The uploaded file is no longer on the server: upload it again to finish (nothing is stored twice).</p>
            ) : null}
          </div>
        ) : null}
        <dl className="facts import-facts">
          <dt>Source</dt>
          <dd>{report.source}</dd>
          <dt>File</dt>
          <dd>
            {report.fileName ?? <span className="muted">—</span>}
            {report.sizeBytes != null ? <span className="muted"> · {bytes(report.sizeBytes)}</span> : null}
            {report.sha256 ? <span className="muted mono import-sha"> · SHA-256 {report.sha256.slice(0, 16)}…</span> : null}
          </dd>
          <dt>Format</dt>
          <dd>{report.format}</dd>
          <dt>Via</dt>
          <dd>
            {report.via}
            {report.by ? <span className="muted"> by {report.by}</span> : null}
          </dd>
          <dt>Started</dt>
          <dd>
            <UtcTime iso={report.startedAt} />
          </dd>
          <dt>Duration</dt>
          <dd>{report.finishedAt ? duration(report.startedAt, report.finishedAt) : running ? "running…" : "—"}</dd>
          <dt>Events from</dt>
          <dd>
            {report.firstEventAt && report.lastEventAt ? (
              <>
                <UtcTime iso={report.firstEventAt} /> to <UtcTime iso={report.lastEventAt} />
              </>
            ) : (
              <span className="muted">—</span>
            )}
          </dd>
        </dl>
      </section>

      <section aria-labelledby="counters-heading">
        <h2 id="counters-heading">Counters</h2>
        <dl className="import-counters">
          <Counter label="Lines" value={r.lines} />
          <Counter label="Parsed" value={r.parsed} />
          <Counter label="Rejected" value={r.rejected} tone={r.rejected ? "warn" : undefined} />
          <Counter label="Duplicates" value={r.duplicates} />
          <Counter label="Matched to a credential" value={r.matched} />
          <Counter label="Unmatched" value={r.unmatched} tone={r.unmatched ? "warn" : undefined} />
          <Counter label="Secrets stripped" value={r.secretsStripped} tone={r.secretsStripped ? "bad" : undefined} />
          <Counter label="Flags raised" value={r.flagsRaised} tone={r.flagsRaised ? "bad" : undefined} />
        </dl>
      </section>

      {report.secretsStripped ? (
        <div className="alert warn import-secrets-alert" role="note">
          <p>
            <strong>Secret material was found in {n(report.secretsStripped)} lines</strong> and dropped before storage, in these fields:{" "}
            {report.secretFields.map(([field, count], i) => (
              <span key={field}>
                {i ? ", " : ""}
                <span className="mono">{field}</span> ({n(count)})
              </span>
            ))}
            .
          </p>
          <p>
            Fix the gateway's logging so that it stops writing these fields: anyone who can read those logs can use the keys in them. Treat the keys that appeared there as exposed and rotate them.
          </p>
        </div>
      ) : null}

      {report.rejectedSamples.length ? (
        <section className="panel" aria-labelledby="rejected-heading">
          <h2 id="rejected-heading">Rejected lines</h2>
          <p className="muted">
            {report.rejected > report.rejectedSamples.length ? `The first ${report.rejectedSamples.length} of ${n(report.rejected)} rejected lines.` : `${n(report.rejected)} rejected ${report.rejected === 1 ? "line" : "lines"}.`} Other lines were imported.
          </p>
          <div className="table-wrap">
            <table aria-label="Rejected lines">
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {report.rejectedSamples.map((s) => (
                  <tr key={s.line}>
                    <td className="num">{s.line}</td>
                    <td>{s.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}

      <section className="panel" aria-labelledby="unregistered-heading">
        <h2 id="unregistered-heading">Unregistered credentials seen at the gateway</h2>
        <p className="muted">Key references in this log that match no credential in the inventory (nor a rotated-away key): find out who holds them, and register or revoke them.</p>
        <div className="table-wrap">
          <table aria-label="Unregistered key references">
            <thead>
              <tr>
                <th scope="col">Key reference</th>
                <th scope="col">Requests</th>
                <th scope="col">Successful</th>
                <th scope="col">First seen</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {keys.rows.length === 0 ? (
                <tr>
                  <td colSpan={5} className="empty">
                    {running ? "None so far." : "None: every key reference matched a registered credential."}
                  </td>
                </tr>
              ) : (
                keys.rows.map((k) => (
                  <tr key={k.keyRef}>
                    <td className="mono">{k.keyRef}</td>
                    <td className="num">{n(k.events)}</td>
                    <td className="num">{n(k.successes)}</td>
                    <td>
                      <UtcTime iso={k.firstSeen} />
                    </td>
                    <td>
                      <UtcTime iso={k.lastSeen} />
                    </td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
        <Pagination page={keys.page} pageCount={keys.pageCount} total={keys.total} noun="unregistered key" />
      </section>

      {matched.length ? (
        <section className="panel" aria-labelledby="matched-heading">
          <h2 id="matched-heading">Credentials seen</h2>
          <div className="table-wrap">
            <table aria-label="Credentials seen">
              <thead>
                <tr>
                  <th scope="col">Credential</th>
                  <th scope="col">Logged as</th>
                  <th scope="col">Requests</th>
                  <th scope="col">Successful</th>
                  <th scope="col">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {matched.map((m) => (
                  <tr key={m.keyRef}>
                    <td className="mono">
                      <Link to={`/credentials/${encodeURIComponent(m.keyId)}`}>{m.keyId}</Link>
                    </td>
                    <td className="mono">{m.keyRef === m.keyId ? <span className="muted">key id</span> : m.keyRef.length > 24 ? `${m.keyRef.slice(0, 24)}…` : m.keyRef}</td>
                    <td className="num">{n(m.events)}</td>
                    <td className="num">{n(m.successes)}</td>
                    <td>
                      <UtcTime iso={m.lastSeen} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </main>
  );
}

function Counter({ label, value, tone }: { label: string; value: number; tone?: "warn" | "bad" }) {
  return (
    <div className={`stat import-counter${tone ? ` import-counter-${tone}` : ""}`}>
      <dt className="label">{label}</dt>
      <dd className="value">{n(value)}</dd>
    </div>
  );
}
