import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useId } from "react";
import { requireUser } from "~/auth.server";
import { DataTable } from "~/components/data-table";
import { FlagStatusBadge, SeverityBadge } from "~/components/flag-badges";
import { FlagTimelineChart } from "~/components/flag-timeline-chart";
import { ConfirmCheckbox, FormErrors, SelectField, TextArea, TextField, useFormState, type FieldErrors } from "~/components/form";
import { UtcTime } from "~/components/utc-time";
import { FlagActionSchema, triageRefusal, type FlagIntent, type FlagStatusValue } from "~/domain/detection/triage";
import { fieldErrors, formValues } from "~/domain/form-errors";
import { can } from "~/domain/permissions";
import { applyFlagAction, getFlag, listAssignees } from "~/models/flag.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.flag.rule ?? "Flag"} · Flags · Keyward` }];

const iso = (ms: number | Date | null) => (ms === null ? null : new Date(ms).toISOString());

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:flag");
  const found = getFlag(user, params.id ?? "");
  if (!found) throw new Response("Not found", { status: 404 });
  const { flag: f, credential: c } = found;
  const canTriage = can(user, "triage:flag:any");
  const status = f.status as FlagStatusValue;
  const offered = (["acknowledge", "assign", "escalate", "resolve", "false_positive"] as const).filter((i) => triageRefusal(i, status) === null);
  return json({
    flag: { id: f.id, rule: f.rule, severity: f.severity, status: f.status, srcIp: f.srcIp, keyRef: f.keyRef, count: f.count, summary: f.summary, firstSeen: iso(f.firstSeen)!, lastSeen: iso(f.lastSeen)!, evidence: f.evidence.map((e) => ({ ...e, ts: iso(e.ts)! })) },
    credential: c
      ? {
          keyId: c.keyId,
          label: c.label,
          status: c.status,
          org: c.orgName,
          holder: c.holderName ? `${c.holderName} (${c.holderEmail})` : (c.holderService ?? null),
          environment: c.environment,
          storage: c.storage,
          grant: c.grantModels.join(", "),
          issuedAt: iso(c.issuedAt)!,
          lastUsedAt: iso(c.lastUsedAt),
        }
      : null,
    events: found.events.map((e) => ({ ...e, ts: iso(e.ts)! })),
    eventCount: found.eventCount,
    timeline: found.timeline,
    related: found.related.map((r) => ({ ...r, lastSeen: iso(r.lastSeen)! })),
    activity: found.activity.map((a) => ({ ...a, at: iso(a.at)! })),
    assignee: found.assignee,
    internal: user.orgId === null,
    canTriage,
    canRespond: can(user, "respond:flag:own") && user.orgId !== null && f.orgId === user.orgId,
    offered: canTriage ? offered : [],
    assignees: canTriage ? listAssignees() : [],
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "read:flag");
  const id = params.id ?? "";
  if (!getFlag(user, id)) throw new Response("Not found", { status: 404 });
  const mayTriage = can(user, "triage:flag:any");
  const mayRespond = can(user, "respond:flag:own") && user.orgId !== null;
  if (!mayTriage && !mayRespond) throw new Response("Your role does not allow this.", { status: 403 });
  const form = await request.formData();
  const values = formValues(form);
  const intent = String(values.intent ?? "");
  if (intent === "respond" ? !mayRespond : intent !== "" && !mayTriage) throw new Response(mayRespond ? "Partners respond to flags; security triages them." : "Only security triages flags.", { status: 403 });
  const parsed = FlagActionSchema.safeParse(values);
  if (!parsed.success) return json({ intent, errors: fieldErrors(parsed.error) as FieldErrors, formError: null as string | null, values }, { status: 400 });
  const r = applyFlagAction({ actor: user, ip: context.clientIp ?? null }, id, parsed.data);
  if (!r.ok) {
    if (r.status === 404 || r.status === 403) throw new Response(r.message, { status: r.status });
    return json({ intent, errors: (r.field === "_form" ? {} : { [r.field]: [r.message] }) as FieldErrors, formError: r.field === "_form" ? r.message : null, values }, { status: 400 });
  }
  return redirect(`/flags/${encodeURIComponent(id)}?done=${encodeURIComponent(r.message)}`);
}

