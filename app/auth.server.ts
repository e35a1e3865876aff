import { DrizzleSQLiteAdapter } from "@lucia-auth/adapter-drizzle";
import { redirect } from "@remix-run/node";
import { Lucia, TimeSpan } from "lucia";
import { getDb } from "../db/client";
import { sessions, users } from "../db/schema";
import type { Actor } from "~/domain/actor";
import { can, type Permission } from "~/domain/permissions";
import { getEnv } from "./env.server";
import { getActor } from "~/models/user.server";

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
export async function requireUser(request: Request, permission?: Permission | `${string}:${string}`): Promise<Actor> {
  const user = await getUser(request);
  if (!user) {
    const url = new URL(request.url);
    const back = url.pathname + url.search;
    throw redirect(`/login?redirectTo=${encodeURIComponent(back)}`);
  }
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

declare module "lucia" {
  interface Register {
    Lucia: ReturnType<typeof createLucia>;
  }
}
