import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { requireUser } from "~/auth.server";
import { FormErrors, TextField, useFormState, type FieldErrors } from "~/components/form";
import { UtcTime } from "~/components/utc-time";
import { ruleModule, ruleSettingsSchema, ruleSettingsView } from "~/domain/detection/rule-settings";
import { fieldErrors, formValues } from "~/domain/form-errors";
import { can } from "~/domain/permissions";
import { getDetectionPolicy, getRuleOverrides, saveRuleSettings, setAutoSuspendCritical } from "~/models/detection-settings.server";

export const meta: MetaFunction = () => [{ title: "Detection settings · Keyward" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:flag:any");
  const policy = getDetectionPolicy();
  return json({
    rules: ruleSettingsView(getRuleOverrides() as Record<string, Record<string, number>>),
    autoSuspendCritical: policy.autoSuspendCritical,
    policyUpdatedAt: policy.updatedAt?.toISOString() ?? null,
    canEdit: can(user, "update:detection:any"),
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "update:detection:any");
  const form = await request.formData();
  const values = formValues(form);
  const ctx = { actor: user, ip: context.clientIp ?? null };
  const intent = String(values.intent ?? "");
  if (intent === "policy") {
    setAutoSuspendCritical(ctx, values.autoSuspendCritical === "on");
    return redirect(`/settings/detection?saved=policy`);
  }
  const module = ruleModule(String(values.rule ?? ""));
  if (intent !== "rule" || !module) return json({ rule: null as string | null, errors: { _form: ["Choose a rule to change."] } as FieldErrors, values }, { status: 400 });
  const prefixed = Object.fromEntries(Object.keys(module.defaults).map((k) => [k, values[`${module.id}.${k}`]]));
  const parsed = ruleSettingsSchema(module).safeParse(values.reset === "1" ? Object.fromEntries(Object.entries(module.defaults).map(([k, v]) => [k, String(k.endsWith("Ms") ? v / 1000 : v)])) : prefixed);
  if (!parsed.success) {
    const errs = fieldErrors(parsed.error);
    return json({ rule: module.id as string | null, errors: Object.fromEntries(Object.entries(errs).map(([k, v]) => [`${module.id}.${k}`, v])) as FieldErrors, values }, { status: 400 });
  }
  saveRuleSettings(ctx, module.id, parsed.data as Record<string, number>);
  return redirect(`/settings/detection?saved=${encodeURIComponent(module.id)}#rule-${module.id}`);
}

export default function DetectionSettings() {
  const { rules, autoSuspendCritical, policyUpdatedAt, canEdit } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const saved = params.get("saved");
  return (
    <main>
      <p>
        <Link to="/settings">← Settings</Link>
      </p>
      <div className="page-header">
        <h1>Detection</h1>
        <p className="muted">Thresholds used by every rule on the next import. Blank means nothing: every field needs a value; “Reset” goes back to the default.</p>
      </div>
      {saved ? (
        <div className="alert success" role="status">
          {saved === "policy" ? "Containment policy saved." : `Thresholds of ${saved} saved.`}
        </div>
      ) : null}
      {data?.errors?._form ? <FormErrors formError={data.errors._form[0]} /> : null}
      <section className={`panel${autoSuspendCritical ? " policy-on" : ""}`} aria-labelledby="containment">
        <h2 id="containment">Containment</h2>
        <p>
          {autoSuspendCritical ? (
            <strong>On: a credential with a new critical flag is suspended automatically and the gateway is told.</strong>
          ) : (
            "Off: critical flags are notified, nothing is suspended automatically."
          )}
          {policyUpdatedAt ? (
            <span className="muted">
              {" "}
              (changed <UtcTime iso={policyUpdatedAt} />)
            </span>
          ) : null}
        </p>
        {canEdit ? (
          <Form method="post">
            <input type="hidden" name="intent" value="policy" />
            <label>
              <input type="checkbox" name="autoSuspendCritical" defaultChecked={autoSuspendCritical} /> Suspend a credential automatically on a critical flag
            </label>{" "}
            <button type="submit">Save policy</button>
          </Form>
        ) : null}
      </section>
      {rules.map((r) => (
        <RuleForm key={r.rule} rule={r} canEdit={canEdit} data={data?.rule === r.rule ? data : undefined} />
      ))}
    </main>
  );
}

function RuleForm({ rule, canEdit, data }: { rule: ReturnType<typeof useLoaderData<typeof loader>>["rules"][number]; canEdit: boolean; data: ReturnType<typeof useActionData<typeof action>> }) {
  const { busy, errors, typed } = useFormState(data ?? null, "rule");
  return (
    <section className="panel" id={`rule-${rule.rule}`} aria-labelledby={`h-${rule.rule}`}>
      <h2 id={`h-${rule.rule}`} className="mono">
        {rule.rule}
      </h2>
      <p className="muted">{rule.description}</p>
      <Form method="post" className="filters">
        <FormErrors errors={errors} />
        <input type="hidden" name="intent" value="rule" />
        <input type="hidden" name="rule" value={rule.rule} />
        {rule.fields.map((f) => (
          <TextField
            key={f.key}
            label={f.label}
            name={`${rule.rule}.${f.key}`}
            inputMode="numeric"
            defaultValue={typed(`${rule.rule}.${f.key}`) || String(f.value)}
            readOnly={!canEdit}
            hint={f.overridden ? `default ${f.defaultValue}` : "default"}
            errors={errors}
          />
        ))}
        {canEdit ? (
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              Save
            </button>
            <button type="submit" name="reset" value="1">
              Reset
            </button>
          </div>
        ) : null}
      </Form>
    </section>
  );
}
