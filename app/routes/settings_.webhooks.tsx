import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useId } from "react";
import { z } from "zod";
import { requireUser } from "~/auth.server";
import { Badge, StatusBadge, type Tone } from "~/components/badge";
import { asList, CheckboxGroup } from "~/components/checkbox-group";
import { CopyOnce } from "~/components/copy-once";
import { DataTable } from "~/components/data-table";
import { FormErrors, SelectField, TextField, useFormState } from "~/components/form";
import { Pagination } from "~/components/pagination";
import { UtcTime } from "~/components/utc-time";
import { MAX_DELIVERY_ATTEMPTS } from "~/domain/backoff";
import { fieldErrors, formValues } from "~/domain/form-errors";
import { can } from "~/domain/permissions";
import {
  ALL_EVENTS,
  createWebhook,
  deleteWebhook,
  DELIVERY_STATUSES,
  DeliveryQuerySchema,
  listDeliveries,
  listWebhookOrgOptions,
  listWebhooks,
  redeliver,
  setWebhookActive,
  WEBHOOK_EVENTS,
  WebhookCreateSchema,
} from "~/models/webhook.server";

export const meta: MetaFunction = () => [{ title: "Webhooks · Keyward" }];

// Webhook endpoints (issue 3): the gateway's admin endpoint and partners' endpoints, their signing
// secrets (shown once), and the deliveries queued for them in the outbox.

const DONE = ["deactivated", "activated", "deleted", "redelivered"] as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:webhook:any");
  const params = new URL(request.url).searchParams;
  const query = DeliveryQuerySchema.parse(Object.fromEntries(params));
  const canEdit = can(user, "update:webhook:any");
  const hooks = listWebhooks(user);
  const deliveries = listDeliveries(user, query);
  const done = params.get("done");
  return json({
    canEdit,
    webhooks: hooks.map(({ orgId: _orgId, ...w }) => w),
    deliveries,
    orgs: canEdit ? listWebhookOrgOptions(user) : [],
    // Values from .server modules reach the component only through loader data (the browser bundle drops those modules).
    events: WEBHOOK_EVENTS,
    allEvents: ALL_EVENTS,
    statuses: DELIVERY_STATUSES,
    maxAttempts: MAX_DELIVERY_ATTEMPTS,
    done: DONE.find((d) => d === done) ?? null,
    doneName: params.get("name")?.slice(0, 80) ?? null,
  });
}

const TargetSchema = z.object({ id: z.string().trim().min(1).max(64) });
const DeliveryTargetSchema = z.object({ id: z.coerce.number().int().positive() });
const notFound = () => new Response("Not found", { status: 404 });

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "update:webhook:any");
  const form = await request.formData();
  const values = formValues(form);
  const ctx = { actor: user, ip: context.clientIp };
  const intent = String(values.intent ?? "");

  if (intent === "create") {
    const parsed = WebhookCreateSchema.safeParse(values);
    if (!parsed.success) return json({ intent, errors: fieldErrors(parsed.error), values, created: null }, { status: 400 });
    const result = createWebhook(ctx, parsed.data);
    if (!result.ok) return json({ intent, errors: { [result.field]: [result.message] }, values, created: null }, { status: 400 });
    // Not a redirect: the secret is shown in this one response and never again.
    return json({ intent, errors: null, values: null, created: result.value });
  }

  if (intent === "redeliver") {
    const target = DeliveryTargetSchema.safeParse(values);
    if (!target.success) throw notFound();
    const result = redeliver(ctx, target.data.id);
    if (!result) throw notFound();
    if (!result.ok) return json({ intent, errors: { _form: [result.message] }, values: null, created: null }, { status: 400 });
    return redirect(`/settings/webhooks?done=redelivered&name=${result.value.id}`);
  }

  if (intent !== "deactivate" && intent !== "activate" && intent !== "delete") {
    return json({ intent, errors: { _form: ["Unknown action."] }, values: null, created: null }, { status: 400 });
  }
  const target = TargetSchema.safeParse(values);
  if (!target.success) throw notFound();
  if (intent === "deactivate" || intent === "activate") {
    const result = setWebhookActive(ctx, target.data.id, intent === "activate");
    if (!result) throw notFound();
    return redirect(`/settings/webhooks?done=${intent}d&name=${encodeURIComponent(result.name)}`);
  }
  const result = deleteWebhook(ctx, target.data.id);
  if (!result) throw notFound();
  return redirect(`/settings/webhooks?done=deleted&name=${encodeURIComponent(result.name)}`);
}

