import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useLocation } from "@remix-run/react";
import { z } from "zod";
import { requireUser } from "~/auth.server";
import { Badge } from "~/components/badge";
import { DataTable } from "~/components/data-table";
import { ConfirmCheckbox, FormErrors, SelectField, TextField } from "~/components/form";
import { Pagination } from "~/components/pagination";
import { ProgressBar } from "~/components/progress-bar";
import { DECISION_LABELS, DECISIONS, DecisionSchema, describeGrant, isOverdue, ITEM_FILTER_LABELS, ITEM_FILTERS, type ItemFilter } from "~/domain/campaign";
import { fieldErrors, formValues } from "~/domain/form-errors";
import { can } from "~/domain/permissions";
import { bulkDecide, decidableIds, decideItem, itemCounts, listItems, reassignItems, recordFirstPass } from "~/models/campaign-items.server";
import { closeCampaign } from "~/models/campaign-report.server";
import { getCampaign, listReviewerOptions } from "~/models/campaign.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.campaign.name ?? "Access review"} · Keyward` }];

const notFound = () => new Response("Not found", { status: 404 });

function itemQuery(params: URLSearchParams) {
  const filters = params.getAll("f").filter((f): f is ItemFilter => (ITEM_FILTERS as readonly string[]).includes(f));
  const page = z.coerce.number().int().positive().optional().catch(undefined).parse(params.get("page") ?? undefined);
  return { filters, page };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:campaign");
  const campaign = getCampaign(user, params.id!);
  if (!campaign) throw notFound();
  const internal = can(user, "read:campaign:any");
  const q = itemQuery(new URL(request.url).searchParams);
  const now = new Date();
  const list = listItems(user, campaign.id, q, now);
  return json({
    campaign: { ...campaign, openedAt: campaign.openedAt?.toISOString() ?? null, closedAt: campaign.closedAt?.toISOString() ?? null, createdAt: campaign.createdAt.toISOString() },
    overdue: campaign.status === "open" && isOverdue(campaign.dueOn, now),
    counts: itemCounts(campaign.id, internal ? undefined : (user.orgId ?? undefined)),
    ...list,
    filters: q.filters,
    me: user.id,
    internal,
    canDecide: internal && can(user, "decide:campaign:any"),
    canClose: can(user, "create:campaign:any"),
    firstPassOpen: !internal && campaign.firstPass && campaign.status === "open",
    reviewers: internal ? listReviewerOptions().map((u) => ({ value: u.id, label: `${u.name} (${u.role === "security" ? "security" : "vendor manager"})` })) : [],
  });
}

type Values = Record<string, string | string[]>;
const problem = (status: number, errors: Record<string, string[]>, values: Values, itemId?: string) => {
  if (status === 404) throw notFound();
  return json({ errors, values, itemId: itemId ?? null, done: null as string | null }, { status });
};

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "decide:campaign");
  const campaign = getCampaign(user, params.id!);
  if (!campaign) throw notFound();
  const values = formValues(await request.formData());
  const ctx = { actor: user, ip: context.clientIp };
  const intent = values.intent;
  const itemId = typeof values.item === "string" ? values.item : undefined;
  const back = `/reviews/${campaign.id}${typeof values.back === "string" && values.back.startsWith("?") ? values.back : ""}`;

  if (intent === "decide" || intent === "first-pass") {
    const parsed = DecisionSchema.safeParse(values);
    if (!parsed.success) return problem(400, fieldErrors(parsed.error), values, itemId);
    if (!itemId) return problem(400, { _form: ["Choose an item"] }, values);
    const r = intent === "decide" ? decideItem(ctx, campaign.id, itemId, parsed.data) : recordFirstPass(ctx, campaign.id, itemId, parsed.data);
    if (!r.ok) return problem(r.status, { [r.field]: [r.message] }, values, itemId);
    return redirect(back);
  }
  if (intent === "bulk" || intent === "reassign") {
    const ids = values.scope === "filter" ? decidableIds(user, campaign.id, itemQuery(new URLSearchParams(String(values.back ?? "").slice(1))).filters) : [values.items ?? []].flat().filter(Boolean);
    if (intent === "reassign") {
      const r = reassignItems(ctx, campaign.id, ids, String(values.reviewer ?? ""));
      if (!r.ok) return problem(r.status, { [r.field === "items" ? "_form" : r.field]: [r.message] }, values);
      return redirect(back);
    }
    const parsed = DecisionSchema.safeParse(values);
    if (!parsed.success) return problem(400, fieldErrors(parsed.error), values);
    const r = bulkDecide(ctx, campaign.id, ids, parsed.data);
    if (!r.ok) return problem(r.status, { [r.field === "items" ? "_form" : r.field]: [r.message] }, values);
    if (r.value.skipped.length) return json({ errors: { _form: [`${r.value.done} decided; ${r.value.skipped.length} not carried out: ${r.value.skipped.map((s) => s.message).join(" ")}`] }, values, itemId: null, done: null }, { status: 400 });
    return redirect(back);
  }
  if (intent === "close") {
    if (!can(user, "create:campaign:any")) throw new Response("Only vendor managers close campaigns.", { status: 403 });
    if (values.confirm !== "yes") return problem(400, { confirm: ["Tick the box to close the campaign"] }, values);
    const r = closeCampaign(ctx, campaign.id);
    if (!r.ok) return problem(r.status, { _form: [r.message] }, values);
    return redirect(`/reviews/${campaign.id}/report`);
  }
  return problem(400, { _form: ["Unknown action"] }, values);
}

