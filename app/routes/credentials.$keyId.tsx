import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useId } from "react";
import { requireUser } from "~/auth.server";
import { Badge } from "~/components/badge";
import { AttestationMissingBadge } from "~/components/attestation-badges";
import { attestationMissingFor } from "~/models/attestation-policy.server";
import { asList, CheckboxGroup } from "~/components/checkbox-group";
import { CredentialStatusBadge, ExpiryBadge, RotationBadge, UsageBadge } from "~/components/credential-badges";
import { CredentialTimeline } from "~/components/credential-timeline";
import { FingerprintField } from "~/components/fingerprint-field";
import { ConfirmCheckbox, FormErrors, TextField, type FieldErrors } from "~/components/form";
import { UtcTime } from "~/components/utc-time";
import { ENVIRONMENT_LABELS, STORAGE_LABELS } from "~/domain/credential";
import { ALL_ENDPOINTS, ALL_GA, expandModels } from "~/domain/grant";
import { allowedActions, buildTimeline, grantLabel, LifecycleFormSchema, refusal, roleActions, type LifecycleAction } from "~/domain/credential-lifecycle";
import { credentialHygiene } from "~/domain/credential-policy";
import { fieldErrors, formValues } from "~/domain/form-errors";
import { can } from "~/domain/permissions";
import { listAuditForTarget } from "~/models/audit.server";
import { listEndpoints, listModels } from "~/models/catalog.server";
import { changeCredentialGrant, listRotations, rotateCredential, setCredentialStatus, type LifecycleResult } from "~/models/credential-lifecycle.server";
import { getCredential } from "~/models/credential.server";
import { getEntitlements } from "~/models/entitlement.server";
import { getPolicy } from "~/models/policy.server";
import { listFlagsForCredential } from "~/models/flag.server";
import { groupWithinHour } from "~/domain/detection/triage";
import { FlagStatusBadge, SeverityBadge } from "~/components/flag-badges";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.credential.label ?? "Credential"} · Keyward` }];

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:credential");
  const c = getCredential(user, params.keyId ?? "");
  if (!c) throw new Response("Not found", { status: 404 });
  const now = new Date();
  const policy = getPolicy(c.orgTier);
  const hygiene = credentialHygiene(c, policy, now);
  const actions = allowedActions(user, { orgId: c.orgId, status: hygiene.effectiveStatus });
  const models = listModels();
  const gaModels = models.filter((m) => m.status === "ga").map((m) => m.name);
  const canWiden = actions.has("widen");
  const canChangeGrant = canWiden || actions.has("narrow");

  // The grant form offers what this user may choose: everything in the catalog for a vendor manager
  // (the organisation's entitlements are checked on save), only parts of the current grant for a partner.
  let grantForm: { models: string[]; endpoints: string[]; entitlements: { models: string[]; endpoints: string[] } | null } | null = null;
  if (canChangeGrant) {
    const endpointNames = listEndpoints().map((e) => e.name);
    grantForm = canWiden
      ? {
          models: [ALL_GA, ...models.filter((m) => m.status !== "retired" || c.grantModels.includes(m.name)).map((m) => m.name)],
          endpoints: [ALL_ENDPOINTS, ...endpointNames],
          entitlements: getEntitlements(c.orgId),
        }
      : {
          models: [...new Set([...c.grantModels, ...(c.grantModels.includes(ALL_GA) ? gaModels : [])])],
          endpoints: c.grantEndpoints.includes(ALL_ENDPOINTS) ? [ALL_ENDPOINTS, ...endpointNames] : c.grantEndpoints,
          entitlements: null,
        };
  }

  const timeline = buildTimeline(listAuditForTarget("credential", c.id, 200), listRotations(c.id), now).map((e) => ({
    ...e,
    at: e.at.toISOString(),
    rotation: e.rotation ? { ...e.rotation, graceEndsAt: e.rotation.graceEndsAt.toISOString() } : null,
  }));

  return json({
    credential: {
      keyId: c.keyId,
      fingerprint: c.fingerprint,
      label: c.label,
      org: { slug: c.orgSlug, name: c.orgName, kind: c.orgKind, tier: c.orgTier },
      attestationMissing: attestationMissingFor([{ id: c.orgId, tier: c.orgTier }], now).has(c.orgId),
      holder: c.holderName ? `${c.holderName} (${c.holderEmail})` : (c.holderService ?? null),
      holderIsService: !c.holderName,
      grantModels: c.grantModels,
      grantEndpoints: c.grantEndpoints,
      environment: ENVIRONMENT_LABELS[c.environment],
      storage: c.storage,
      storageLabel: STORAGE_LABELS[c.storage],
      sharedWith: c.sharedWith,
      status: c.status,
      statusReason: c.statusReason,
      issuedAt: iso(c.issuedAt)!,
      expiresAt: iso(c.expiresAt),
      lastRotatedAt: iso(c.lastRotatedAt),
      lastUsedAt: iso(c.lastUsedAt),
      lastUsedIp: c.lastUsedIp,
      lastUsedUserAgent: c.lastUsedUserAgent,
      lastReviewedAt: iso(c.lastReviewedAt),
      revokedAt: iso(c.revokedAt),
      revokedReason: c.revokedReason,
    },
    gaModels,
    policy: { maxCredentialAgeDays: policy.maxCredentialAgeDays, unusedThresholdDays: policy.unusedThresholdDays, rotationGraceHours: policy.rotationGraceHours },
    hygiene: { ...hygiene, rotationDueAt: iso(hygiene.rotationDueAt) },
    actions: [...actions],
    grantForm,
    timeline,
    // Flags for this credential, grouped within an hour (issue 7): one incident reads as one group.
    flagGroups: can(user, "read:flag")
      ? groupWithinHour(listFlagsForCredential(user, c.id)).map((g) => ({ from: new Date(g.from).toISOString(), to: new Date(g.to).toISOString(), flags: g.flags.map((f) => ({ id: f.id, rule: f.rule, severity: f.severity, status: f.status, count: f.count, summary: f.summary })) }))
      : [],
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "read:credential");
  const keyId = params.keyId ?? "";
  const c = getCredential(user, keyId);
  if (!c) throw new Response("Not found", { status: 404 });
  // Someone who may take no action on this credential at all (auditor; a partner on its contractor's key) learns nothing more.
  if (roleActions(user, { orgId: c.orgId }).size === 0) throw new Response("You cannot change this credential.", { status: 403 });
  const form = await request.formData();
  const values = formValues(form);
  const parsed = LifecycleFormSchema.safeParse(values);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error) as FieldErrors, formError: null as string | null, values }, { status: 400 });
  const input = parsed.data;
  const ctx = { actor: user, ip: context.clientIp ?? null };
  // The grant's check (narrow or widen) depends on the new grant, so the model makes it; the others are checked here first.
  if (input.intent !== "grant") {
    const now = new Date();
    const no = refusal(user, { orgId: c.orgId, status: credentialHygiene(c, getPolicy(c.orgTier), now).effectiveStatus }, input.intent);
    if (no?.kind === "forbidden") throw new Response(no.message, { status: 403 });
  }

  let result: LifecycleResult<unknown>;
  let to = `/credentials/${encodeURIComponent(keyId)}`;
  let done: string = input.intent;
  switch (input.intent) {
    case "rotate": {
      const r = rotateCredential(ctx, keyId, { newKeyId: input.newKeyId, fingerprint: input.fingerprint });
      if (r.ok) to = `/credentials/${encodeURIComponent(r.value.keyId)}`;
      result = r;
      break;
    }
    case "suspend":
    case "revoke":
      result = setCredentialStatus(ctx, keyId, input.intent, input.reason);
      break;
    case "reactivate":
      result = setCredentialStatus(ctx, keyId, "reactivate", input.reason);
      break;
    case "grant": {
      const r = changeCredentialGrant(ctx, keyId, { models: input.grantModels, endpoints: input.grantEndpoints });
      if (r.ok) done = r.value.change;
      result = r;
      break;
    }
  }
  if (!result.ok) {
    if (result.status === 404) throw new Response("Not found", { status: 404 });
    if (result.status === 403) throw new Response(result.message, { status: 403 });
    const errors: FieldErrors = result.field === "_form" ? {} : { [result.field]: [result.message] };
    return json({ errors, formError: result.field === "_form" ? result.message : null, values }, { status: 400 });
  }
  return redirect(`${to}?done=${done}`);
}

const DONE: Record<string, string> = {
  rotate: "Rotation recorded. The old key id keeps working until its grace period ends (see the timeline); after that any use of it is misuse.",
  suspend: "Credential suspended. The gateway and the partner are being notified.",
  reactivate: "Credential reactivated.",
  revoke: "Credential revoked. The gateway and the partner are being notified.",
  narrowed: "Grant narrowed.",
  widened: "Grant widened.",
};

function Flash() {
  const [params] = useSearchParams();
  const message = DONE[params.get("done") ?? ""];
  return message ? (
    <div className="alert success" role="status">
      {message}
    </div>
  ) : null;
}

const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;

function Grant({ names }: { names: string[] }) {
  return (
    <ul className="cred-detail-grant">
      {names.map((n) => (
        <li key={n}>
          {n === ALL_GA || n === ALL_ENDPOINTS ? (
            <strong>{grantLabel(n)}</strong>
          ) : (
            <span className="mono">{n}</span>
          )}
        </li>
      ))}
    </ul>
  );
}

export default function CredentialDetail() {
  const { credential: c, gaModels, policy, hygiene: h, actions, grantForm, timeline, flagGroups } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const allowed = new Set<LifecycleAction>(actions);
  const mine = (intent: string) => (actionData?.values?.intent === intent ? actionData : undefined);
  const expanded = expandModels(c.grantModels, gaModels.map((name) => ({ name, status: "ga" as const })));
  return (
    <main>
      <p>
        <Link to="/credentials">← Credentials</Link>
      </p>
      <div className="page-header">
        <h1>
          {c.label} <CredentialStatusBadge status={h.effectiveStatus} />
        </h1>
      </div>
      <p className="cred-detail-key">
        Key id <span className="mono">{c.keyId}</span>
      </p>
      <Flash />
      {c.status === "revoked" ? (
        <div className="alert error">
          Revoked{c.revokedAt ? <> on <UtcTime iso={c.revokedAt} /></> : null}
          {c.revokedReason ? `: ${c.revokedReason}` : "."} Any use of this key is misuse.
        </div>
      ) : c.status === "suspended" ? (
        <div className="alert warn">Suspended{c.statusReason ? `: ${c.statusReason}` : "."}</div>
      ) : null}

      <div className="cols">
        <div>
          <section className="panel" aria-labelledby="hygiene">
            <h2 id="hygiene">Hygiene</h2>
            <p className="cred-detail-badges">
              <RotationBadge state={h.rotationState} />
              {h.usageState === "in_use" ? <Badge tone="good">In use</Badge> : <UsageBadge state={h.usageState} thresholdDays={policy.unusedThresholdDays} />}
              <ExpiryBadge state={h.expiryState} />
              {c.storage !== "secrets_manager" ? <Badge tone="warn">Not in a secrets manager</Badge> : null}
              {c.attestationMissing ? <AttestationMissingBadge /> : null}
              {c.sharedWith.length ? <Badge tone="info">Shared</Badge> : null}
            </p>
            <dl className="facts">
              <dt>Age</dt>
              <dd>
                {days(h.ageDays)} <span className="muted">of at most {days(policy.maxCredentialAgeDays)} ({c.org.tier} tier)</span>
              </dd>
              <dt>Rotation due</dt>
              <dd>
                {h.rotationDueAt ? (
                  <>
                    <UtcTime iso={h.rotationDueAt} />{" "}
                    <span className="muted">
                      {h.daysUntilRotation == null ? null : h.daysUntilRotation > 0 ? `in ${days(h.daysUntilRotation)}` : h.daysUntilRotation === 0 ? "due today" : `${days(-h.daysUntilRotation)} overdue`}
                    </span>
                  </>
                ) : (
                  <span className="muted">Not applicable ({h.effectiveStatus})</span>
                )}
              </dd>
              <dt>Usage</dt>
              <dd>
                {h.usageState === "never_used" ? "Never used" : h.daysSinceUse != null ? `Last used ${h.daysSinceUse === 0 ? "today" : `${days(h.daysSinceUse)} ago`}` : "—"}
                <span className="muted"> (unused after {days(policy.unusedThresholdDays)})</span>
              </dd>
              <dt>Expiry</dt>
              <dd>{c.expiresAt ? <UtcTime iso={c.expiresAt} /> : <span className="muted">No expiry date</span>}</dd>
            </dl>
          </section>

          <section className="panel" aria-labelledby="facts">
            <h2 id="facts">Details</h2>
            <dl className="facts">
              <dt>Key id</dt>
              <dd className="mono">{c.keyId}</dd>
              <dt>Fingerprint</dt>
              <dd>
                {c.fingerprint ? (
                  <span className="mono" title={c.fingerprint}>
                    {c.fingerprint.slice(0, 12)}…
                  </span>
                ) : (
                  <span className="muted">Not recorded</span>
                )}
              </dd>
              <dt>Organisation</dt>
              <dd>
                <Link to={`/orgs/${c.org.slug}`}>{c.org.name}</Link> <span className="muted">({c.org.kind})</span>
              </dd>
              <dt>Holder</dt>
              <dd>{c.holder ? (c.holderIsService ? <>Service <span className="mono">{c.holder}</span></> : c.holder) : <span className="muted">Unknown</span>}</dd>
              <dt>Environment</dt>
              <dd>{c.environment}</dd>
              <dt>Storage</dt>
              <dd>{c.storageLabel}</dd>
              <dt>Shared with</dt>
              <dd>
                {c.sharedWith.length ? (
                  c.sharedWith.map((o, i) => (
                    <span key={o.id}>
                      {i ? ", " : ""}
                      <Link to={`/orgs/${o.slug}`}>{o.name}</Link>
                    </span>
                  ))
                ) : (
                  <span className="muted">Nobody</span>
                )}
              </dd>
              <dt>Issued</dt>
              <dd>
                <UtcTime iso={c.issuedAt} />
              </dd>
              <dt>Expires</dt>
              <dd>{c.expiresAt ? <UtcTime iso={c.expiresAt} /> : <span className="muted">Never</span>}</dd>
              <dt>Last rotated</dt>
              <dd>{c.lastRotatedAt ? <UtcTime iso={c.lastRotatedAt} /> : <span className="muted">Never</span>}</dd>
              <dt>Last used</dt>
              <dd>
                {c.lastUsedAt ? (
                  <>
                    <UtcTime iso={c.lastUsedAt} />
                    {c.lastUsedIp ? (
                      <>
                        {" "}
                        from <span className="mono">{c.lastUsedIp}</span>
                      </>
                    ) : null}
                    {c.lastUsedUserAgent ? <span className="muted cred-detail-ua"> {c.lastUsedUserAgent}</span> : null}
                  </>
                ) : (
                  <span className="muted">Never</span>
                )}
              </dd>
              <dt>Last reviewed</dt>
              <dd>{c.lastReviewedAt ? <UtcTime iso={c.lastReviewedAt} /> : <span className="muted">Never</span>}</dd>
              <dt>Status</dt>
              <dd>
                <CredentialStatusBadge status={h.effectiveStatus} />
                {c.statusReason ? <span className="muted"> {c.statusReason}</span> : null}
              </dd>
            </dl>
          </section>

          <section className="panel" aria-labelledby="grant">
            <h2 id="grant">Grant</h2>
            <div className="cred-detail-grant-cols">
              <div>
                <h3>Models</h3>
                <Grant names={c.grantModels} />
                {c.grantModels.includes(ALL_GA) ? <p className="muted">Every GA model reaches today: {expanded.join(", ") || "nothing"}.</p> : null}
              </div>
              <div>
                <h3>Endpoints</h3>
                <Grant names={c.grantEndpoints} />
              </div>
            </div>
          </section>

          {flagGroups.length ? (
            <section className="panel" aria-labelledby="cred-flags">
              <h2 id="cred-flags">Flags</h2>
              {flagGroups.map((g) => (
                <div key={g.to} className="flag-group">
                  <h3>
                    {g.from === g.to ? <UtcTime iso={g.to} /> : (
                      <>
                        <UtcTime iso={g.from} /> – <UtcTime iso={g.to} />
                      </>
                    )}{" "}
                    · {g.flags.length} {g.flags.length === 1 ? "flag" : "flags"}
                  </h3>
                  <ul>
                    {g.flags.map((f) => (
                      <li key={f.id}>
                        <SeverityBadge severity={f.severity} /> <Link to={`/flags/${f.id}`} className="mono">{f.rule}</Link> <FlagStatusBadge status={f.status} /> {f.summary}
                      </li>
                    ))}
                  </ul>
                </div>
              ))}
            </section>
          ) : null}
          <section className="panel" aria-labelledby="timeline">
            <h2 id="timeline">Timeline</h2>
            <CredentialTimeline items={timeline} />
          </section>
        </div>

        <aside aria-labelledby="lifecycle">
          <div className="panel">
            <h2 id="lifecycle">Actions</h2>
            {allowed.size === 0 ? (
              <p className="muted">
                {c.status === "revoked" || h.effectiveStatus === "expired" ? `This credential is ${h.effectiveStatus}: nothing more can be done with it.` : "You can read this credential but not change it."}
              </p>
            ) : (
              <div className="cred-detail-actions">
                {allowed.has("rotate") ? <RotateForm data={mine("rotate")} graceHours={policy.rotationGraceHours} /> : null}
                {allowed.has("suspend") ? <ReasonForm intent="suspend" title="Suspend" data={mine("suspend")} explain="The gateway stops accepting the key until it is reactivated." /> : null}
                {allowed.has("reactivate") ? <ReasonForm intent="reactivate" title="Reactivate" data={mine("reactivate")} explain="The key works again." optional /> : null}
                {allowed.has("revoke") ? <RevokeForm data={mine("revoke")} keyId={c.keyId} /> : null}
                {grantForm ? <GrantForm data={mine("grant")} current={{ models: c.grantModels, endpoints: c.grantEndpoints }} form={grantForm} canWiden={allowed.has("widen")} orgName={c.org.name} gaModels={gaModels} /> : null}
              </div>
            )}
          </div>
        </aside>
      </div>
    </main>
  );
}

type ActionData = { errors: FieldErrors; values: Record<string, string | string[]>; formError?: string | null } | undefined;
const str = (v: unknown) => (typeof v === "string" ? v : "");

function Submit({ children, danger }: { children: string; danger?: boolean }) {
  const busy = useNavigation().state === "submitting";
  return (
    <button type="submit" className={danger ? "danger" : "primary"} disabled={busy}>
      {children}
    </button>
  );
}

function RotateForm({ data, graceHours }: { data: ActionData; graceHours: number }) {
  const id = useId();
  return (
    <Form method="post" className="cred-detail-form" aria-labelledby={id}>
      <h3 id={id}>Rotate</h3>
      <p className="muted">Record the new key&apos;s id. The old one keeps working for {graceHours} hours; after that any use of it is flagged as misuse.</p>
      <FormErrors errors={data?.errors} formError={data?.formError} />
      <input type="hidden" name="intent" value="rotate" />
      <TextField label="New key id" name="newKeyId" required autoComplete="off" spellCheck={false} defaultValue={str(data?.values.newKeyId)} errors={data?.errors} />
      <FingerprintField defaultValue={str(data?.values.fingerprint)} errors={data?.errors} />
      <Submit>Record rotation</Submit>
    </Form>
  );
}

function ReasonForm({ intent, title, explain, data, optional }: { intent: "suspend" | "reactivate"; title: string; explain: string; data: ActionData; optional?: boolean }) {
  const id = useId();
  return (
    <Form method="post" className="cred-detail-form" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      <p className="muted">{explain}</p>
      <FormErrors errors={data?.errors} formError={data?.formError} />
      <input type="hidden" name="intent" value={intent} />
      <TextField label={optional ? "Reason (optional)" : "Reason"} name="reason" required={!optional} maxLength={500} defaultValue={str(data?.values.reason)} errors={data?.errors} />
      <Submit danger={intent === "suspend"}>{title}</Submit>
    </Form>
  );
}

function RevokeForm({ data, keyId }: { data: ActionData; keyId: string }) {
  const id = useId();
  return (
    <Form method="post" className="cred-detail-form cred-detail-danger" aria-labelledby={id}>
      <h3 id={id}>Revoke</h3>
      <p className="muted">Final. The gateway and the partner are told; the key cannot be reactivated.</p>
      <FormErrors errors={data?.errors} formError={data?.formError} />
      <input type="hidden" name="intent" value="revoke" />
      <TextField label="Reason" name="reason" required maxLength={500} defaultValue={str(data?.values.reason)} errors={data?.errors} />
      <ConfirmCheckbox className="cred-detail-confirm" errors={data?.errors}>
        Yes, revoke <span className="mono">{keyId}</span>
      </ConfirmCheckbox>
      <Submit danger>Revoke</Submit>
    </Form>
  );
}

function GrantForm({
  data,
  current,
  form,
  canWiden,
  orgName,
  gaModels,
}: {
  data: ActionData;
  current: { models: string[]; endpoints: string[] };
  form: { models: string[]; endpoints: string[]; entitlements: { models: string[]; endpoints: string[] } | null };
  canWiden: boolean;
  orgName: string;
  gaModels: string[];
}) {
  const id = useId();
  const label = (n: string) => (n === ALL_GA ? `every GA model (now ${gaModels.join(", ") || "none"})` : grantLabel(n));
  const checkedModels = data ? asList(data.values.grantModels) : current.models;
  const checkedEndpoints = data ? asList(data.values.grantEndpoints) : current.endpoints;
  return (
    <Form method="post" className="cred-detail-form" aria-labelledby={id}>
      <h3 id={id}>{canWiden ? "Change the grant" : "Narrow the grant"}</h3>
      <p className="muted">
        {canWiden
          ? `Anything you add must be within ${orgName}'s entitlements${form.entitlements ? `: ${[...form.entitlements.models, ...form.entitlements.endpoints.map((e) => (e === ALL_ENDPOINTS ? "every endpoint" : `endpoint ${e}`))].map(grantLabel).join(", ") || "none"}` : ""}.`
          : "Untick what this key no longer needs. Widening a grant needs a vendor manager."}
      </p>
      <FormErrors errors={data?.errors} formError={data?.formError} />
      <input type="hidden" name="intent" value="grant" />
      <CheckboxGroup legend="Models" name="grantModels" options={form.models.map((m) => ({ value: m, label: label(m) }))} checked={checkedModels} errors={data?.errors} />
      <CheckboxGroup legend="Endpoints" name="grantEndpoints" options={form.endpoints.map((e) => ({ value: e, label: grantLabel(e) }))} checked={checkedEndpoints} errors={data?.errors} />
      <Submit>Save grant</Submit>
    </Form>
  );
}