const DELIVERY_TONES: Record<string, Tone> = { pending: "info", delivered: "good", dead: "bad" };

function doneMessage(done: (typeof DONE)[number], name: string | null) {
  switch (done) {
    case "deactivated":
      return `${name ?? "The endpoint"} is paused: its deliveries wait in the queue until it is resumed.`;
    case "activated":
      return `${name ?? "The endpoint"} is active again.`;
    case "deleted":
      return `${name ?? "The endpoint"} was deleted, with its queued deliveries.`;
    case "redelivered":
      return `Delivery ${name ?? ""} is queued again and goes out on the scheduler's next run.`;
  }
}

export default function Webhooks() {
  const { canEdit, webhooks, deliveries, orgs, events, allEvents, statuses, maxAttempts, done, doneName } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const formError = data?.errors && "_form" in data.errors ? data.errors._form?.[0] : null;
  return (
    <main>
      <div className="page-header">
        <h1>Webhooks</h1>
        <p className="muted">Where Keyward sends credential events: the gateway’s admin endpoint and partners’ endpoints. Every delivery is signed.</p>
      </div>
      {done ? (
        <div className="alert success" role="status">
          {doneMessage(done, doneName)}
        </div>
      ) : null}
      {formError && data?.intent !== "create" ? (
        <div className="alert error" role="alert">
          {formError}
        </div>
      ) : null}
      {data?.created ? <CreatedSecret name={data.created.name} secret={data.created.secret} /> : null}

      <section className="panel" aria-labelledby="endpoints-title">
        <h2 id="endpoints-title">Endpoints</h2>
        <DataTable
          labelledBy="endpoints-title"
          className="webhook-table"
          columns={["Name", "URL", "Events", "Scope", "Status", { label: "Queued", className: "num" }, { label: "Dead", className: "num" }, "Last delivery", canEdit && "Actions"]}
          rows={webhooks}
          empty={<>No endpoints yet. {canEdit ? "Add the gateway’s admin endpoint below so that revocations and suspensions reach it." : ""}</>}
          row={(w) => (
            <tr key={w.id}>
              <td>
                <Link to={`/settings/webhooks?webhook=${w.id}#deliveries-title`}>{w.name}</Link>
              </td>
              <td className="mono webhook-url">{w.url}</td>
              <td>
                <ul className="webhook-events">
                  {w.events.map((e) => (
                    <li key={e} className="mono">
                      {e === allEvents ? "* (every event)" : e}
                    </li>
                  ))}
                </ul>
              </td>
              <td>{w.orgSlug ? <Link to={`/orgs/${w.orgSlug}`}>{w.orgName}</Link> : <span>Gateway / internal (all organisations)</span>}</td>
              <td>{w.active ? <StatusBadge status="active" /> : <Badge tone="warn">paused</Badge>}</td>
              <td className="num">{w.pending}</td>
              <td className="num">{w.dead ? <Badge tone="bad">{w.dead}</Badge> : 0}</td>
              <td>
                {w.lastDelivery ? (
                  <>
                    <Badge tone={DELIVERY_TONES[w.lastDelivery.status]}>{w.lastDelivery.status}</Badge>{" "}
                    <span className="muted">{w.lastDelivery.lastStatus ? `HTTP ${w.lastDelivery.lastStatus}` : (w.lastDelivery.lastError ?? "")}</span>
                  </>
                ) : (
                  <span className="muted">None yet</span>
                )}
              </td>
              {canEdit ? (
                <td>
                  <div className="webhook-actions">
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="id" value={w.id} />
                      <button type="submit" name="intent" value={w.active ? "deactivate" : "activate"}>
                        {w.active ? "Pause" : "Resume"}
                        <span className="visually-hidden"> {w.name}</span>
                      </button>
                    </Form>
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="id" value={w.id} />
                      <button type="submit" name="intent" value="delete" className="danger">
                        Delete<span className="visually-hidden"> {w.name}</span>
                      </button>
                    </Form>
                  </div>
                </td>
              ) : null}
            </tr>
          )}
        />
        {!canEdit ? <p className="muted">Only vendor managers and security change webhook endpoints.</p> : null}
      </section>

      {canEdit ? <CreateForm key={data?.created?.id ?? "new"} orgs={orgs} events={events} allEvents={allEvents} data={data?.intent === "create" ? data : undefined} /> : null}

      <section className="panel" aria-labelledby="deliveries-title">
        <h2 id="deliveries-title">Recent deliveries</h2>
        <p className="muted">
          Failed deliveries are retried after 30 s, doubling each time up to 6 h (±20%); after {maxAttempts} failed attempts a delivery is dead. Redeliver sends the
          same body again with the same delivery id.
        </p>
        <Form method="get" className="filters" role="search" aria-label="Filter deliveries">
          <SelectField label="Endpoint" name="webhook" placeholder="Any endpoint" options={webhooks.map((w) => ({ value: w.id, label: w.name }))} defaultValue={params.get("webhook") ?? ""} />
          <SelectField label="Status" name="status" placeholder="Any status" options={statuses.map((s) => ({ value: s, label: s }))} defaultValue={params.get("status") ?? ""} />
          <div className="actions">
            <button type="submit">Filter</button>
            {params.get("webhook") || params.get("status") ? <Link to="/settings/webhooks">Clear</Link> : null}
          </div>
        </Form>
        <DataTable
          labelledBy="deliveries-title"
          className="delivery-table"
          columns={["Delivery", "Event", "Endpoint", "Status", { label: "Attempts", className: "num" }, "Last result", "Next attempt", "Queued", canEdit && "Actions"]}
          rows={deliveries.rows}
          empty={<>No deliveries{params.get("webhook") || params.get("status") ? " match these filters" : " yet"}.</>}
          row={(d) => (
            <tr key={d.id}>
              <td className="mono">{d.id}</td>
              <td className="mono">{d.event}</td>
              <td>{d.webhookName}</td>
              <td>
                <Badge tone={DELIVERY_TONES[d.status]}>{d.status}</Badge>
              </td>
              <td className="num">{d.attempts}</td>
              <td className="delivery-result">
                {d.lastStatus ? <span className="mono">HTTP {d.lastStatus}</span> : null}
                {d.lastError ? <span className="muted"> {d.lastError}</span> : null}
                {!d.lastStatus && !d.lastError ? <span className="muted">—</span> : null}
              </td>
              <td className="nowrap">{d.status === "pending" ? <UtcTime iso={d.nextAttemptAt} /> : d.deliveredAt ? <span className="muted">delivered <UtcTime iso={d.deliveredAt} /></span> : <span className="muted">—</span>}</td>
              <td className="nowrap">
                <UtcTime iso={d.createdAt} />
              </td>
              {canEdit ? (
                <td>
                  {d.status !== "pending" ? (
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="id" value={d.id} />
                      <button type="submit" name="intent" value="redeliver">
                        Redeliver<span className="visually-hidden"> delivery {d.id}</span>
                      </button>
                    </Form>
                  ) : null}
                </td>
              ) : null}
            </tr>
          )}
        />
        <Pagination page={deliveries.page} pageCount={deliveries.pageCount} total={deliveries.total} noun="delivery record" />
      </section>

      <VerifyRecipe />
    </main>
  );
}