type ActionData = ReturnType<typeof useActionData<typeof action>>;

export default function FlagPage() {
  const d = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const done = params.get("done");
  const { flag: f, credential: c } = d;
  const mine = (intent: FlagIntent): ActionData => (data?.intent === intent ? data : undefined);
  return (
    <main>
      <p>
        <Link to="/flags">← Flags</Link>
      </p>
      <div className="page-header">
        <h1>
          <span className="mono">{f.rule}</span> <SeverityBadge severity={f.severity} /> <FlagStatusBadge status={f.status} />
        </h1>
        <p className="flag-summary">{f.summary}</p>
        <p className="muted">
          Seen {f.count} {f.count === 1 ? "time" : "times"} from <UtcTime iso={f.firstSeen} /> to <UtcTime iso={f.lastSeen} />
          {f.srcIp ? (
            <>
              {" "}
              · source <span className="mono">{f.srcIp}</span>
            </>
          ) : null}
          {d.assignee ? ` · assigned to ${d.assignee.name || d.assignee.email}` : ""}
        </p>
      </div>
      {done ? (
        <div className="alert success" role="status">
          {done}
        </div>
      ) : null}
      <div className="flag-grid">
        <div>
          <section className="panel" aria-labelledby="timeline">
            <h2 id="timeline">Event timeline</h2>
            {d.eventCount ? <FlagTimelineChart buckets={d.timeline} /> : <p className="muted">The requests behind this flag are no longer stored (retention) or were not linked to a credential.</p>}
          </section>
          <section className="panel" aria-labelledby="requests">
            <h2 id="requests">Requests</h2>
            <p className="muted">
              {d.eventCount > d.events.length ? `The last ${d.events.length} of ${d.eventCount} requests` : `${d.eventCount} ${d.eventCount === 1 ? "request" : "requests"}`} between first and last seen.
            </p>
            <DataTable
              label="Requests behind the flag"
              columns={["Time (UTC)", "Method", "Path", "Status", "Source", "User agent"]}
              rows={d.events}
              empty="No stored requests."
              row={(e) => (
                <tr key={`${e.ts}-${e.method}-${e.path}-${e.srcIp}`}>
                  <td className="mono">{e.ts.slice(0, 19).replace("T", " ")}</td>
                  <td className="mono">{e.method}</td>
                  <td className="mono flag-path">{e.path}</td>
                  <td className="num">{e.status}</td>
                  <td className="mono">{e.srcIp ?? "—"}</td>
                  <td className="flag-path">{e.userAgent || <span className="muted">none</span>}</td>
                </tr>
              )}
            />
          </section>
          <section className="panel" aria-labelledby="evidence">
            <h2 id="evidence">Evidence kept with the flag</h2>
            <DataTable
              label="Evidence"
              columns={["Time (UTC)", "Request", "Status", "Source", "User agent"]}
              rows={f.evidence}
              empty="No samples."
              row={(e) => (
                <tr key={`${e.ts}-${e.path}-${e.srcIp}`}>
                  <td className="mono">{e.ts.slice(0, 19).replace("T", " ")}</td>
                  <td className="mono flag-path">{`${e.method} ${e.path}`}</td>
                  <td className="num">{e.status}</td>
                  <td className="mono">{e.srcIp ?? "—"}</td>
                  <td className="flag-path">{e.userAgent || <span className="muted">none</span>}</td>
                </tr>
              )}
            />
          </section>
          <section className="panel" aria-labelledby="thread">
            <h2 id="thread">Activity and responses</h2>
            {d.activity.length ? (
              <ol className="flag-thread">
                {d.activity.map((a) => (
                  <li key={a.id} className={a.kind === "response" ? "flag-response" : undefined}>
                    <strong>{a.kind === "response" ? `Response from ${a.actorName}` : `${a.kind.replace(/_/g, " ")} · ${a.actorName}`}</strong> <span className="muted">
                      <UtcTime iso={a.at} />
                    </span>
                    {a.body ? <p>{a.body}</p> : null}
                  </li>
                ))}
              </ol>
            ) : (
              <p className="muted">Nothing yet.</p>
            )}
            {d.canRespond ? <RespondForm data={mine("respond")} /> : null}
            {d.canTriage ? <NoteForm data={mine("note")} /> : null}
          </section>
        </div>
        <div>
          {c ? (
            <section className="panel" aria-labelledby="credential">
              <h2 id="credential">Credential</h2>
              <dl>
                <dt>Key id</dt>
                <dd className="mono">
                  <Link to={`/credentials/${encodeURIComponent(c.keyId)}`}>{c.keyId}</Link>
                </dd>
                <dt>Label</dt>
                <dd>{c.label}</dd>
                <dt>Status</dt>
                <dd>{c.status}</dd>
                <dt>Organisation</dt>
                <dd>{c.org}</dd>
                <dt>Holder</dt>
                <dd>{c.holder ?? <span className="muted">none recorded</span>}</dd>
                <dt>Grant</dt>
                <dd className="mono">{c.grant}</dd>
                <dt>Environment · storage</dt>
                <dd>
                  {c.environment} · {c.storage.replace(/_/g, " ")}
                </dd>
                <dt>Issued</dt>
                <dd>
                  <UtcTime iso={c.issuedAt} />
                </dd>
                <dt>Last used</dt>
                <dd>{c.lastUsedAt ? <UtcTime iso={c.lastUsedAt} /> : "never"}</dd>
              </dl>
            </section>
          ) : f.keyRef ? (
            <section className="panel" aria-labelledby="credential">
              <h2 id="credential">Key reference</h2>
              <p>
                <span className="mono">{f.keyRef}</span> is not in the inventory.
              </p>
            </section>
          ) : null}
          {d.canTriage ? (
            <section className="panel" aria-labelledby="actions">
              <h2 id="actions">Actions</h2>
              <div className="flag-actions">
                {d.offered.includes("acknowledge") ? <SimpleForm intent="acknowledge" title="Acknowledge" data={mine("acknowledge")} field={{ name: "note", label: "Note (optional)" }} /> : null}
                {d.offered.includes("assign") ? <AssignForm data={mine("assign")} assignees={d.assignees} /> : null}
                {d.offered.includes("escalate") ? <SimpleForm intent="escalate" title="Escalate" data={mine("escalate")} field={{ name: "note", label: "Why" }} /> : null}
                {d.offered.includes("resolve") ? <SimpleForm intent="resolve" title="Resolve" data={mine("resolve")} field={{ name: "reason", label: "Resolution" }} /> : null}
                {d.offered.includes("false_positive") ? <FalsePositiveForm data={mine("false_positive")} hasCredential={c !== null} hasIp={f.srcIp !== null} /> : null}
                {c && c.status === "active" ? <SimpleForm intent="suspend" title="Suspend the credential" data={mine("suspend")} field={{ name: "reason", label: "Reason" }} explain="The gateway is told at once (outbox); the credential can be reactivated later." danger /> : null}
                {c && (c.status === "active" || c.status === "suspended") ? <RevokeForm data={mine("revoke")} /> : null}
              </div>
            </section>
          ) : null}
          <section className="panel" aria-labelledby="related">
            <h2 id="related">Related flags</h2>
            {d.related.length ? (
              <ul>
                {d.related.map((r) => (
                  <li key={r.id}>
                    <Link to={`/flags/${r.id}`} className="mono">
                      {r.rule}
                    </Link>{" "}
                    <SeverityBadge severity={r.severity} /> <FlagStatusBadge status={r.status} /> <UtcTime iso={r.lastSeen} />
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">None for this credential or address.</p>
            )}
          </section>
        </div>
      </div>
    </main>
  );
}

function SimpleForm({ intent, title, data, field, explain, danger }: { intent: FlagIntent; title: string; data: ActionData; field: { name: string; label: string }; explain?: string; danger?: boolean }) {
  const id = useId();
  const { busy, errors, typed } = useFormState(data, intent);
  return (
    <Form method="post" className={`cred-detail-form${danger ? " cred-detail-danger" : ""}`} aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {explain ? <p className="muted">{explain}</p> : null}
      <FormErrors errors={errors} formError={data?.formError} />
      <input type="hidden" name="intent" value={intent} />
      <TextField label={field.label} name={field.name} defaultValue={typed(field.name)} errors={errors} />
      <button type="submit" disabled={busy}>
        {title}
      </button>
    </Form>
  );
}

function AssignForm({ data, assignees }: { data: ActionData; assignees: { id: string; name: string; email: string }[] }) {
  const id = useId();
  const { busy, errors, typed } = useFormState(data, "assign");
  return (
    <Form method="post" className="cred-detail-form" aria-labelledby={id}>
      <h3 id={id}>Assign</h3>
      <FormErrors errors={errors} formError={data?.formError} />
      <input type="hidden" name="intent" value="assign" />
      <SelectField label="Assignee" name="assigneeId" defaultValue={typed("assigneeId")} placeholder="Choose…" options={assignees.map((a) => ({ value: a.id, label: a.name || a.email }))} errors={errors} />
      <button type="submit" disabled={busy}>
        Assign
      </button>
    </Form>
  );
}

function FalsePositiveForm({ data, hasCredential, hasIp }: { data: ActionData; hasCredential: boolean; hasIp: boolean }) {
  const id = useId();
  const { busy, errors, typed } = useFormState(data, "false_positive");
  const options = [{ value: "none", label: "Do not suppress" }, ...(hasCredential ? [{ value: "credential", label: "This rule for this credential" }] : []), ...(hasIp ? [{ value: "ip", label: "This rule for this source address" }] : [])];
  return (
    <Form method="post" className="cred-detail-form" aria-labelledby={id}>
      <h3 id={id}>False positive</h3>
      <FormErrors errors={errors} formError={data?.formError} />
      <input type="hidden" name="intent" value="false_positive" />
      <TextField label="Why this is not an attack" name="reason" defaultValue={typed("reason")} errors={errors} />
      <SelectField label="Suppress" name="suppress" defaultValue={typed("suppress") || "none"} options={options} errors={errors} hint="Suppressed findings raise no flag until the suppression ends." />
      <TextField label="For how many days" name="days" type="number" min={1} max={365} defaultValue={typed("days") || "30"} errors={errors} />
      <button type="submit" disabled={busy}>
        Mark as false positive
      </button>
    </Form>
  );
}

function RevokeForm({ data }: { data: ActionData }) {
  const id = useId();
  const { busy, errors, typed } = useFormState(data, "revoke");
  return (
    <Form method="post" className="cred-detail-form cred-detail-danger" aria-labelledby={id}>
      <h3 id={id}>Revoke the credential</h3>
      <p className="muted">Final: the gateway refuses the key from now on.</p>
      <FormErrors errors={errors} formError={data?.formError} />
      <input type="hidden" name="intent" value="revoke" />
      <TextField label="Reason" name="reason" defaultValue={typed("reason")} errors={errors} />
      <ConfirmCheckbox className="cred-detail-confirm" errors={errors}>
        Revoke it: this cannot be undone
      </ConfirmCheckbox>
      <button type="submit" className="danger" disabled={busy}>
        Revoke
      </button>
    </Form>
  );
}

function RespondForm({ data }: { data: ActionData }) {
  const id = useId();
  const { busy, errors, typed } = useFormState(data, "respond");
  return (
    <Form method="post" className="cred-detail-form" aria-labelledby={id}>
      <h3 id={id}>Respond to security</h3>
      <p className="muted">Tell security what happened, for example &ldquo;our CI moved region&rdquo;. Your response is shown on the flag.</p>
      <FormErrors errors={errors} formError={data?.formError} />
      <input type="hidden" name="intent" value="respond" />
      <TextArea label="Response" name="body" rows={3} defaultValue={typed("body")} errors={errors} />
      <button type="submit" disabled={busy}>
        Send response
      </button>
    </Form>
  );
}

function NoteForm({ data }: { data: ActionData }) {
  const id = useId();
  const { busy, errors, typed } = useFormState(data, "note");
  return (
    <Form method="post" className="cred-detail-form" aria-labelledby={id}>
      <h3 id={id}>Add a note</h3>
      <FormErrors errors={errors} formError={data?.formError} />
      <input type="hidden" name="intent" value="note" />
      <TextArea label="Note (security only)" name="body" rows={2} defaultValue={typed("body")} errors={errors} />
      <button type="submit" disabled={busy}>
        Add note
      </button>
    </Form>
  );
}
