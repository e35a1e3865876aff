import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { requireUser } from "~/auth.server";
import { AttestationStatusBadge } from "~/components/attestation-badges";
import { Badge } from "~/components/badge";
import { GapTable } from "~/components/attestation-gaps";
import { DataTable } from "~/components/data-table";
import { FormErrors, TextField } from "~/components/form";
import { UtcTime } from "~/components/utc-time";
import { YES_NO_LABELS, YES_NO_VALUES, type Answer } from "~/domain/attestation-answers";
import { nextStep } from "~/domain/attestation-labels";
import { submissionBlockers } from "~/domain/attestation-scoring";
import type { Control } from "~/domain/attestation-template";
import { ACCEPTED_EVIDENCE } from "~/domain/evidence-file";
import { formValues } from "~/domain/form-errors";
import { can } from "~/domain/permissions";
import { decideAttestation } from "~/models/attestation-review.server";
import { ensureReceipt } from "~/models/attestation-receipt.server";
import { attestationPage } from "~/models/attestation-view.server";
import { confirmRosterEntry, getAttestationSummary, replyToQuestion, saveAnswers, submitAttestation, updateGap } from "~/models/attestation.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Attestation · ${data?.att.orgName ?? ""} · Keyward` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:attestation");
  const page = attestationPage(user, params.id ?? "");
  if (!page) throw new Response("Not found", { status: 404 });
  if (page.att.status === "accepted" && !page.att.hasReceipt && (await ensureReceipt(page.att.id))) page.att.hasReceipt = true;
  return json({ ...page, today: new Date().toISOString().slice(0, 10) });
}

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date such as 2026-01-31")
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "Not a real date");
const RosterSchema = z.object({
  credentialId: z.string().min(1),
  stillNeeded: z.enum(["yes", "no"], { message: "Say whether it is still needed" }),
  holder: z.string().trim().min(1, "Name who holds it").max(200),
  storage: z.enum(["secrets_manager", "ci_secret", "local_file", "shared_drive", "other"], { message: "Choose where it is stored" }),
});
const SubmitSchema = z.object({
  name: z.string({ message: "Enter your name" }).trim().min(2, "Enter your name").max(200),
  title: z.string({ message: "Enter your title" }).trim().min(2, "Enter your title").max(200),
  agree: z.literal("yes", { message: "Tick the statement to sign it" }),
});
const ReplySchema = z.object({ controlId: z.string().min(1), body: z.string({ message: "Write a reply" }).trim().min(1, "Write a reply").max(4000, "At most 4000 characters") });
const DecideSchema = z.object({ decision: z.enum(["accept", "reject", "clarify"], { message: "Choose accept, reject or ask for clarification" }), notes: z.string().trim().max(4000).optional() });
const GapSchema = z.object({ gapId: z.string().min(1), owner: z.string().trim().min(1, "Name an owner").max(200), dueDate: day, status: z.enum(["open", "in_progress", "closed"]) });