function CreatedSecret({ name, secret }: { name: string; secret: string }) {
  const id = useId();
  return (
    <section className="panel webhook-secret" aria-labelledby={`${id}-title`}>
      <div className="alert success" role="status">
        <h2 id={`${id}-title`}>Endpoint “{name}” created</h2>
        <p>Give this signing secret to the endpoint’s owner now. It is shown only once: Keyward keeps it for signing but never displays it again.</p>
      </div>
      <CopyOnce label="Signing secret" value={secret} noun="secret" inputClassName="mono" />
    </section>
  );
}

type CreateData = { errors: Record<string, string[]> | null; values: Record<string, string | string[]> | null };

function CreateForm({ orgs, events, allEvents, data }: { orgs: { slug: string; name: string; kind: string }[]; events: readonly string[]; allEvents: string; data?: CreateData }) {
  const { busy, errors, typed } = useFormState(data, "create");
  return (
    <section className="panel" aria-labelledby="add-endpoint-title">
      <h2 id="add-endpoint-title">Add an endpoint</h2>
      <FormErrors errors={errors} formError={errors?._form?.[0]} />
      <Form method="post" className="stack webhook-form" noValidate>
        <input type="hidden" name="intent" value="create" />
        <div className="form-row">
          <TextField label="Name" name="name" required maxLength={80} defaultValue={typed("name") ?? ""} errors={errors} hint="e.g. Gateway admin API" />
          <SelectField
            label="Organisation"
            name="orgSlug"
            placeholder="None: gateway / internal (hears every organisation)"
            defaultValue={typed("orgSlug") ?? ""}
            errors={errors}
            hint="A partner’s endpoint hears about its organisation and its contractors."
            options={orgs.map((o) => ({ value: o.slug, label: `${o.name} (${o.kind})` }))}
          />
        </div>
        <TextField
          label="URL"
          name="url"
          type="url"
          required
          maxLength={2000}
          defaultValue={typed("url") ?? ""}
          errors={errors}
          hint="https:// only; plain http:// is accepted for localhost and 127.0.0.1."
        />
        <CheckboxGroup
          className="webhook-events-field"
          legend="Events"
          name="events"
          options={[{ value: allEvents, label: "* (every event, including future ones)" }, ...events.map((e) => ({ value: e, label: e }))]}
          checked={asList(data?.values?.events)}
          errors={errors}
        />
        <p className="muted">A signing secret is generated when you add the endpoint and shown once.</p>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Adding…" : "Add endpoint"}
          </button>
        </div>
      </Form>
    </section>
  );
}

