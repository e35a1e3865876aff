import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { createUserSession, getUser, pendingSignInCookie } from "~/auth.server";
import { AuthCard } from "~/components/auth-card";
import { FormErrors, TextField } from "~/components/form";
import { fieldErrors } from "~/domain/form-errors";
import { LoginSchema, safeRedirect } from "~/domain/user";
import { signIn } from "~/models/sign-in.server";
import { publicFormData } from "~/limited-body.server";

export const meta: MetaFunction = () => [{ title: "Sign in · Keyward" }];

// A throttled attempt's Retry-After reaches the rendered page too.
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retry = actionHeaders.get("Retry-After");
  return retry ? { "Retry-After": retry } : new Headers();
};

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getUser(request)) throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await publicFormData(request);
  const parsed = LoginSchema.safeParse(Object.fromEntries(form));
  const email = String(form.get("email") ?? "");
  if (!parsed.success) return json({ email, errors: fieldErrors(parsed.error), formError: null }, { status: 400 });
  const result = await signIn(parsed.data.email, parsed.data.password, context.clientIp);
  if (result.kind === "throttled") {
    return json(
      { email, errors: {}, formError: `Too many failed attempts. Try again in ${Math.ceil(result.retryAfterSeconds / 60)} minute(s).` },
      { status: 429, headers: { "Retry-After": String(result.retryAfterSeconds) } },
    );
  }
  if (result.kind === "invalid") return json({ email, errors: {}, formError: "Email or password is incorrect." }, { status: 401 });
  if (result.kind === "second_factor") {
    const pending = await pendingSignInCookie(result.userId, safeRedirect(parsed.data.redirectTo));
    return redirect("/login/two-factor", { headers: { "Set-Cookie": pending } });
  }
  const cookie = await createUserSession(result.userId);
  return redirect(safeRedirect(parsed.data.redirectTo), { headers: { "Set-Cookie": cookie } });
}

export default function Login() {
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  return (
    <AuthCard
      title={
        <>
          <span aria-hidden="true" className="brand-mark">
            ◆
          </span>{" "}
          Keyward
        </>
      }
    >
      <p className="muted">Third-party access governance. Sign in to continue.</p>
      <FormErrors formError={data?.formError} />
      <Form method="post" noValidate>
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? ""} />
        <TextField label="Email" name="email" type="email" autoComplete="username" required defaultValue={data?.email ?? ""} errors={data?.errors} autoFocus />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" required errors={data?.errors} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </Form>
    </AuthCard>
  );
}
