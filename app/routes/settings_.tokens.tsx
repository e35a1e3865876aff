import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useId } from "react";
import { z } from "zod";
import { issueApiToken } from "~/api-auth.server";
import { requireUser } from "~/auth.server";
import { Badge, type Tone } from "~/components/badge";
import { CopyOnce } from "~/components/copy-once";
import { FormErrors, SelectField, TextField, useFormState } from "~/components/form";
import { Pagination } from "~/components/pagination";
import { UtcTime } from "~/components/utc-time";
import { FORMATS } from "~/domain/log-parse";
import { fieldErrors, formValues } from "~/domain/form-errors";
import { can } from "~/domain/permissions";
import { getEnv } from "~/env.server";
import { API_TOKEN_SCOPES, ApiTokenCreateSchema, DEFAULT_TOKEN_DAYS, listApiTokens, MAX_TOKEN_DAYS, PUSH_MAX_BYTES, revokeApiToken, TokenListQuerySchema } from "~/models/api-token.server";

export const meta: MetaFunction = () => [{ title: "API tokens · Keyward" }];

// Push API tokens (issue 6 point 3c): security issues bearer tokens (JWTs, scope logs:write) for the
// gateway or its log shipper to POST /api/v1/logs; each is shown once, listed, and revocable.

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:token:any");
  const params = new URL(request.url).searchParams;
  const query = TokenListQuerySchema.parse(Object.fromEntries(params));
  return json({
    canEdit: can(user, "update:token:any"),
    tokens: listApiTokens(user, query),
    apiUrl: `${getEnv().baseUrl}/api/v1/logs`,
    scopes: API_TOKEN_SCOPES,
    formats: FORMATS,
    defaultDays: DEFAULT_TOKEN_DAYS,
    maxDays: MAX_TOKEN_DAYS,
    maxPushMb: PUSH_MAX_BYTES / 1024 / 1024,
    revoked: params.get("done") === "revoked" ? (params.get("name")?.slice(0, 80) ?? "The token") : null,
  });
}

const TargetSchema = z.object({ id: z.string().trim().uuid() });

type ActionData = {
  intent: string;
  errors: Record<string, string[]> | null;
  values: Record<string, string | string[]> | null;
  created: { id: string; name: string; source: string; scope: string; expiresAt: string; token: string } | null;
};

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "update:token:any");
  const values = formValues(await request.formData());
  const ctx = { actor: user, ip: context.clientIp };
  const intent = String(values.intent ?? "");

  if (intent === "create") {
    const parsed = ApiTokenCreateSchema.safeParse(values);
    if (!parsed.success) return json<ActionData>({ intent, errors: fieldErrors(parsed.error), values, created: null }, { status: 400 });
    const created = await issueApiToken(ctx, parsed.data);
    // Not a redirect: the token is in this one response only, never in a URL, never stored.
    return json<ActionData>({ intent, errors: null, values: null, created: { ...created, expiresAt: created.expiresAt.toISOString() } });
  }

  if (intent === "revoke") {
    const target = TargetSchema.safeParse(values);
    if (!target.success) throw new Response("Not found", { status: 404 });
    const result = revokeApiToken(ctx, target.data.id);
    if (!result) throw new Response("Not found", { status: 404 });
    return redirect(`/settings/tokens?done=revoked&name=${encodeURIComponent(result.name)}`);
  }
  return json<ActionData>({ intent, errors: { _form: ["Unknown action."] }, values: null, created: null }, { status: 400 });
}

const STATUS_TONES: Record<string, Tone> = { active: "good", expired: "warn", revoked: "bad" };

