import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { requireUser } from "~/auth.server";
import { CopyOnce } from "~/components/copy-once";
import { FormErrors, SelectField, TextField } from "~/components/form";
import { fieldErrors, formValues } from "~/domain/form-errors";
import { ROLE_LABELS } from "~/domain/roles";
import { assignableRoles, InviteSchema } from "~/domain/user";
import { invitationLink } from "~/invitation-link.server";
import { createInvitation, INVITATION_HOURS, resendInvitation, type InvitationResult } from "~/models/invitation.server";
import { listInvitableOrgs } from "~/models/organization.server";
import { UtcTime } from "~/components/utc-time";

export const meta: MetaFunction = () => [{ title: "Invite a user · Keyward" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "invite:user");
  return json({
    roles: assignableRoles(user.role).map((r) => ({ value: r, label: ROLE_LABELS[r] })),
    orgs: listInvitableOrgs(user).map((o) => ({ value: o.slug, label: o.name })),
    // Partner admins invite into their own organisation only: no "internal" choice, their org preselected.
    ownOrgSlug: user.role === "partner_admin" ? user.orgSlug : null,
    hours: INVITATION_HOURS,
  });
}

type Values = Record<string, string>;

const ResendSchema = z.object({ intent: z.literal("resend"), userId: z.string().min(1).max(64) });

/**
 * Two forms post here: this page's invitation form, and "Send a new invitation" on a user's page
 * (intent=resend). Either way the link is shown once, in this POST's response: it is never stored
 * and never part of a GET URL other than /invite/<token> itself.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "invite:user");
  const ctx = { actor: user, ip: context.clientIp };
  const all = formValues(await request.formData());
  const str = (k: string) => (typeof all[k] === "string" ? (all[k] as string) : "");

  if (all.intent === "resend") {
    const parsed = ResendSchema.safeParse(all);
    if (!parsed.success) throw new Response("Bad request", { status: 400 });
    const result = resendInvitation(ctx, parsed.data.userId);
    if (!result) throw new Response("Not found", { status: 404 });
    if (!result.ok) return json({ errors: null, formError: result.message, values: null, invited: null }, { status: 400 });
    return json({ errors: null, formError: null, values: null, invited: await invitedView(result) });
  }

  const values: Values = { email: str("email"), name: str("name"), role: str("role"), orgSlug: str("orgSlug") };
  const parsed = InviteSchema.safeParse(values);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), formError: null, values, invited: null }, { status: 400 });
  const result = createInvitation(ctx, parsed.data);
  if (!result.ok) return json({ errors: { [result.field]: [result.message] }, formError: null, values, invited: null }, { status: 400 });
  return json({ errors: null, formError: null, values: null, invited: await invitedView(result) });
}

async function invitedView(result: Extract<InvitationResult, { ok: true }>) {
  return { userId: result.userId, email: result.email, name: result.name, link: await invitationLink(result), expiresAt: result.expiresAt.toISOString(), reinvited: result.reinvited };
}

export default function InviteUser() {
  const { roles, orgs, ownOrgSlug, hours } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const invited = data?.invited ?? null;
  const errors = data?.errors ?? undefined;
  const values = data?.values ?? null;
  const str = (k: string) => values?.[k] ?? "";
  return (
    <main className="page narrow">
      <p>
        <Link to="/users">← Users</Link>
      </p>
      <h1>Invite a user</h1>
      {data?.formError ? (
        <div className="alert error" role="alert">
          {data.formError}
        </div>
      ) : null}
      {invited ? <InvitationLinkPanel {...invited} /> : null}
      <section className="panel" aria-labelledby="invite-form-title">
        <h2 id="invite-form-title">{invited ? "Invite someone else" : "Who are you inviting?"}</h2>
        <p className="muted">
          Keyward makes a single-use link that expires after {hours} hours. Send it to the person yourself; they choose their own password.
          Inviting someone who was invited before replaces their old link.
        </p>
        <FormErrors errors={errors} />
        <Form method="post" noValidate className="stack" key={invited?.link ?? "form"}>
          <TextField label="Email" name="email" type="email" autoComplete="off" required defaultValue={str("email")} errors={errors} />
          <TextField label="Name" name="name" autoComplete="off" required defaultValue={str("name")} errors={errors} />
          <div className="form-row">
            <SelectField
              label="Role"
              name="role"
              required
              placeholder="Choose a role"
              options={roles}
              defaultValue={str("role") || (ownOrgSlug ? "partner_member" : "")}
              errors={errors}
            />
            <SelectField
              label="Organisation"
              name="orgSlug"
              placeholder={ownOrgSlug ? undefined : "None (internal role)"}
              options={orgs}
              defaultValue={str("orgSlug") || ownOrgSlug || ""}
              hint={ownOrgSlug ? "You invite into your own organisation." : "Leave empty for vendor managers, security and auditors."}
              errors={errors}
            />
          </div>
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? "Creating the invitation…" : "Create invitation link"}
            </button>
            <Link to="/users">Cancel</Link>
          </div>
        </Form>
      </section>
    </main>
  );
}

type Invited = { userId: string; email: string; name: string; link: string; expiresAt: string; reinvited: boolean };

/** The link, shown once: a read-only field to copy from, and when it stops working. */
function InvitationLinkPanel({ userId, email, name, link, expiresAt, reinvited }: Invited) {
  return (
    <section className="panel invite-result" aria-labelledby="invite-result-title">
      <div className="alert success" role="status">
        <h2 id="invite-result-title">
          {reinvited ? "New invitation link" : "Invitation link"} for {name}
        </h2>
        <p>
          Send this link to <strong>{email}</strong>. It works once and expires on <UtcTime iso={expiresAt} />.
          {reinvited ? " Any earlier link for this person no longer works." : ""} It is shown only now: Keyward does not keep it.
        </p>
      </div>
      <CopyOnce label="Invitation link" value={link} noun="link" />
      <p>
        <Link to={`/users/${userId}`}>View {name}’s account</Link>
      </p>
    </section>
  );
}