const DECISION_TONES = { keep: "good", revoke: "bad", narrow: "warn", unsure: "info" } as const;
const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;
const when = (iso: string | null) => (iso ? iso.slice(0, 16).replace("T", " ") : "never");

export default function CampaignPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { search } = useLocation();
  const { campaign, counts, items, total, page, pageCount, filters, me, internal, canDecide, canClose, firstPassOpen, reviewers, overdue } = data;
  const formError = actionData && !actionData.itemId ? (actionData.errors?._form?.[0] ?? null) : null;
  const open = campaign.status === "open";
  return (
    <main>
      <div className="page-header">
        <div>
          <h1>{campaign.name}</h1>
          <p className="muted">
            <Badge tone={open ? "warn" : campaign.status === "closed" ? "good" : "info"}>{campaign.status}</Badge> {campaign.mode === "differential" ? "Differential" : "Full"} review · opens {campaign.opensOn} · due {campaign.dueOn}
            {overdue ? (
              <>
                {" "}
                <Badge tone="bad">overdue</Badge>
              </>
            ) : null}{" "}
            · owner {campaign.ownerName ?? "unknown"} · undecided items at close are {campaign.undecidedRule === "revoke" ? "revoked" : "kept"}
            {campaign.recurrenceDays ? ` · recurs every ${days(campaign.recurrenceDays)}` : ""}
          </p>
        </div>
        <div className="actions">
          <Link to={`/reviews/${campaign.id}/report`}>Report</Link>
          <a href={`/reviews/${campaign.id}/report.csv`}>CSV</a>
          <a href={`/reviews/${campaign.id}/report.json`}>Signed JSON</a>
        </div>
      </div>

      <section className="panel" aria-label="Progress">
        <ProgressBar label={`${counts.decided} of ${counts.total} decided`} value={counts.decided} max={Math.max(1, counts.total)} detail={`${counts.unsure} unsure, ${counts.revocations} revoked${campaign.firstPass ? `, ${counts.firstPassDone} with a partner first pass` : ""}`} />
        {firstPassOpen ? <p>Give your first pass on each of your organisation's credentials below: the internal reviewer sees it beside the facts before deciding.</p> : null}
      </section>

      <Form method="get" className="filters" role="search" aria-label="Filter the items">
        <fieldset className="checkbox-group">
          <legend>Show only</legend>
          {ITEM_FILTERS.filter((f) => internal || (f !== "mine" && f !== "undecided")).map((f) => (
            <label key={f} className="checkbox-option">
              <input type="checkbox" name="f" value={f} defaultChecked={filters.includes(f)} /> {ITEM_FILTER_LABELS[f]}
            </label>
          ))}
        </fieldset>
        <button type="submit">Filter</button>
      </Form>

      <FormErrors formError={formError} errors={actionData && !actionData.itemId ? actionData.errors : undefined} />

      {canDecide && open ? (
        <Form method="post" id="selection" className="panel" aria-label="Bulk decision">
          <input type="hidden" name="back" value={search} />
          <h2>Decide or reassign several items</h2>
          <p className="hint">Tick items in the table (you decide only those assigned to you{canClose ? "; you can reassign any undecided item" : ""}), or apply to every undecided item assigned to you that matches the filters above ({filters.length ? filters.map((f) => ITEM_FILTER_LABELS[f]).join(", ") : "no filter"}).</p>
          <div className="filters">
            <SelectField label="Apply to" name="scope" defaultValue="selected" options={[{ value: "selected", label: "The ticked items" }, { value: "filter", label: "All my undecided items matching the filters" }]} />
            <SelectField label="Decision" name="decision" placeholder="Choose" options={DECISIONS.filter((d) => d !== "narrow").map((d) => ({ value: d, label: DECISION_LABELS[d] }))} />
            <TextField label="Comment" name="comment" hint="Required to revoke or mark unsure" />
            <button type="submit" name="intent" value="bulk" className="danger">
              Decide
            </button>
          </div>
          <div className="filters">
            <SelectField label="Reassign to" name="reviewer" placeholder="Choose a reviewer" options={reviewers} />
            <button type="submit" name="intent" value="reassign">
              Reassign
            </button>
          </div>
        </Form>
      ) : null}

      <DataTable
        label="Items"
        columns={[canDecide && open && { label: "Select", visuallyHidden: true }, "Credential", "Grant (snapshot / now)", "Age vs policy", "Last use (snapshot / now)", "Facts", campaign.firstPass && "First pass", internal && "Reviewer", "Decision"]}
        rows={items}
        empty="No item matches."
        row={(i) => {
          const s = i.snapshot;
          const grantNow = describeGrant(i.live.grantModels, i.live.grantEndpoints);
          const grantThen = describeGrant(s.grantModels, s.grantEndpoints);
          const mine = i.reviewerId === me;
          const decided = i.decision && i.decision !== "unsure";
          const rowError = actionData?.itemId === i.id ? actionData.errors : undefined;
          return (
            <tr key={i.id}>
              {canDecide && open ? (
                <td>
                  {!decided && (mine || canClose) ? <input type="checkbox" name="items" value={i.id} form="selection" aria-label={`Select ${s.keyId}`} /> : null}
                </td>
              ) : null}
              <td>
                <strong>{s.label}</strong>
                <div className="mono">{s.keyId}</div>
                <div className="muted">
                  {s.orgName} · {s.holder ?? "holder unknown"}
                </div>
                {i.live.status !== s.status ? <Badge tone="bad">now {i.live.status}</Badge> : <Badge tone="neutral">{s.status}</Badge>}
              </td>
              <td>
                {grantThen}
                {grantNow !== grantThen ? <div className="muted">now: {grantNow}</div> : null}
              </td>
              <td>
                {days(s.ageDays)} of {s.maxAgeDays} {s.rotationState === "overdue" ? <Badge tone="bad">rotation overdue</Badge> : null}
                {i.live.ageDays !== s.ageDays ? <div className="muted">now {days(i.live.ageDays)}</div> : null}
              </td>
              <td>
                {s.neverUsed ? <Badge tone="warn">never used</Badge> : `${when(s.lastUsedAt)} from ${s.lastUsedIp ?? "?"}`}
                {s.usageState === "unused" ? <Badge tone="warn">unused</Badge> : null}
                <div className="muted">now: {i.live.lastUsedAt ? `${when(i.live.lastUsedAt)} from ${i.live.lastUsedIp ?? "?"}` : "never used"}</div>
              </td>
              <td>
                {s.openFlags ? <Badge tone="bad">{s.openFlags} open flag{s.openFlags === 1 ? "" : "s"}</Badge> : null} <Badge tone={s.attestation === "current" ? "good" : "warn"}>attestation {s.attestation.replace("_", " ")}</Badge>{" "}
                {s.sharedWith.length ? <Badge tone="warn">shared with {s.sharedWith.join(", ")}</Badge> : null}
                <div className="muted">storage: {s.storage.replace("_", " ")}{i.live.storage !== s.storage ? ` (now ${i.live.storage.replace("_", " ")})` : ""}</div>
              </td>
              {campaign.firstPass ? (
                <td>
                  {i.firstPassDecision ? (
                    <>
                      <Badge tone={DECISION_TONES[i.firstPassDecision]}>{DECISION_LABELS[i.firstPassDecision]}</Badge> <span className="muted">{i.firstPassByName}</span>
                      {i.firstPassComment ? <div>{i.firstPassComment}</div> : null}
                    </>
                  ) : (
                    <span className="muted">pending</span>
                  )}
                  {firstPassOpen && !decided ? <DecisionForm intent="first-pass" itemId={i.id} search={search} errors={rowError} withNarrow={false} /> : null}
                </td>
              ) : null}
              {internal ? <td>{i.reviewerName ?? "unassigned"}{mine ? " (you)" : ""}{i.escalatedAt ? <div><Badge tone="info">escalated</Badge></div> : null}</td> : null}
              <td>
                {i.decision ? (
                  <>
                    <Badge tone={DECISION_TONES[i.decision]}>{DECISION_LABELS[i.decision]}</Badge> <span className="muted">{i.decidedByName}</span>
                    {i.comment ? <div>{i.comment}</div> : null}
                  </>
                ) : null}
                {i.outcome ? <div className="muted">{i.outcome}</div> : null}
                {canDecide && open && mine && !decided ? <DecisionForm intent="decide" itemId={i.id} search={search} errors={rowError} withNarrow /> : null}
                {!i.decision && !i.outcome && !(canDecide && open && mine) ? <span className="muted">undecided</span> : null}
              </td>
            </tr>
          );
        }}
      />
      <Pagination page={page} pageCount={pageCount} total={total} noun="item" />

      {canClose && open ? (
        <Form method="post" className="panel" aria-label="Close the campaign">
          <h2>Close the campaign</h2>
          <p>
            {counts.total - counts.decided} item{counts.total - counts.decided === 1 ? "" : "s"} without a final decision will be {campaign.undecidedRule === "revoke" ? "revoked" : "kept (recorded as undecided)"}. The campaign is then frozen and its report final.
          </p>
          <FormErrors errors={actionData && !actionData.itemId && actionData.values?.intent === "close" ? actionData.errors : undefined} />
          <ConfirmCheckbox className="confirm-close" errors={actionData && !actionData.itemId ? actionData.errors : undefined}>
            Yes, close this campaign
          </ConfirmCheckbox>
          <button type="submit" name="intent" value="close" className="danger">
            Close campaign
          </button>
        </Form>
      ) : null}
    </main>
  );
}