export default function Tokens() {
  const { canEdit, tokens, apiUrl, scopes, formats, defaultDays, maxDays, maxPushMb, revoked } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const formError = data?.errors?._form?.[0];
  return (
    <main>
      <div className="page-header">
        <h1>API tokens</h1>
        <p className="muted">Bearer tokens for gateways and log shippers that push access logs to Keyward. Each token is shown once when it is made.</p>
      </div>
      {revoked ? (
        <div className="alert success" role="status">
          {revoked} is revoked: requests with it now get 401.
        </div>
      ) : null}
      {formError && data?.intent !== "create" ? (
        <div className="alert error" role="alert">
          {formError}
        </div>
      ) : null}
      {data?.created ? <CreatedToken created={data.created} apiUrl={apiUrl} /> : null}

      <section className="panel" aria-labelledby="tokens-title">
        <h2 id="tokens-title">Tokens</h2>
        <div className="table-wrap">
          <table className="token-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Scope</th>
                <th scope="col">Source</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                {canEdit ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {tokens.rows.length === 0 ? (
                <tr>
                  <td colSpan={canEdit ? 8 : 7} className="empty">
                    No tokens yet.{canEdit ? " Make one below for the gateway or its log shipper." : ""}
                  </td>
                </tr>
              ) : (
                tokens.rows.map((t) => (
                  <tr key={t.id}>
                    <td>{t.name}</td>
                    <td className="mono">{t.scope}</td>
                    <td className="mono">{t.source}</td>
                    <td className="nowrap">
                      <UtcTime iso={t.createdAt} />
                      <span className="token-by muted">by {t.createdByName ?? "a deleted user"}</span>
                    </td>
                    <td className="nowrap">
                      <UtcTime iso={t.expiresAt} />
                    </td>
                    <td className="nowrap">{t.lastUsedAt ? <UtcTime iso={t.lastUsedAt} /> : <span className="muted">Never</span>}</td>
                    <td>
                      <Badge tone={STATUS_TONES[t.status]}>{t.status}</Badge>
                      {t.revokedAt ? (
                        <span className="token-by muted">
                          <UtcTime iso={t.revokedAt} /> by {t.revokedByName ?? "a deleted user"}
                        </span>
                      ) : null}
                    </td>
                    {canEdit ? (
                      <td>
                        {t.status === "active" ? (
                          <Form method="post" className="inline-form">
                            <input type="hidden" name="id" value={t.id} />
                            <button type="submit" name="intent" value="revoke" className="danger">
                              Revoke<span className="visually-hidden"> {t.name}</span>
                            </button>
                          </Form>
                        ) : null}
                      </td>
                    ) : null}
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
        <Pagination page={tokens.page} pageCount={tokens.pageCount} total={tokens.total} noun="token" />
        {!canEdit ? <p className="muted">Only security makes and revokes API tokens.</p> : null}
      </section>

      {canEdit ? (
        <CreateForm key={data?.created?.id ?? "new"} scopes={scopes} defaultDays={defaultDays} maxDays={maxDays} data={data?.intent === "create" && data.errors ? data : undefined} />
      ) : null}

      <PushRecipe apiUrl={apiUrl} formats={formats} maxPushMb={maxPushMb} />
    </main>
  );
}

function curlExample(apiUrl: string, source?: string) {
  const url = source ? `${apiUrl}?source=${encodeURIComponent(source)}` : apiUrl;
  return `curl --fail-with-body -X POST "${url}" \\
  -H "Authorization: Bearer $KEYWARD_TOKEN" \\
  -H "Content-Type: application/x-ndjson" \\
  --data-binary @access.log`;
}

function CreatedToken({ created, apiUrl }: { created: NonNullable<ActionData["created"]>; apiUrl: string }) {
  const id = useId();
  return (
    <section className="panel token-created" aria-labelledby={`${id}-title`}>
      <div className="alert success" role="status">
        <h2 id={`${id}-title`}>Token “{created.name}” created</h2>
        <p>
          Copy it into the gateway’s or shipper’s secret store now. It is shown only once: Keyward does not keep it. It expires <UtcTime iso={created.expiresAt} />.
        </p>
      </div>
      <CopyOnce label={`API token (${created.scope}, source ${created.source})`} value={created.token} noun="token" inputClassName="mono" />
      <p>With the token in the environment variable KEYWARD_TOKEN:</p>
      <pre className="code-block">
        <code>{curlExample(apiUrl)}</code>
      </pre>
    </section>
  );
}

type CreateData = { errors: Record<string, string[]> | null; values: Record<string, string | string[]> | null };

function CreateForm({ scopes, defaultDays, maxDays, data }: { scopes: readonly string[]; defaultDays: number; maxDays: number; data?: CreateData }) {
  const { busy, errors, typed } = useFormState(data, "create");
  return (
    <section className="panel" aria-labelledby="new-token-title">
      <h2 id="new-token-title">New token</h2>
      <FormErrors errors={errors} formError={errors?._form?.[0]} />
      <Form method="post" className="stack token-form" noValidate>
        <input type="hidden" name="intent" value="create" />
        <div className="form-row">
          <TextField label="Name" name="name" required maxLength={80} defaultValue={typed("name") ?? ""} errors={errors} hint="Who uses it, e.g. Vector on gateway-eu-1" />
          <TextField
            label="Source"
            name="source"
            required
            maxLength={80}
            defaultValue={typed("source") ?? ""}
            errors={errors}
            hint="The import source pushed logs are filed under, e.g. gateway-eu (a request may name another with ?source=)."
          />
        </div>
        <div className="form-row">
          <SelectField label="Scope" name="scope" options={scopes.map((s) => ({ value: s, label: `${s} (push gateway logs)` }))} defaultValue={typed("scope") ?? scopes[0]} errors={errors} hint="The only scope for now." />
          <TextField
            label="Expires in (days)"
            name="expiresInDays"
            type="number"
            inputMode="numeric"
            min={1}
            max={maxDays}
            required
            defaultValue={typed("expiresInDays") ?? String(defaultDays)}
            errors={errors}
            hint={`1 to ${maxDays} days; ${defaultDays} by default.`}
          />
        </div>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Creating…" : "Create token"}
          </button>
        </div>
      </Form>
    </section>
  );
}

function PushRecipe({ apiUrl, formats, maxPushMb }: { apiUrl: string; formats: readonly string[]; maxPushMb: number }) {
  return (
    <section className="panel token-recipe" aria-labelledby="push-title">
      <h2 id="push-title">Pushing logs</h2>
      <p>
        <code>POST {apiUrl}</code> with the token in an <code>Authorization: Bearer</code> header. The body is newline-delimited JSON or any supported format, plain
        or gzip (<code>Content-Encoding: gzip</code>), at most {maxPushMb} MB per request.
      </p>
      <dl className="facts">
        <dt className="mono">?format=</dt>
        <dd>auto (the default: detected from the first lines) or one of {formats.join(", ")}</dd>
        <dt className="mono">?source=</dt>
        <dd>file the events under another source than the token’s</dd>
        <dt>200</dt>
        <dd>the import’s summary as JSON (lines, parsed, rejected with line numbers, duplicates, matched, unregistered keys, secrets stripped)</dd>
        <dt>400 · 413</dt>
        <dd>unreadable body or wrong format · body over the limit (split it)</dd>
        <dt>401 · 403</dt>
        <dd>missing, invalid, expired or revoked token · token without the logs:write scope</dd>
      </dl>
      <p>Sending the same events again is safe: each event is stored once, so a shipper can retry anything that did not get a 200.</p>
      <pre className="code-block">
        <code>{curlExample(apiUrl, "gateway-eu")}</code>
      </pre>
      <pre className="code-block">
        <code>{`gzip -c access.log | curl --fail-with-body -X POST "${apiUrl}?format=nginx" \\
  -H "Authorization: Bearer $KEYWARD_TOKEN" \\
  -H "Content-Encoding: gzip" \\
  --data-binary @-`}</code>
      </pre>
    </section>
  );
}
