import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation, useSearchParams } from "@remix-run/react";
import { requireUser } from "~/auth.server";
import { DataTable } from "~/components/data-table";
import { CredentialBadges, CredentialStatusBadge, RotationBadge } from "~/components/credential-badges";
import { SelectField } from "~/components/form";
import { Pagination } from "~/components/pagination";
import { UtcTime } from "~/components/utc-time";
import { CREDENTIAL_FLAGS, CREDENTIAL_STATUSES, describeEndpoints, describeModels, FLAG_LABELS, INVENTORY_SORTS, inventoryQueryInput, InventoryQuerySchema, SORT_LABELS } from "~/domain/credential";
import { capitalise } from "~/domain/labels";
import { can } from "~/domain/permissions";
import { listModels } from "~/models/catalog.server";
import { AttestationMissingBadge } from "~/components/attestation-badges";
import { attestationMissingFor } from "~/models/attestation-policy.server";
import { listCredentialOrgOptions, listCredentials } from "~/models/credential-inventory.server";

export const meta: MetaFunction = () => [{ title: "Credentials · Keyward" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:credential");
  const query = InventoryQuerySchema.parse(inventoryQueryInput(new URL(request.url).searchParams));
  const now = new Date();
  const list = listCredentials(user, query, now);
  const missing = attestationMissingFor(list.rows.map((r) => ({ id: r.orgId, tier: r.orgTier })), now);
  return json({
    list: {
      ...list,
      rows: list.rows.map((r) => ({
        keyId: r.keyId,
        label: r.label,
        orgSlug: r.orgSlug,
        orgName: r.orgName,
        holder: r.holder,
        holderIsService: r.holderIsService,
        grant: `${describeModels(r.grantModels)} · ${describeEndpoints(r.grantEndpoints)}`,
        storage: r.storage,
        lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
        lastUsedIp: r.lastUsedIp,
        lastUsedUserAgent: r.lastUsedUserAgent,
        shared: r.sharedWith.length > 0,
        maxAgeDays: r.maxAgeDays,
        unusedThresholdDays: r.unusedThresholdDays,
        ageDays: r.hygiene.ageDays,
        rotationState: r.hygiene.rotationState,
        rotationDueAt: r.hygiene.rotationDueAt?.toISOString() ?? null,
        usageState: r.hygiene.usageState,
        expiryState: r.hygiene.expiryState,
        status: r.hygiene.effectiveStatus,
        attestationMissing: missing.has(r.orgId),
      })),
    },
    orgs: listCredentialOrgOptions(user).map((o) => ({ value: o.slug, label: o.name })),
    models: listModels().map((m) => ({ value: m.name, label: m.name })),
    canRegister: can(user, "create:credential"),
    internal: user.orgId === null,
  });
}

const UA_MAX = 32;

export default function Credentials() {
  const { list, orgs, models, canRegister, internal } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const { search } = useLocation();
  const flags = params.getAll("flag");
  const filtered = ["org", "tier", "status", "model", "flag"].some((k) => params.get(k));
  const csvParams = new URLSearchParams(search);
  csvParams.delete("page");
  const csvQuery = csvParams.toString();
  const csvHref = `/credentials.csv${csvQuery ? `?${csvQuery}` : ""}`;
  return (
    <main>
      <div className="page-header">
        <h1>Credentials</h1>
        <div className="actions">
          <a href={csvHref} className="button" download>
            Export CSV
          </a>
          {canRegister ? (
            <Link to="/credentials/new" className="button primary">
              Register a credential
            </Link>
          ) : null}
        </div>
      </div>
      <Form method="get" className="filters credential-filters" role="search" aria-label="Filter credentials">
        {orgs.length > 1 || internal ? (
          <SelectField label="Organisation" name="org" placeholder="Any organisation" options={orgs} defaultValue={params.get("org") ?? ""} />
        ) : null}
        {internal ? (
          <SelectField
            label="Tier"
            name="tier"
            placeholder="Any tier"
            options={[
              { value: "restricted", label: "Restricted" },
              { value: "standard", label: "Standard" },
            ]}
            defaultValue={params.get("tier") ?? ""}
          />
        ) : null}
        <SelectField label="Status" name="status" placeholder="Any status" options={CREDENTIAL_STATUSES.map((s) => ({ value: s, label: capitalise(s) }))} defaultValue={params.get("status") ?? ""} />
        <SelectField label="Model" name="model" placeholder="Any model" options={models} defaultValue={params.get("model") ?? ""} />
        <SelectField label="Sort by" name="sort" options={INVENTORY_SORTS.map((s) => ({ value: s, label: SORT_LABELS[s] }))} defaultValue={params.get("sort") ?? "keyId"} />
        <SelectField
          label="Order"
          name="dir"
          options={[
            { value: "asc", label: "Ascending" },
            { value: "desc", label: "Descending" },
          ]}
          defaultValue={params.get("dir") ?? "asc"}
        />
        <fieldset className="credential-flags">
          <legend>Only credentials that are…</legend>
          {CREDENTIAL_FLAGS.map((f) => (
            <label key={f} className="checkbox-option">
              <input type="checkbox" name="flag" value={f} defaultChecked={flags.includes(f)} /> {FLAG_LABELS[f]}
            </label>
          ))}
        </fieldset>
        <div className="actions">
          <button type="submit">Filter</button>
          {filtered ? <Link to="/credentials">Clear</Link> : null}
        </div>
      </Form>
      <DataTable
        label="Credentials"
        className="credential-table"
        columns={["Key id", "Label", "Organisation", "Holder", "Grant", "Age / policy", "Rotation", "Last use", "Status", "Badges"]}
        rows={list.rows}
        empty={filtered ? "No credentials match these filters." : "No credentials registered yet."}
        row={(c) => (
          <tr key={c.keyId}>
            <td className="mono">
              <Link to={`/credentials/${encodeURIComponent(c.keyId)}`}>{c.keyId}</Link>
            </td>
            <td>{c.label}</td>
            <td>{c.orgName}</td>
            <td>{c.holder ? <>{c.holder}{c.holderIsService ? <span className="muted"> (service)</span> : null}</> : <span className="muted">—</span>}</td>
            <td className="credential-grant">{c.grant}</td>
            <td className="nowrap">
              {c.status === "revoked" || c.status === "expired" ? <span className="muted">{c.ageDays} d</span> : `${c.ageDays} d / ${c.maxAgeDays} d`}
            </td>
            <td>
              <RotationBadge state={c.rotationState} />
              {c.rotationDueAt && c.rotationState !== "ok" ? (
                <div className="muted credential-due">
                  due {c.rotationDueAt.slice(0, 10)}
                </div>
              ) : null}
            </td>
            <td className="credential-last-use">
              {c.lastUsedAt ? (
                <>
                  <UtcTime iso={c.lastUsedAt} />
                  <div className="muted">
                    {c.lastUsedIp ? <span className="mono">{c.lastUsedIp}</span> : null}
                    {c.lastUsedUserAgent ? (
                      <span className="credential-ua" title={c.lastUsedUserAgent}>
                        {" "}
                        {c.lastUsedUserAgent.length > UA_MAX ? `${c.lastUsedUserAgent.slice(0, UA_MAX)}…` : c.lastUsedUserAgent}
                      </span>
                    ) : null}
                  </div>
                </>
              ) : (
                <span className="muted">Never</span>
              )}
            </td>
            <td>
              <CredentialStatusBadge status={c.status} />
            </td>
            <td>
              <CredentialBadges facts={{ usageState: c.usageState, expiryState: c.expiryState, shared: c.shared, storage: c.storage, unusedThresholdDays: c.unusedThresholdDays }} />
              {c.attestationMissing ? <AttestationMissingBadge /> : null}
            </td>
          </tr>
        )}
      />
      <Pagination page={list.page} pageCount={list.pageCount} total={list.total} noun="credential" />
    </main>
  );
}