function DecisionForm({ intent, itemId, search, errors, withNarrow }: { intent: string; itemId: string; search: string; errors?: Record<string, string[] | undefined> | null; withNarrow: boolean }) {
  const err = errors ? Object.values(errors).flat().filter(Boolean)[0] : null;
  return (
    <Form method="post" className="decision-form">
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="item" value={itemId} />
      <input type="hidden" name="back" value={search} />
      <label>
        <span className="visually-hidden">Decision</span>
        <select name="decision" defaultValue="">
          <option value="" disabled>
            {intent === "decide" ? "Decide…" : "Recommend…"}
          </option>
          {DECISIONS.filter((d) => withNarrow || d !== "narrow").map((d) => (
            <option key={d} value={d}>
              {DECISION_LABELS[d]}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span className="visually-hidden">Comment</span>
        <input name="comment" placeholder="Comment (required to revoke or mark unsure)" />
      </label>
      {withNarrow ? (
        <label>
          <span className="visually-hidden">Narrowed models</span>
          <input name="models" placeholder="Narrow to models (e.g. opus-4)" />
        </label>
      ) : null}
      <button type="submit">{intent === "decide" ? "Record" : "Send first pass"}</button>
      {err ? (
        <p className="field-error" role="alert">
          {err}
        </p>
      ) : null}
    </Form>
  );
}