const NODE_RECIPE = `import { createHmac, timingSafeEqual } from "node:crypto";

// rawBody: the request body exactly as received (a string), before any JSON parsing.
function verifyKeyward(rawBody, headers, secret) {
  const timestamp = headers["x-keyward-timestamp"];
  const signature = headers["x-keyward-signature"] ?? "";
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false; // stale or replayed
  const expected = "sha256=" + createHmac("sha256", secret).update(\`\${timestamp}.\${rawBody}\`).digest("hex");
  return signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
}`;

const SHELL_RECIPE = `printf '%s.%s' "$TIMESTAMP" "$BODY" | openssl dgst -sha256 -hmac "$SECRET"
# compare the hex digest with the X-Keyward-Signature header after "sha256="`;

function VerifyRecipe() {
  return (
    <section className="panel webhook-recipe" aria-labelledby="verify-title">
      <h2 id="verify-title">Verifying a delivery</h2>
      <p>
        Each delivery is a <code>POST</code> with a JSON body <code>{`{"id", "event", "occurredAt", "data"}`}</code> and these headers:
      </p>
      <dl className="facts">
        <dt className="mono">Content-Type</dt>
        <dd className="mono">application/json</dd>
        <dt className="mono">User-Agent</dt>
        <dd className="mono">Keyward-Webhooks/1</dd>
        <dt className="mono">X-Keyward-Event</dt>
        <dd>the event, e.g. credential.revoked</dd>
        <dt className="mono">X-Keyward-Delivery</dt>
        <dd>the delivery id (the same on a retry or redelivery: use it to ignore duplicates)</dd>
        <dt className="mono">X-Keyward-Timestamp</dt>
        <dd>when it was sent, in Unix seconds</dd>
        <dt className="mono">X-Keyward-Signature</dt>
        <dd>
          <code>sha256=</code> followed by the hex HMAC-SHA256 of <code>{"<timestamp>.<body>"}</code>, keyed with the endpoint’s signing secret (its text as shown)
        </dd>
      </dl>
      <p>
        Recompute the signature over the raw body, compare in constant time, and refuse timestamps more than 5 minutes old. Answer with any 2xx status within 10
        seconds; anything else is retried.
      </p>
      <pre className="code-block">
        <code>{NODE_RECIPE}</code>
      </pre>
      <pre className="code-block">
        <code>{SHELL_RECIPE}</code>
      </pre>
    </section>
  );
}
