import { and, eq, gt, inArray, lt } from "drizzle-orm";
import { getDb } from "../../db/client";
import { loginFailures } from "../../db/schema";
import { LOGIN_WINDOW_MS, throttleState } from "~/domain/throttle";

export function loginThrottleKeys(email: string, ip: string | null) {
  return [`account:${email.toLowerCase()}`, ...(ip ? [`ip:${ip}`] : [])];
}

/** Seconds to wait before another attempt for any of these keys, or 0 when none is locked. */
export function loginRetryAfter(keys: string[], now = new Date()): number {
  const db = getDb();
  const since = new Date(now.getTime() - LOGIN_WINDOW_MS);
  const rows = db
    .select({ key: loginFailures.key, at: loginFailures.at })
    .from(loginFailures)
    .where(and(inArray(loginFailures.key, keys), gt(loginFailures.at, since)))
    .all();
  let wait = 0;
  for (const key of keys) {
    const state = throttleState(rows.filter((r) => r.key === key).map((r) => r.at.getTime()), now.getTime());
    if (state.locked) wait = Math.max(wait, state.retryAfterSeconds);
  }
  return wait;
}

export function recordLoginFailure(keys: string[], now = new Date()) {
  const db = getDb();
  db.transaction((tx) => {
    for (const key of keys) tx.insert(loginFailures).values({ key, at: now }).run();
    // Keep the table small: failures older than the window no longer matter.
    tx.delete(loginFailures).where(lt(loginFailures.at, new Date(now.getTime() - LOGIN_WINDOW_MS))).run();
  });
}

/** A successful sign-in clears the account's failures (not the IP's: one good password must not unlock a spraying address). */
export function clearAccountFailures(email: string) {
  const db = getDb();
  db.delete(loginFailures).where(eq(loginFailures.key, `account:${email.toLowerCase()}`)).run();
}
