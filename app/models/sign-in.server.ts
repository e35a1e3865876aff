import { getDb } from "../../db/client";
import { verifyPassword } from "~/password.server";
import { clearAccountFailures, loginRetryAfter, loginThrottleKeys, recordLoginFailure } from "./login-failure.server";
import { getActor, getUserByEmail, recordLogin } from "./user.server";
import { writeAudit } from "./audit.server";
import { hasTwoFactor } from "./two-factor.server";

export type SignInResult =
  | { kind: "ok"; userId: string }
  | { kind: "second_factor"; userId: string }
  | { kind: "invalid" } | { kind: "throttled"; retryAfterSeconds: number };

/**
 * Email + password sign-in with throttling: after 5 failures per account or per IP within 15 minutes,
 * further attempts are refused (even with the right password) until the window moves on. Unknown
 * account, wrong password and inactive account all answer the same "invalid".
 */
export async function signIn(email: string, password: string, ip: string | null): Promise<SignInResult> {
  const db = getDb();
  const keys = loginThrottleKeys(email, ip);
  const wait = loginRetryAfter(keys);
  if (wait > 0) return { kind: "throttled", retryAfterSeconds: wait };
  const user = getUserByEmail(email);
  const passwordOk = await verifyPassword(user?.passwordHash ?? null, password);
  const actor = user && passwordOk ? getActor(user.id) : null;
  if (!actor) {
    recordLoginFailure(keys);
    db.transaction((tx) =>
      writeAudit(tx, { actor: null, ip }, { action: "auth.login_failed", targetType: "user", targetId: user?.id ?? null, orgId: user?.orgId ?? null, details: { email } }),
    );
    return { kind: "invalid" };
  }
  clearAccountFailures(email);
  // With a second factor the password alone starts no session: the sign-in completes at /login/two-factor.
  if (hasTwoFactor(actor.id)) return { kind: "second_factor", userId: actor.id };
  recordLogin({ actor, ip }, actor.id);
  return { kind: "ok", userId: actor.id };
}
