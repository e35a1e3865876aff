import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { requireUser } from "~/auth.server";
import { StatusBadge } from "~/components/badge";
import { SelectField } from "~/components/form";
import { fieldErrors } from "~/domain/form-errors";
import { can } from "~/domain/permissions";
import { isInternalRole, ROLE_LABELS } from "~/domain/roles";
import { assignableRoles, RoleChangeSchema } from "~/domain/user";
import { changeUserRole, endUserSessions, getUser, getUserDetail, manageProblem, resetUserTwoFactor, setUserActive, UserRuleError } from "~/models/user.server";
import { UtcTime } from "~/components/utc-time";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.target.name ?? "User"} · Keyward` }];

const IdSchema = z.string().min(1).max(64);

function userId(params: LoaderFunctionArgs["params"]) {
  const parsed = IdSchema.safeParse(params.id);
  if (!parsed.success) throw new Response("Not found", { status: 404 });
  return parsed.data;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:user");
  const target = getUserDetail(user, userId(params));
  if (!target) throw new Response("Not found", { status: 404 });
  const problem = manageProblem(user, target);
  const canManage = problem === null;
  const internalTarget = target.orgId === null;
  const { orgId: _orgId, ...shown } = target;
  return json({
    target: shown,
    isSelf: target.id === user.id,
    canManage,
    // Internal users keep internal roles, partner users partner roles.
    roleOptions: canManage ? assignableRoles(user.role).filter((r) => isInternalRole(r) === internalTarget).map((r) => ({ value: r, label: ROLE_LABELS[r] })) : [],
    canResend: canManage && can(user, "invite:user") && target.status === "invited",
  });
}

const UserActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("role") }).extend(RoleChangeSchema.shape),
  z.object({ intent: z.literal("deactivate") }),
  z.object({ intent: z.literal("reactivate") }),
  z.object({ intent: z.literal("end-sessions") }),
  z.object({ intent: z.literal("reset-two-factor") }),
]);

const SAVED = { role: "role", deactivate: "deactivated", reactivate: "reactivated", "end-sessions": "sessions-ended", "reset-two-factor": "two-factor-reset" } as const;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, "update:user");
  const id = userId(params);
  // Another tenant's user is not found, before anything about the form is said.
  if (!getUser(user, id)) throw new Response("Not found", { status: 404 });
  const form = Object.fromEntries(await request.formData());
  const parsed = UserActionSchema.safeParse(form);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), formError: null, role: typeof form.role === "string" ? form.role : null }, { status: 400 });
  const ctx = { actor: user, ip: context.clientIp };
  const input = parsed.data;
  let result;
  try {
    result =
      input.intent === "role"
        ? changeUserRole(ctx, id, input.role)
        : input.intent === "end-sessions"
          ? endUserSessions(ctx, id)
          : input.intent === "reset-two-factor"
            ? resetUserTwoFactor(ctx, id)
            : setUserActive(ctx, id, input.intent === "reactivate");
  } catch (err) {
    if (err instanceof UserRuleError) return json({ errors: null, formError: err.message, role: input.intent === "role" ? input.role : null }, { status: 400 });
    throw err;
  }
  if (!result) throw new Response("Not found", { status: 404 });
  return redirect(`/users/${encodeURIComponent(id)}?saved=${SAVED[input.intent]}`);
}

const SAVED_MESSAGES: Record<string, string> = {
  role: "Role saved. The user was signed out everywhere and gets the new role at their next sign-in.",
  deactivated: "User deactivated. Their sessions ended at once and they can no longer sign in.",
  reactivated: "User reactivated.",
  "sessions-ended": "All of the user's sessions ended: they must sign in again everywhere.",
  "two-factor-reset": "Two-factor sign-in reset: the user was signed out and sets up a new authenticator at their next sign-in.",
};

export default function UserDetail() {
  const { target, isSelf, canManage, roleOptions, canResend } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  const saved = params.get("saved");
  const errors = data?.errors ?? undefined;
  return (
    <main>
      <p>
        <Link to="/users">← Users</Link>
      </p>
      <div className="page-header">
        <h1>{target.name}</h1>
        <StatusBadge status={target.status} />
      </div>
      {saved && SAVED_MESSAGES[saved] && !data ? (
        <div className="alert success" role="status">
          {SAVED_MESSAGES[saved]}
        </div>
      ) : null}
      {data?.formError ? (
        <div className="alert error" role="alert">
          {data.formError}
        </div>
      ) : null}
      <div className="cols">
        <section className="panel" aria-labelledby="account-title">
          <h2 id="account-title">Account</h2>
          <dl className="facts">
            <dt>Email</dt>
            <dd className="mono">{target.email}</dd>
            <dt>Role</dt>
            <dd>{ROLE_LABELS[target.role]}</dd>
            <dt>Organisation</dt>
            <dd>{target.orgSlug ? <Link to={`/orgs/${target.orgSlug}`}>{target.orgName}</Link> : <span className="muted">Internal</span>}</dd>
            <dt>Status</dt>
            <dd>
              <StatusBadge status={target.status} />
            </dd>
            <dt>Last sign-in</dt>
            <dd>{target.lastLoginAt ? <UtcTime iso={target.lastLoginAt} /> : <span className="muted">Never</span>}</dd>
            <dt>Two-factor sign-in</dt>
            <dd>{target.twoFactor ? "On" : "Off"}</dd>
            <dt>Active sessions</dt>
            <dd>{target.activeSessions}</dd>
            {target.createdAt ? (
              <>
                <dt>Added</dt>
                <dd>
                  <UtcTime iso={target.createdAt} />
                </dd>
              </>
            ) : null}
            {target.invitation ? (
              <>
                <dt>Invitation</dt>
                <dd>
                  {target.invitation.expired ? (
                    <>
                      Expired on <UtcTime iso={target.invitation.expiresAt} />
                    </>
                  ) : (
                    <>
                      Sent <UtcTime iso={target.invitation.sentAt} />, expires <UtcTime iso={target.invitation.expiresAt} />
                    </>
                  )}
                </dd>
              </>
            ) : null}
          </dl>
        </section>

        <section className="panel" aria-labelledby="manage-title">
          <h2 id="manage-title">Manage</h2>
          {!canManage ? (
            <p className="muted">{isSelf ? "You cannot change your own account here." : "You can view this account but not change it."}</p>
          ) : (
            <div className="stack">
              <Form method="post" className="stack user-role-form" noValidate>
                <input type="hidden" name="intent" value="role" />
                <SelectField label="Role" name="role" options={roleOptions} defaultValue={data?.role ?? target.role} errors={errors} />
                <div>
                  <button type="submit" disabled={busy}>
                    Change role
                  </button>
                </div>
              </Form>
              {canResend ? (
                <Form method="post" action="/users/new" className="stack">
                  <input type="hidden" name="intent" value="resend" />
                  <input type="hidden" name="userId" value={target.id} />
                  <p className="muted">
                    {target.invitation?.expired || !target.invitation ? "The invitation link is no longer usable." : "Lost the link?"} A new link replaces the old one.
                  </p>
                  <div>
                    <button type="submit" disabled={busy}>
                      Send a new invitation link
                    </button>
                  </div>
                </Form>
              ) : null}
              {target.activeSessions > 0 ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="end-sessions" />
                  <p className="muted">Signs them out on every device now (a lost laptop, a shared computer); they can sign in again.</p>
                  <button type="submit" disabled={busy}>
                    {`End all sessions (${target.activeSessions})`}
                  </button>
                </Form>
              ) : null}
              {target.twoFactor ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="reset-two-factor" />
                  <p className="muted">Lost their phone and recovery codes? Removes their authenticator and signs them out; they set up a new one at their next sign-in.</p>
                  <button type="submit" disabled={busy}>
                    Reset two-factor sign-in
                  </button>
                </Form>
              ) : null}
              {target.status === "deactivated" ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="reactivate" />
                  <p className="muted">Reactivating lets them sign in again; someone who never set a password needs a new invitation link.</p>
                  <button type="submit" disabled={busy}>
                    Reactivate
                  </button>
                </Form>
              ) : (
                <Form method="post">
                  <input type="hidden" name="intent" value="deactivate" />
                  <p className="muted">Deactivating signs them out everywhere at once and voids any invitation link.</p>
                  <button type="submit" className="danger" disabled={busy}>
                    Deactivate
                  </button>
                </Form>
              )}
            </div>
          )}
        </section>
      </div>
    </main>
  );
}

