import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { endOtherSessions, requireUser } from "~/auth.server";
import { TextField } from "~/components/form";
import { RecoveryCodes } from "~/components/recovery-codes";
import { UtcTime } from "~/components/utc-time";
import { fieldErrors } from "~/domain/form-errors";
import { requiresTwoFactor, SecondFactorSchema, TotpCodeSchema } from "~/domain/two-factor";
import { disableTwoFactor, regenerateRecoveryCodes, twoFactorStatus } from "~/models/two-factor.server";
import { countActiveSessions } from "~/models/user.server";

export const meta: MetaFunction = () => [{ title: "Account security · Keyward" }];

// The signed-in user's own security settings: two-factor sign-in, recovery codes, their sessions.
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const status = twoFactorStatus(user.id);
  return json({
    email: user.email,
    required: requiresTwoFactor(user.role),
    enabled: status.enabled,
    enabledAt: status.enabledAt?.toISOString() ?? null,
    recoveryCodesLeft: status.recoveryCodesLeft,
    sessions: countActiveSessions(user.id),
  });
}

const ActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("regenerate") }).extend(TotpCodeSchema.shape),
  z.object({ intent: z.literal("disable") }).extend(SecondFactorSchema.shape),
  z.object({ intent: z.literal("sign-out-others") }),
]);

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = Object.fromEntries(await request.formData());
  const parsed = ActionSchema.safeParse(form);
  const intent = typeof form.intent === "string" ? form.intent : null;
  if (!parsed.success) return json({ intent, errors: fieldErrors(parsed.error), formError: null, recoveryCodes: null }, { status: 400 });
  const ctx = { actor: user, ip: context.clientIp };
  const input = parsed.data;
  if (input.intent === "sign-out-others") {
    await endOtherSessions(request, user.id);
    return redirect("/account?saved=signed-out");
  }
  const result = input.intent === "regenerate" ? await regenerateRecoveryCodes(ctx, input.code) : await disableTwoFactor(ctx, input.code);
  if (result.kind === "throttled") {
    return json(
      { intent, errors: null, formError: `Too many failed attempts. Try again in ${Math.ceil(result.retryAfterSeconds / 60)} minute(s).`, recoveryCodes: null },
      { status: 429, headers: { "Retry-After": String(result.retryAfterSeconds) } },
    );
  }
  if (result.kind === "invalid") return json({ intent, errors: null, formError: result.message, recoveryCodes: null }, { status: 400 });
  if (input.intent === "disable") {
    await endOtherSessions(request, user.id);
    // A role that requires the factor is sent to enrol again by the guard.
    return redirect(requiresTwoFactor(user.role) ? "/account/two-factor" : "/account?saved=disabled");
  }
  return json({ intent, errors: null, formError: null, recoveryCodes: "recoveryCodes" in result ? result.recoveryCodes : null });
}

const SAVED: Record<string, string> = {
  disabled: "Two-factor sign-in is off. Your other sessions were signed out.",
  "signed-out": "Your other sessions were signed out.",
};

export default function AccountSecurity() {
  const s = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  const saved = params.get("saved");
  const errorsFor = (intent: string) => (data?.intent === intent ? (data.errors ?? undefined) : undefined);
  const formErrorFor = (intent: string) =>
    data?.intent === intent && data.formError ? (
      <div className="alert error" role="alert">
        {data.formError}
      </div>
    ) : null;
  return (
    <main>
      <h1>Account security</h1>
      {saved && SAVED[saved] && !data ? (
        <div className="alert success" role="status">
          {SAVED[saved]}
        </div>
      ) : null}
      {data?.recoveryCodes ? <RecoveryCodes codes={data.recoveryCodes} /> : null}
      <div className="cols">
        <section className="panel" aria-labelledby="tf-title">
          <h2 id="tf-title">Two-factor sign-in</h2>
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              {s.enabled && s.enabledAt ? (
                <>
                  On since <UtcTime iso={s.enabledAt} />
                </>
              ) : (
                "Off"
              )}
            </dd>
            {s.enabled ? (
              <>
                <dt>Recovery codes left</dt>
                <dd>{s.recoveryCodesLeft}</dd>
              </>
            ) : null}
          </dl>
          {s.required ? <p className="muted">Your role requires two-factor sign-in.</p> : null}
          {!s.enabled ? (
            <p>
              <Link to="/account/two-factor" className="button primary">
                Set up two-factor sign-in
              </Link>
            </p>
          ) : (
            <div className="stack">
              <Form method="post" className="stack" noValidate>
                <h3>New recovery codes</h3>
                <p className="muted">Replaces all your recovery codes; the new ones are shown once.</p>
                {formErrorFor("regenerate")}
                <input type="hidden" name="intent" value="regenerate" />
                <TextField label="Current code from your app" name="code" inputMode="numeric" autoComplete="one-time-code" errors={errorsFor("regenerate")} />
                <div>
                  <button type="submit" disabled={busy}>
                    Make new recovery codes
                  </button>
                </div>
              </Form>
              <Form method="post" className="stack" noValidate>
                <h3>Turn off</h3>
                <p className="muted">{s.required ? "Your role requires a second factor: you will set up a new one straight away (a new phone)." : "Sign in with your password alone from then on."}</p>
                {formErrorFor("disable")}
                <input type="hidden" name="intent" value="disable" />
                <TextField label="Current code or a recovery code" name="code" autoComplete="one-time-code" errors={errorsFor("disable")} />
                <div>
                  <button type="submit" className="danger" disabled={busy}>
                    Turn off two-factor sign-in
                  </button>
                </div>
              </Form>
            </div>
          )}
        </section>
        <section className="panel" aria-labelledby="sessions-title">
          <h2 id="sessions-title">Sessions</h2>
          <p>
            You have {s.sessions} active session{s.sessions === 1 ? "" : "s"} (this one included).
          </p>
          <Form method="post">
            <input type="hidden" name="intent" value="sign-out-others" />
            <button type="submit" disabled={busy || s.sessions < 2}>
              Sign out everywhere else
            </button>
          </Form>
        </section>
      </div>
    </main>
  );
}
