import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { clearPendingSignInCookie, createUserSession, readPendingSignIn } from "~/auth.server";
import { AuthCard } from "~/components/auth-card";
import { FormErrors, TextField } from "~/components/form";
import { fieldErrors } from "~/domain/form-errors";
import { SecondFactorSchema } from "~/domain/two-factor";
import { safeRedirect } from "~/domain/user";
import { verifySecondFactor } from "~/models/two-factor.server";
import { getActor, recordLogin } from "~/models/user.server";
import { publicFormData } from "~/limited-body.server";

export const meta: MetaFunction = () => [{ title: "Two-factor sign-in · Keyward" }];

export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retry = actionHeaders.get("Retry-After");
  return retry ? { "Retry-After": retry } : new Headers();
};

// The second step of sign-in: only reachable with the pending-sign-in cookie the password step sets.
export async function loader({ request }: LoaderFunctionArgs) {
  if (!(await readPendingSignIn(request))) throw redirect("/login");
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const pending = await readPendingSignIn(request);
  if (!pending) throw redirect("/login", { headers: { "Set-Cookie": clearPendingSignInCookie() } });
  const actor = getActor(pending.userId);
  if (!actor) throw redirect("/login", { headers: { "Set-Cookie": clearPendingSignInCookie() } });
  const parsed = SecondFactorSchema.safeParse(Object.fromEntries(await publicFormData(request)));
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), formError: null }, { status: 400 });
  const ctx = { actor: null, ip: context.clientIp };
  const result = await verifySecondFactor(ctx, actor.id, parsed.data.code, { allowRecovery: true, purpose: "sign_in" });
  if (result.kind === "throttled") {
    return json(
      { errors: null, formError: `Too many failed attempts. Try again in ${Math.ceil(result.retryAfterSeconds / 60)} minute(s).` },
      { status: 429, headers: { "Retry-After": String(result.retryAfterSeconds) } },
    );
  }
  if (result.kind === "invalid") return json({ errors: null, formError: result.message }, { status: 401 });
  recordLogin({ actor, ip: context.clientIp }, actor.id);
  const headers = new Headers();
  headers.append("Set-Cookie", await createUserSession(actor.id));
  headers.append("Set-Cookie", clearPendingSignInCookie());
  return redirect(safeRedirect(pending.redirectTo), { headers });
}

export default function TwoFactorSignIn() {
  const data = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <AuthCard title="Two-factor sign-in">
      <p className="muted">Enter the 6-digit code from your authenticator app. Lost your phone? Enter one of your recovery codes instead.</p>
      <FormErrors formError={data?.formError} />
      <Form method="post" noValidate>
        <TextField label="Code" name="code" autoComplete="one-time-code" inputMode="text" required errors={data?.errors ?? undefined} autoFocus />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Checking…" : "Verify"}
        </button>
      </Form>
      <p>
        <Link to="/login">Start again</Link>
      </p>
    </AuthCard>
  );
}
