import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { endOtherSessions, requireUser } from "~/auth.server";
import { FormErrors, TextField } from "~/components/form";
import { RecoveryCodes } from "~/components/recovery-codes";
import { fieldErrors } from "~/domain/form-errors";
import { groupedSecret, requiresTwoFactor, TotpCodeSchema } from "~/domain/two-factor";
import { confirmEnrolment, pendingEnrolment } from "~/models/two-factor.server";

export const meta: MetaFunction = () => [{ title: "Set up two-factor sign-in · Keyward" }];

// Enrolment: a QR code and the manual key; a first code confirms it, and the recovery codes are shown once.
// Reachable by a user whose role requires a second factor before they have one (everything else redirects here).
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, undefined, { enrolling: true });
  const enrolment = await pendingEnrolment(user);
  // Already on (also right after the confirming POST, whose answer shows the recovery codes).
  if (!enrolment) return json({ enrolled: true as const, qr: null, key: null, required: requiresTwoFactor(user.role), email: user.email });
  return json({ enrolled: false as const, qr: enrolment.qrSvgDataUri, key: groupedSecret(enrolment.secret), required: requiresTwoFactor(user.role), email: user.email });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, undefined, { enrolling: true });
  const parsed = TotpCodeSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), formError: null, recoveryCodes: null }, { status: 400 });
  const result = await confirmEnrolment({ actor: user, ip: context.clientIp }, parsed.data.code);
  if (result.kind === "throttled") {
    return json(
      { errors: null, formError: `Too many failed attempts. Try again in ${Math.ceil(result.retryAfterSeconds / 60)} minute(s).`, recoveryCodes: null },
      { status: 429, headers: { "Retry-After": String(result.retryAfterSeconds) } },
    );
  }
  if (result.kind === "invalid") return json({ errors: null, formError: result.message, recoveryCodes: null }, { status: 400 });
  // Sessions opened elsewhere with the password alone end now; this one carries on.
  await endOtherSessions(request, user.id);
  return json({ errors: null, formError: null, recoveryCodes: result.recoveryCodes });
}

export default function EnrolTwoFactor() {
  const { enrolled, qr, key, required, email } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  if (data?.recoveryCodes) {
    return (
      <main>
        <h1>Two-factor sign-in is on</h1>
        <p>From now on you sign in with your password and a code from your authenticator app. Other sessions of yours were signed out.</p>
        <RecoveryCodes codes={data.recoveryCodes} />
        <p>
          <Link to="/dashboard" className="button primary">
            I have saved my codes: continue
          </Link>
        </p>
      </main>
    );
  }
  if (enrolled || !qr || !key) {
    return (
      <main>
        <h1>Two-factor sign-in</h1>
        <p>
          Two-factor sign-in is already on for your account. Manage it (new recovery codes, a new phone) on <Link to="/account">Account security</Link>.
        </p>
      </main>
    );
  }
  return (
    <main>
      <h1>Set up two-factor sign-in</h1>
      {required ? (
        <div className="alert info" role="status">
          Your role requires two-factor sign-in. Set it up to continue.
        </div>
      ) : null}
      <div className="cols">
        <section className="panel" aria-labelledby="scan-title">
          <h2 id="scan-title">1. Scan the QR code</h2>
          <p className="muted">With an authenticator app (any that supports TOTP), scan this code for {email}.</p>
          <img className="totp-qr" src={qr} alt="QR code for your authenticator app" width={200} height={200} />
          <p className="muted">Cannot scan it? Enter this key by hand (time-based, 6 digits, 30 seconds):</p>
          <p className="mono totp-key" data-testid="totp-key" aria-label="Manual key">
            {key}
          </p>
        </section>
        <section className="panel" aria-labelledby="confirm-title">
          <h2 id="confirm-title">2. Enter the code it shows</h2>
          <FormErrors formError={data?.formError} />
          <Form method="post" noValidate>
            <TextField label="Code" name="code" inputMode="numeric" autoComplete="one-time-code" required errors={data?.errors ?? undefined} />
            <button type="submit" className="primary" disabled={busy}>
              {busy ? "Checking…" : "Turn on two-factor sign-in"}
            </button>
          </Form>
        </section>
      </div>
    </main>
  );
}