type Errors = Record<string, string[]>;
const bad = (intent: string, errors: Errors, values: Record<string, string | string[]>) => json({ intent, errors, values }, { status: 400 });

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "read:attestation");
  const att = getAttestationSummary(user, params.id ?? "");
  if (!att) throw new Response("Not found", { status: 404 });
  if (!can(user, "answer:attestation") && !can(user, "review:attestation")) throw new Response("Your role cannot change attestations.", { status: 403 });
  const form = await request.formData();
  const values = formValues(form);
  const intent = String(form.get("intent") ?? "");
  const ctx = { actor: user, ip: context.clientIp };
  const own = user.orgId === att.orgId;
  const forbidden = (m: string) => new Response(m, { status: 403 });
  const done = (flag: string) => redirect(`/attestations/${att.id}?${flag}=1`);

  switch (intent) {
    case "save": {
      if (!own || !can(user, "answer:attestation:own")) throw forbidden("Only the organisation's own users answer its attestation.");
      const ids = new Set<string>();
      for (const k of form.keys()) if (k.startsWith("value:") || k.startsWith("comment:")) ids.add(k.slice(k.indexOf(":") + 1));
      const answers: Answer[] = [...ids].map((id) => ({ controlId: id, value: (form.get(`value:${id}`) as string | null) ?? null, comment: (form.get(`comment:${id}`) as string | null) ?? null }));
      const r = saveAnswers(ctx, att, answers);
      if (!r.ok) return bad(intent, r.errors, values);
      return done("saved");
    }
    case "roster": {
      if (!own || !can(user, "answer:attestation:own")) throw forbidden("Only the organisation's own users confirm its roster.");
      const p = RosterSchema.safeParse(values);
      if (!p.success) return bad(intent, Object.fromEntries(p.error.issues.map((i) => [`${String(i.path[0])}:${String(values.credentialId ?? "")}`, [i.message]])), values);
      const r = confirmRosterEntry(ctx, att, { ...p.data, stillNeeded: p.data.stillNeeded === "yes" });
      if (!r.ok) return bad(intent, r.errors, values);
      return done("confirmed");
    }
    case "submit": {
      if (!own || !can(user, "submit:attestation:own")) throw forbidden("Only a partner admin of this organisation submits its attestation.");
      const p = SubmitSchema.safeParse(values);
      if (!p.success) return bad(intent, Object.fromEntries(p.error.issues.map((i) => [String(i.path[0]), [i.message]])), values);
      const r = submitAttestation(ctx, att, p.data);
      if (!r.ok) return bad(intent, { form: [r.message] }, values);
      return done("submitted");
    }
    case "reply": {
      if (!own || !can(user, "answer:attestation:own")) throw forbidden("Only the organisation's own users reply.");
      const p = ReplySchema.safeParse(values);
      if (!p.success) return bad(intent, { [`reply:${String(values.controlId ?? "")}`]: p.error.issues.map((i) => i.message) }, values);
      const r = replyToQuestion(ctx, att, p.data.controlId, p.data.body);
      if (!r.ok) return bad(intent, { form: [r.message] }, values);
      return done("replied");
    }
    case "decide": {
      if (!can(user, "review:attestation:any")) throw forbidden("Only vendor managers review attestations.");
      const p = DecideSchema.safeParse(values);
      if (!p.success) return bad(intent, { decision: p.error.issues.map((i) => i.message) }, values);
      const notes = p.data.notes || null;
      const questions = [...form.keys()]
        .filter((k) => k.startsWith("question:"))
        .map((k) => ({ controlId: k.slice(9), body: String(form.get(k) ?? "").trim().slice(0, 4000) }))
        .filter((q) => q.body);
      if (p.data.decision === "reject" && !notes) return bad(intent, { notes: ["Say why it is rejected"] }, values);
      if (p.data.decision === "clarify" && questions.length === 0) return bad(intent, { decision: ["Write a question on at least one control"] }, values);
      const r = await decideAttestation(ctx, att, p.data.decision === "reject" ? { decision: "reject", notes: notes! } : p.data.decision === "clarify" ? { decision: "clarify", notes, questions } : { decision: "accept", notes });
      if (!r.ok) return bad(intent, { form: [r.message] }, values);
      return done(p.data.decision === "accept" ? "accepted" : p.data.decision === "reject" ? "rejected" : "clarify");
    }
    case "gap": {
      if (!can(user, "review:attestation:any") && !(own && can(user, "submit:attestation:own"))) throw forbidden("Only vendor managers and the organisation's admins update gaps.");
      const p = GapSchema.safeParse(values);
      if (!p.success) return bad(intent, Object.fromEntries(p.error.issues.map((i) => [`${String(i.path[0])}:${String(values.gapId ?? "")}`, [i.message]])), values);
      const r = updateGap(ctx, att.id, p.data.gapId, p.data);
      if (!r.ok) return bad(intent, { form: [r.message] }, values);
      return done("gap");
    }
    default:
      return json({ intent, errors: { form: ["Unknown action"] }, values }, { status: 400 });
  }
}

const FLASH: Record<string, string> = {
  requested: "Attestation requested. The organisation has been notified.",
  saved: "Draft saved.",
  confirmed: "Roster entry confirmed.",
  uploaded: "Evidence uploaded.",
  submitted: "Submitted for review. Thank you.",
  replied: "Reply sent.",
  accepted: "Accepted: the signed receipt is ready.",
  rejected: "Rejected.",
  clarify: "Clarification requested: the organisation will answer and resubmit.",
  gap: "Gap updated.",
};

