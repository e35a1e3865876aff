import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { createUserSession } from "~/auth.server";
import { AuthCard } from "~/components/auth-card";
import { FormErrors, TextField } from "~/components/form";
import { fieldErrors } from "~/domain/form-errors";
import { AcceptInvitationSchema, PASSWORD_MIN } from "~/domain/user";
import { readInvitationToken } from "~/invitation-link.server";
import { acceptInvitation, getUsableInvitation } from "~/models/invitation.server";
import { hashPassword } from "~/password.server";
import { publicFormData } from "~/limited-body.server";

export const meta: MetaFunction = () => [{ title: "Accept invitation · Keyward" }];

async function usableInvitation(token: string | undefined) {
  const claims = token ? await readInvitationToken(token) : null;
  return claims ? getUsableInvitation(claims.invitationId, claims.userId) : null;
}

export async function loader({ params }: LoaderFunctionArgs) {
  const invitation = await usableInvitation(params.token);
  if (!invitation) return json({ invitation: null }, { status: 410 });
  return json({ invitation: { email: invitation.email, name: invitation.name } });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const invitation = await usableInvitation(params.token);
  if (!invitation) return json({ errors: {}, formError: "This invitation link has expired or was already used. Ask for a new one." }, { status: 410 });
  const parsed = AcceptInvitationSchema.safeParse(Object.fromEntries(await publicFormData(request)));
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), formError: null }, { status: 400 });
  const passwordHash = await hashPassword(parsed.data.password);
  const ok = acceptInvitation({ actor: null, ip: context.clientIp }, invitation.id, invitation.userId, passwordHash);
  if (!ok) return json({ errors: {}, formError: "This invitation link was already used." }, { status: 410 });
  return redirect("/dashboard", { headers: { "Set-Cookie": await createUserSession(invitation.userId) } });
}

export default function AcceptInvitation() {
  const { invitation } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <AuthCard title="Welcome to Keyward">
      {!invitation ? (
        <div className="alert error" role="alert">
          This invitation link has expired or was already used. Ask the person who invited you for a new one.
        </div>
      ) : (
        <>
          <p className="muted">
            Set a password for <strong>{invitation.email}</strong> to finish joining.
          </p>
          <FormErrors formError={data?.formError} />
          <Form method="post" noValidate>
            <input type="email" name="username" autoComplete="username" value={invitation.email} readOnly hidden />
            <TextField label="New password" name="password" type="password" autoComplete="new-password" required minLength={PASSWORD_MIN} hint={`At least ${PASSWORD_MIN} characters. A passphrase is easiest.`} errors={data?.errors} />
            <TextField label="Repeat the password" name="confirm" type="password" autoComplete="new-password" required errors={data?.errors} />
            <button type="submit" className="primary" disabled={busy}>
              {busy ? "Setting up…" : "Set password and sign in"}
            </button>
          </Form>
        </>
      )}
    </AuthCard>
  );
}
