import { DrizzleSQLiteAdapter } from "@lucia-auth/adapter-drizzle";
import { redirect } from "@remix-run/node";
import { Lucia, TimeSpan } from "lucia";
import { getDb } from "../db/client";
import { sessions, users } from "../db/schema";
import type { Actor } from "~/domain/actor";
import { can, type Permission } from "~/domain/permissions";
import { getEnv } from "./env.server";
import { getActor } from "~/models/user.server";
import { hasTwoFactor } from "~/models/two-factor.server";
import { requiresTwoFactor } from "~/domain/two-factor";
import { signToken, verifyToken } from "./jwt.server";

// The only module that imports lucia: replacing it touches this file alone.

const SESSION_HOURS = 12;

function createLucia() {
  const adapter = new DrizzleSQLiteAdapter(getDb(), sessions, users);
  return new Lucia(adapter, {
    sessionExpiresIn: new TimeSpan(SESSION_HOURS, "h"),
    sessionCookie: {
      name: "keyward_session",
      // A browser-session cookie; the server-side session expires after SESSION_HOURS (sliding).
      expires: false,
      attributes: { secure: getEnv().NODE_ENV === "production", sameSite: "lax", path: "/" },
    },
  });
}

let lucia: ReturnType<typeof createLucia> | undefined;
function getLucia() {
  lucia ??= createLucia();
  return lucia;
}

export function resetAuth() {
  lucia = undefined;
}

/** Starts a session and returns its Set-Cookie value. A new id every time: no session fixation. */
export async function createUserSession(userId: string): Promise<string> {
  const session = await getLucia().createSession(userId, {});
  return getLucia().createSessionCookie(session.id).serialize();
}

/** Ends every session of the user and starts a new one (after the second factor changes): the new cookie. */
export async function reissueUserSession(userId: string): Promise<string> {
  await getLucia().invalidateUserSessions(userId);
  return createUserSession(userId);
}

/** Ends every session of the user except the request's own (after the second factor changes). */
export async function endOtherSessions(request: Request, userId: string): Promise<number> {
  const current = sessionIdFrom(request);
  const others = (await getLucia().getUserSessions(userId)).filter((s) => s.id !== current);
  for (const s of others) await getLucia().invalidateSession(s.id);
  return others.length;
}

export function blankSessionCookie(): string {
  return getLucia().createBlankSessionCookie().serialize();
}

export async function invalidateUserSessions(userId: string) {
  await getLucia().invalidateUserSessions(userId);
}

export async function deleteExpiredSessions() {
  await getLucia().deleteExpiredSessions();
}

function sessionIdFrom(request: Request): string | null {
  return getLucia().readSessionCookie(request.headers.get("Cookie") ?? "");
}

/** The signed-in, active user, or null. */
export async function getUser(request: Request): Promise<Actor | null> {
  const sessionId = sessionIdFrom(request);
  if (!sessionId) return null;
  const { session, user } = await getLucia().validateSession(sessionId);
  if (!session || !user) return null;
  const actor = getActor(user.id);
  if (!actor) {
    await getLucia().invalidateSession(session.id);
    return null;
  }
  return actor;
}

/**
 * The signed-in user, or a thrown redirect to /login (with a local redirectTo). With a permission,
 * a user whose role lacks it gets a thrown 403.
 */
export async function requireUser(request: Request, permission?: Permission | `${string}:${string}`, opts: { enrolling?: boolean } = {}): Promise<Actor> {
  const user = await getUser(request);
  if (!user) {
    const url = new URL(request.url);
    const back = url.pathname + url.search;
    throw redirect(`/login?redirectTo=${encodeURIComponent(back)}`);
  }
  // Policy: a role that requires a second factor reaches nothing but the enrolment page without one.
  if (!opts.enrolling && requiresTwoFactor(user.role) && !hasTwoFactor(user.id)) throw redirect("/account/two-factor");
  if (permission && !can(user, permission)) {
    throw new Response("Your role does not allow this.", { status: 403, statusText: "Forbidden" });
  }
  return user;
}

/** Ends the request's session and returns the blank cookie. */
export async function logout(request: Request): Promise<string> {
  const sessionId = sessionIdFrom(request);
  if (sessionId) await getLucia().invalidateSession(sessionId);
  return blankSessionCookie();
}

// Between the password and the second factor: no session yet, only a signed, 5-minute token naming the
// user, in its own HttpOnly cookie limited to /login.
const PENDING_COOKIE = "keyward_2fa";
const PENDING_AUDIENCE = "keyward:second-factor";
const PENDING_MINUTES = 5;

function pendingCookieAttributes(maxAge: number) {
  const secure = getEnv().NODE_ENV === "production" ? "; Secure" : "";
  return `Path=/login; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure}`;
}

export async function pendingSignInCookie(userId: string, redirectTo: string): Promise<string> {
  const token = await signToken({ rt: redirectTo }, { audience: PENDING_AUDIENCE, subject: userId, expiresAt: new Date(Date.now() + PENDING_MINUTES * 60_000) });
  return `${PENDING_COOKIE}=${token}; ${pendingCookieAttributes(PENDING_MINUTES * 60)}`;
}

export function clearPendingSignInCookie(): string {
  return `${PENDING_COOKIE}=; ${pendingCookieAttributes(0)}`;
}

/** The user waiting for their second factor, or null (no cookie, bad signature, expired). */
export async function readPendingSignIn(request: Request): Promise<{ userId: string; redirectTo: string } | null> {
  const match = (request.headers.get("Cookie") ?? "").match(new RegExp(`(?:^|;\\s*)${PENDING_COOKIE}=([^;]+)`));
  if (!match) return null;
  const payload = await verifyToken(match[1], PENDING_AUDIENCE);
  if (!payload?.sub) return null;
  return { userId: payload.sub, redirectTo: typeof payload.rt === "string" ? payload.rt : "/dashboard" };
}

declare module "lucia" {
  interface Register {
    Lucia: ReturnType<typeof createLucia>;
  }
}