type ActionData = { intent: string; errors: Errors; values: Record<string, string | string[]> } | undefined;

function AnswerInput({ control, value, errors, disabled }: { control: Control; value: string; errors?: Errors; disabled?: boolean }) {
  const name = `value:${control.id}`;
  const error = errors?.[name]?.[0];
  const id = `v-${control.id}`;
  let input;
  if (control.answerKind === "yes_no" || control.answerKind === "choice") {
    const options = control.answerKind === "yes_no" ? YES_NO_VALUES.map((v) => ({ value: v, label: YES_NO_LABELS[v] })) : (control.choices ?? []).map((c) => ({ value: c, label: c }));
    input = (
      <select id={id} name={name} defaultValue={value} disabled={disabled} aria-invalid={error ? true : undefined}>
        <option value="">Not answered</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  } else if (control.answerKind === "date") {
    input = <input id={id} type="date" name={name} defaultValue={value} disabled={disabled} aria-invalid={error ? true : undefined} />;
  } else {
    input = <textarea id={id} name={name} defaultValue={value} disabled={disabled} rows={2} aria-invalid={error ? true : undefined} />;
  }
  return (
    <div className={`field${error ? " has-error" : ""}`}>
      <label htmlFor={id} className="visually-hidden">
        Answer to {control.id}
      </label>
      {input}
      {error ? <p className="field-error">{error}</p> : null}
    </div>
  );
}

const answerLabel = (c: Control, v: string | null | undefined) => (v ? (c.answerKind === "yes_no" ? (YES_NO_LABELS[v as keyof typeof YES_NO_LABELS] ?? v) : v) : "—");

export default function AttestationDetail() {
  const { att, controls, answers, evidence, scoring, messages, roster, gaps, previous, can: may, today } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData;
  const [params] = useSearchParams();
  const flash = Object.keys(FLASH).find((k) => params.get(k));
  const errors = result?.errors;
  const typed = (k: string) => (result?.values?.[k] as string | undefined) ?? undefined;
  const answerOf = new Map(answers.map((a) => [a.controlId, a]));
  const prevOf = new Map((previous?.answers ?? []).map((a) => [a.controlId, a]));
  const evidenceOf = (id: string) => evidence.filter((e) => e.controlId === id);
  const threadOf = (id: string) => messages.filter((m) => m.controlId === id);
  const openQuestions = [...new Set(messages.filter((m) => m.kind === "question" && !m.resolvedAt).map((m) => m.controlId!))];
  const blockers = submissionBlockers(scoring);
  const unconfirmed = roster.filter((r) => !r.confirmedAt).length;
  const overdue = ["requested", "in_progress", "clarification"].includes(att.status) && att.dueDate < today;

  return (
    <main>
      <p>
        <Link to="/attestations">← Attestations</Link>
      </p>
      <div className="page-header">
        <h1>
          {att.orgName}: attestation {att.periodStart} to {att.periodEnd} <AttestationStatusBadge status={att.status} /> {overdue ? <Badge tone="bad">Overdue</Badge> : null}
        </h1>
        <div className="actions">
          {att.hasReceipt ? (
            <a className="button primary" href={`/attestations/${att.id}/receipt`} download>
              Download receipt
            </a>
          ) : null}
        </div>
      </div>
      {flash ? (
        <div className="alert success" role="status">
          {FLASH[flash]}
        </div>
      ) : null}
      <FormErrors formError={errors?.form?.[0] ?? (errors && Object.keys(errors).length ? "Please correct the fields marked below." : null)} />

      <section className="panel" aria-labelledby="facts">
        <h2 id="facts">Summary</h2>
        <dl className="facts">
          <dt>Organisation</dt>
          <dd>
            <Link to={`/orgs/${att.orgSlug}`}>{att.orgName}</Link> ({att.orgTier})
          </dd>
          <dt>Template</dt>
          <dd>
            {att.templateName}, version {att.templateVersion}
          </dd>
          <dt>Due</dt>
          <dd>{att.dueDate}</dd>
          <dt>Progress</dt>
          <dd>
            {scoring.answered} of {scoring.total} controls answered; score {scoring.score === null ? "—" : `${scoring.score}%`}; {scoring.gaps.length} gap(s)
          </dd>
          {att.submittedAt ? (
            <>
              <dt>Signed statement</dt>
              <dd>
                {att.statementName}, {att.statementTitle}, <UtcTime iso={att.submittedAt} />
                <br />
                <span className="muted">{att.statementText}</span>
              </dd>
            </>
          ) : null}
          {att.reviewedAt ? (
            <>
              <dt>Decision</dt>
              <dd>
                {att.status === "accepted" ? "Accepted" : "Rejected"} <UtcTime iso={att.reviewedAt} />
                {att.decisionNotes ? `: ${att.decisionNotes}` : ""}
              </dd>
            </>
          ) : null}
          {att.answersSha256 ? (
            <>
              <dt>Answers SHA-256</dt>
              <dd className="mono">{att.answersSha256}</dd>
            </>
          ) : null}
        </dl>
        {may.answer || att.status === "submitted" ? <p>{nextStep(att.status, may.submit)}</p> : null}
      </section>

      {openQuestions.length ? (
        <section className="panel" aria-labelledby="clarification">
          <h2 id="clarification">Clarification asked</h2>
          {openQuestions.map((cid) => (
            <div key={cid} className="panel">
              <h3>{cid}</h3>
              <ul>
                {threadOf(cid).map((m) => (
                  <li key={m.id}>
                    <strong>{m.kind === "question" ? "Question" : "Reply"}</strong> from {m.authorName ?? "—"}, <UtcTime iso={m.createdAt} />: {m.body}
                  </li>
                ))}
              </ul>
              {may.reply ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="reply" />
                  <input type="hidden" name="controlId" value={cid} />
                  <div className={`field${errors?.[`reply:${cid}`] ? " has-error" : ""}`}>
                    <label htmlFor={`reply-${cid}`}>Your reply on {cid}</label>
                    <textarea id={`reply-${cid}`} name="body" rows={2} />
                    {errors?.[`reply:${cid}`] ? <p className="field-error">{errors[`reply:${cid}`]![0]}</p> : null}
                  </div>
                  <button type="submit">Send reply</button>
                </Form>
              ) : null}
            </div>
          ))}
        </section>
      ) : null}

      <section className="panel" aria-labelledby="controls">
        <h2 id="controls">Controls</h2>
        <Form method="post" id="answers-form">
          <input type="hidden" name="intent" value={may.review ? "decide" : "save"} />
          <DataTable
            labelledBy="controls"
            columns={["Control", "Answer", "Comment", "Evidence", previous ? `Previous (${previous.periodEnd})` : null, may.review ? "Question for the partner" : null, "Thread"]}
            rows={controls}
            row={(c) => {
              const a = answerOf.get(c.id);
              const thread = threadOf(c.id);
              return (
                <tr key={c.id}>
                  <td>
                    <strong className="mono">{c.id}</strong> {c.text}
                    <br />
                    <span className="muted">
                      {c.type}, {c.nature}, weight {c.weight}
                      {c.evidenceRequired ? ", evidence required" : ""}
                    </span>
                  </td>
                  <td>{may.answer ? <AnswerInput control={c} value={typed(`value:${c.id}`) ?? a?.value ?? ""} errors={errors} /> : answerLabel(c, a?.value)}</td>
                  <td>
                    {may.answer ? (
                      <>
                        <label htmlFor={`c-${c.id}`} className="visually-hidden">
                          Comment on {c.id}
                        </label>
                        <textarea id={`c-${c.id}`} name={`comment:${c.id}`} rows={2} defaultValue={typed(`comment:${c.id}`) ?? a?.comment ?? ""} />
                      </>
                    ) : (
                      (a?.comment ?? <span className="muted">—</span>)
                    )}
                  </td>
                  <td>
                    {evidenceOf(c.id).map((e) => (
                      <div key={e.id}>
                        <a href={`/attestations/evidence/${e.id}`}>{e.fileName}</a>{" "}
                        <span className="muted">
                          effective {e.effectiveDate}
                          {e.expiresOn ? `, expires ${e.expiresOn}` : ""}
                        </span>
                        {e.expiresOn && e.expiresOn < today ? <Badge tone="warn">Expired</Badge> : null}
                      </div>
                    ))}
                    {scoring.missingEvidence.includes(c.id) ? <Badge tone="warn">Evidence needed</Badge> : null}
                  </td>
                  {previous ? (
                    <td>
                      {answerLabel(c, prevOf.get(c.id)?.value)}
                      {prevOf.get(c.id)?.comment ? <div className="muted">{prevOf.get(c.id)!.comment}</div> : null}
                      {previous.evidence
                        .filter((e) => e.controlId === c.id)
                        .map((e) => (
                          <div key={e.id}>
                            <a href={`/attestations/evidence/${e.id}`}>{e.fileName}</a>
                          </div>
                        ))}
                    </td>
                  ) : null}
                  {may.review ? (
                    <td>
                      <label htmlFor={`q-${c.id}`} className="visually-hidden">
                        Question on {c.id}
                      </label>
                      <textarea id={`q-${c.id}`} name={`question:${c.id}`} rows={2} defaultValue={typed(`question:${c.id}`) ?? ""} />
                    </td>
                  ) : null}
                  <td>
                    {thread.map((m) => (
                      <div key={m.id} className="muted">
                        {m.kind === "question" ? "Q" : "A"}: {m.body} ({m.authorName ?? "—"})
                      </div>
                    ))}
                  </td>
                </tr>
              );
            }}
          />
          {may.answer ? (
            <div className="actions">
              <button type="submit">Save draft</button>
            </div>
          ) : null}
          {may.review ? (
            <fieldset className="panel">
              <legend>Decision</legend>
              <label className="checkbox-option">
                <input type="radio" name="decision" value="accept" /> Accept (gaps are recorded; a signed receipt is issued)
              </label>
              <label className="checkbox-option">
                <input type="radio" name="decision" value="clarify" /> Ask for clarification on the controls with a question
              </label>
              <label className="checkbox-option">
                <input type="radio" name="decision" value="reject" /> Reject
              </label>
              {errors?.decision ? <p className="field-error">{errors.decision[0]}</p> : null}
              <TextField label="Notes" name="notes" defaultValue={typed("notes") ?? ""} errors={errors} hint="Required when rejecting." />
              <button type="submit" className="primary">
                Record decision
              </button>
            </fieldset>
          ) : null}
        </Form>
      </section>

      {may.answer || evidence.some((e) => !e.controlId) ? (
        <section className="panel" aria-labelledby="evidence">
          <h2 id="evidence">Evidence</h2>
          <ul>
            {evidence
              .filter((e) => !e.controlId)
              .map((e) => (
                <li key={e.id}>
                  <a href={`/attestations/evidence/${e.id}`}>{e.fileName}</a> <span className="muted">effective {e.effectiveDate}</span>
                </li>
              ))}
          </ul>
          {may.answer ? (
            <Form method="post" action={`/attestations/${att.id}/evidence`} encType="multipart/form-data" className="import-upload">
              <div className="field">
                <label htmlFor="ev-control">Control</label>
                <select id="ev-control" name="controlId" defaultValue="">
                  <option value="">General (no single control)</option>
                  {controls.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.id}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="ev-file">File</label>
                <input id="ev-file" type="file" name="file" required />
                <p className="muted">{ACCEPTED_EVIDENCE}, at most 10 MB. The type is checked from the content.</p>
              </div>
              <TextField label="Effective date" name="effectiveDate" type="date" defaultValue={today} required />
              <TextField label="Expires on (optional)" name="expiresOn" type="date" />
              <button type="submit">Upload evidence</button>
            </Form>
          ) : null}
        </section>
      ) : null}

      <section className="panel" aria-labelledby="roster">
        <h2 id="roster">Credential roster</h2>
        <p className="muted">Each of the organisation&apos;s credentials, confirmed one by one. &quot;Not needed&quot; asks for its revocation when the attestation is submitted.</p>
        <DataTable
          labelledBy="roster"
          columns={["Key id", "Label", "Still needed", "Holder", "Storage", may.answer ? "Confirm" : "Confirmed"]}
          rows={roster}
          empty="The organisation had no active credentials when this was requested."
          row={(r) => {
            const formId = `roster-${r.credentialId}`;
            const err = (f: string) => errors?.[`${f}:${r.credentialId}`]?.[0];
            return (
              <tr key={r.credentialId}>
                <td className="mono">{r.keyId}</td>
                <td>{r.label}</td>
                <td>
                  {may.answer ? (
                    <select form={formId} name="stillNeeded" aria-label={`Is ${r.keyId} still needed?`} defaultValue={r.stillNeeded === null ? "" : r.stillNeeded ? "yes" : "no"}>
                      <option value="">Choose…</option>
                      <option value="yes">Still needed</option>
                      <option value="no">Not needed: revoke it</option>
                    </select>
                  ) : r.stillNeeded === null ? (
                    "—"
                  ) : r.stillNeeded ? (
                    "Yes"
                  ) : (
                    <Badge tone="warn">Not needed: revocation requested</Badge>
                  )}
                  {err("stillNeeded") ? <p className="field-error">{err("stillNeeded")}</p> : null}
                </td>
                <td>{may.answer ? <input form={formId} name="holder" aria-label={`Holder of ${r.keyId}`} defaultValue={r.holder ?? ""} /> : (r.holder ?? "—")}</td>
                <td>
                  {may.answer ? (
                    <select form={formId} name="storage" aria-label={`Storage of ${r.keyId}`} defaultValue={r.storage ?? ""}>
                      <option value="secrets_manager">Secrets manager</option>
                      <option value="ci_secret">CI secret</option>
                      <option value="local_file">Local file</option>
                      <option value="shared_drive">Shared drive</option>
                      <option value="other">Other</option>
                    </select>
                  ) : (
                    (r.storage?.replace(/_/g, " ") ?? "—")
                  )}
                </td>
                <td>
                  {may.answer ? (
                    <Form method="post" id={formId}>
                      <input type="hidden" name="intent" value="roster" />
                      <input type="hidden" name="credentialId" value={r.credentialId} />
                      <button type="submit">{r.confirmedAt ? "Update" : "Confirm"}</button>
                    </Form>
                  ) : null}
                  {r.confirmedAt ? <Badge tone="good">Confirmed</Badge> : <span className="muted">Not yet</span>}
                </td>
              </tr>
            );
          }}
        />
      </section>

      {may.submit ? (
        <section className="panel" aria-labelledby="submit">
          <h2 id="submit">Submit</h2>
          {blockers.length || unconfirmed ? (
            <div className="alert info">
              Before submitting: {blockers.join(" ")} {unconfirmed ? `Confirm ${unconfirmed} roster credential(s).` : ""}
            </div>
          ) : null}
          <Form method="post">
            <input type="hidden" name="intent" value="submit" />
            <TextField label="Your name" name="name" defaultValue={typed("name") ?? ""} errors={errors} />
            <TextField label="Your title" name="title" defaultValue={typed("title") ?? ""} errors={errors} />
            <div className={`field${errors?.agree ? " has-error" : ""}`}>
              <label htmlFor="agree">
                <input id="agree" type="checkbox" name="agree" value="yes" /> I confirm that the answers and evidence in this attestation are accurate and complete to the best of my knowledge, and
                that the controls described operate in practice.
              </label>
              {errors?.agree ? <p className="field-error">{errors.agree[0]}</p> : null}
            </div>
            <button type="submit" className="primary">
              Sign and submit
            </button>
          </Form>
        </section>
      ) : null}

      {gaps.length ? (
        <section className="panel" aria-labelledby="gaps">
          <h2 id="gaps">Gaps</h2>
          <GapTable gaps={gaps} editable={may.editGaps} errors={errors} />
        </section>
      ) : null}

      {messages.some((m) => m.kind === "decision") ? (
        <section className="panel" aria-labelledby="thread">
          <h2 id="thread">Decisions</h2>
          <ul>
            {messages
              .filter((m) => m.kind === "decision")
              .map((m) => (
                <li key={m.id}>
                  {m.body} ({m.authorName}, <UtcTime iso={m.createdAt} />)
                </li>
              ))}
          </ul>
        </section>
      ) : null}
    </main>
  );
}
